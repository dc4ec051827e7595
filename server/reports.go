package main

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
)

// addReportRoutes is the seam for the go-echarts report pages (/report and
// below) comparing the pre-trained variants: accuracy against size, file and
// gzip size bars, training curves, confusion matrices, the α×T distillation
// heatmap. They are built from the manifest's metrics, which do not exist
// yet, so no route is registered and /report is a 404 rather than a page of
// invented numbers.
//
// When they come: render each page once at start (page.SetAssetsHost("/"),
// so echarts.min.js comes from the asset root, never a remote host), keep it
// as a blob (newBlob with "text/html; charset=utf-8") and register a handler
// here that sets reportCSP(html) before s.serveBlob: go-echarts writes an
// inline <script> per chart, which the default policy forbids.
func (s *server) addReportRoutes(routes map[string]http.HandlerFunc) {}

// inlineScript matches a <script> element and captures its attributes and
// its text, which is what a browser hashes for a CSP 'sha256-…' source.
var inlineScript = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)

var srcAttr = regexp.MustCompile(`(?i)\bsrc\s*=`)

// reportCSP returns the default Content-Security-Policy with the hash of
// each inline script of page added to script-src, so that exactly those
// scripts run and nothing injected beside them would.
func reportCSP(page []byte) string {
	var hashes []string
	for _, m := range inlineScript.FindAllSubmatch(page, -1) {
		if srcAttr.Match(m[1]) {
			continue // external: already covered by 'self', or blocked
		}
		sum := sha256.Sum256(m[2])
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	csp := securityHeaders["Content-Security-Policy"]
	if len(hashes) == 0 {
		return csp
	}
	return strings.Replace(csp, "script-src 'self'", "script-src 'self' "+strings.Join(hashes, " "), 1)
}
