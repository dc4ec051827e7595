package main

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"sync"
)

// addReportRoutes registers /report: the go-echarts page comparing the
// pre-trained variants (report_page.go), built from the manifest alone, so
// the Worker, which has no model folder, serves the same page.
//
// The page is rendered once, at its first request rather than at start: on
// Workers every request starts a fresh handler, and most of them are not
// for the report. It is then a blob (ETag, gzip) whose own CSP allows
// exactly its inline scripts: go-echarts writes one per chart.
func (s *server) addReportRoutes(routes map[string]http.HandlerFunc) {
	manifest := s.manifest.data
	var (
		once sync.Once
		page *blob
		csp  string
		err  error
	)
	routes["/report"] = func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			var html []byte
			if html, err = renderReport(manifest); err == nil {
				page, csp = newBlob(html, "text/html; charset=utf-8"), reportCSP(html)
			}
		})
		if err != nil {
			s.serverError(w, "report", err)
			return
		}
		w.Header().Set("Content-Security-Policy", csp)
		s.serveBlob(w, r, page)
	}
}

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
