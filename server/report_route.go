//go:build !js || !wasm

package main

import (
	"net/http"
	"sync"
)

// addReportRoutes registers /report: the go-echarts page comparing the
// pre-trained variants (report_page.go), built from the manifest alone.
// (On Workers the page is rendered at build time: report_route_workers.go.)
//
// The page is rendered once, at its first request rather than at start, so
// a server nobody asks for a report never pays for it. It is then a blob
// (ETag, gzip) whose own CSP allows exactly its inline scripts: go-echarts
// writes one per chart.
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

// reportHTML renders the /report page of a model folder, with the
// Content-Security-Policy it must be served with, for the Workers build,
// which uploads it as the static asset report.page (report_route_workers.go).
// The manifest is checked against its files first, as at server start.
func reportHTML(modelDir string) (page []byte, csp string, err error) {
	fr, err := openFileRoot("models", modelDir)
	if err != nil {
		return nil, "", err
	}
	manifest, err := loadManifest(fr)
	if err != nil {
		return nil, "", err
	}
	if page, err = renderReport(manifest); err != nil {
		return nil, "", err
	}
	return page, reportCSP(page), nil
}
