//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
)

// reportAssetPath is the /report page rendered at build time (reportHTML,
// natively, from the same manifest), uploaded as a static asset. Its name
// does not end in .html, so the assets binding does not answer /report
// with it by itself (with the default CSP, which would block its scripts):
// the Worker does, with the CSP that allows exactly its inline scripts.
const reportAssetPath = "/report.page"

// addReportRoutes on Cloudflare Workers serves the pre-rendered page
// instead of rendering it: the report code (go-echarts, html/template)
// would add about 5 MB raw and 1.05 MB gzip to app.wasm (2.01 -> 3.06 MB
// gzip, measured with workers.sh), over the free plan's 3 MB script limit,
// and every request starts a fresh Go instance from that file. Without the
// asset (a build that did not write it), /report is a 404.
func (s *server) addReportRoutes(routes map[string]http.HandlerFunc) {
	routes["/report"] = func(w http.ResponseWriter, r *http.Request) {
		page, err := reportAsset()
		if errors.Is(err, errNoReport) {
			s.notFound(w)
			return
		}
		if err != nil {
			s.serverError(w, "report", err)
			return
		}
		w.Header().Set("Content-Security-Policy", reportCSP(page))
		s.serveBlob(w, r, newBlob(page, "text/html; charset=utf-8"))
	}
}

var errNoReport = errors.New("no pre-rendered report asset")

// reportAsset reads the pre-rendered page from the ASSETS binding (a local
// read inside Cloudflare, no network).
func reportAsset() ([]byte, error) {
	binding := cloudflare.GetBinding("ASSETS")
	if binding.IsUndefined() {
		return nil, errors.New(`no "ASSETS" binding: set assets.binding in wrangler.jsonc`)
	}
	client := fetch.NewClient(fetch.WithBinding(binding))
	req, err := fetch.NewRequest(context.Background(), http.MethodGet, "https://assets.invalid"+reportAssetPath, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req, nil)
	if err != nil {
		return nil, fmt.Errorf("ASSETS %s: %w", reportAssetPath, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, errNoReport
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ASSETS %s: status %d", reportAssetPath, resp.StatusCode)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 8<<20))
}
