//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"

	"sentilab/server/class"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
)

// On Cloudflare Workers the static-assets binding answers every request
// that names a file (index.html, the two wasm programs, the models) before
// the Worker runs, with the headers of the _headers file that workers.sh
// writes from securityHeaders. The Worker sees the rest: /api/models,
// /healthz, /report, /api/class (class mode on D1), and 404s. /api/data is
// off: a class's dataset is a static asset there, if anything.
//
// syumai/workers starts a fresh Go instance for each request, so main runs
// every time and serves exactly one request: it builds only what that
// request needs, the same handler as the native server without any file
// system. The lab's routes read the manifest from the ASSETS binding (a
// local read, no network); class mode opens the D1 binding "DB" and runs
// stateless (server/class: Config.Stateless), as nothing in memory outlives
// the request.
func main() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, nil))
	workers.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, err := workerHandler(r, logger)
		if err != nil {
			// Answer with a fixed 500 and put the reason in the Worker's
			// log, where the operator looks.
			logger.Error("startup", "path", r.URL.Path, "err", err)
			for k, v := range securityHeaders {
				w.Header().Set(k, v)
			}
			plainError(w, http.StatusInternalServerError, "500 server misconfigured: see the Worker log")
			return
		}
		h.ServeHTTP(w, r)
	}))
}

// workerHandler builds the handler for r: class mode for /api/class and
// below (no manifest read), the lab's routes for the rest.
func workerHandler(r *http.Request, logger *slog.Logger) (http.Handler, error) {
	if !isClassPath(r.URL.Path) {
		manifest, err := assetBytes("/models/" + manifestName)
		if err != nil {
			return nil, err
		}
		return NewHandler(Config{ManifestJSON: manifest, Logger: logger})
	}
	db, err := class.OpenD1("DB")
	if err != nil {
		return nil, err
	}
	ch, err := class.NewHandler(class.Config{DB: db, Logger: logger, Stateless: true})
	if err != nil {
		return nil, err
	}
	return NewHandler(Config{ManifestJSON: emptyManifest, Logger: logger, Class: ch})
}

// assetBytes fetches one file from the ASSETS binding. A missing manifest
// is the empty list, as natively.
func assetBytes(path string) ([]byte, error) {
	binding := cloudflare.GetBinding("ASSETS")
	if binding.IsUndefined() {
		return nil, errors.New(`no "ASSETS" binding: set assets.binding in wrangler.jsonc`)
	}
	client := fetch.NewClient(fetch.WithBinding(binding))
	req, err := fetch.NewRequest(context.Background(), http.MethodGet, "https://assets.invalid"+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req, nil)
	if err != nil {
		return nil, fmt.Errorf("ASSETS %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return emptyManifest, nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ASSETS %s: status %d", path, resp.StatusCode)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 16<<20))
}
