package main

import "net/http"

// addReportRoutes is the seam for the go-echarts report pages (/report and
// below) comparing the pre-trained variants: accuracy against size, file and
// gzip size bars, training curves, confusion matrices, the α×T distillation
// heatmap. They are built from the manifest's metrics, which do not exist
// yet, so no route is registered and /report is a 404 rather than a page of
// invented numbers.
//
// When they come: render each page once at start into a blob (newBlob with
// "text/html; charset=utf-8") and register it here, with ECharts served from
// the asset root (page.SetAssetsHost("/")). go-echarts writes an inline
// <script> per chart, which the CSP in middleware.go forbids: the report
// handler must either move that script into a file under the asset root or
// set its own Content-Security-Policy with the script's sha256 hash.
func (s *server) addReportRoutes(routes map[string]http.HandlerFunc) {}
