//go:build js && wasm

package main

import "net/http"

// addReportRoutes registers nothing on Cloudflare Workers. The report code
// (go-echarts, html/template) costs the Worker about 5 MB raw and 1.05 MB
// gzip of app.wasm (2.01 MB -> 3.06 MB gzip, measured with workers.sh),
// which puts it over the free plan's 3 MB script limit, and every request
// starts a fresh Go instance from that file. There, /report is a static
// asset: the page renderReport makes from the same manifest, written at
// build time (see reportHTML), so the page is byte for byte the native one.
func (s *server) addReportRoutes(routes map[string]http.HandlerFunc) {}
