package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzPath feeds arbitrary request targets to the path check and to the
// whole handler. Invariants: nothing panics; an accepted path is local (no
// "..", no absolute path, no backslash); and no answer, whatever the path,
// contains the secret file beside the root (reachable by "..", by encoding
// or by the symlinks in the fixture).
//
//	go test -run '^$' -fuzz FuzzPath -fuzztime 30s ./server
func FuzzPath(f *testing.F) {
	for _, s := range []string{
		"/", "/index.html", "/models/base.safetensors", "/../outside/secret.txt",
		"/%2e%2e/outside/secret.txt", "/..%2foutside", "/..%5c", "/..\\outside", "//etc/passwd",
		"/escape", "/dirlink/secret.txt", "/inlink", "/sub/", "/.hidden", "/a\x00b", "/api/models",
		"/models/escape.safetensors", "/models/../outside/secret.txt", "/dirlink/../../outside/secret.txt",
	} {
		f.Add(s)
	}
	fx := newFixture(f)
	h, err := NewHandler(fx.config())
	if err != nil {
		f.Fatal(err)
	}
	assets, err := openFileRoot("assets", fx.root)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, target string) {
		rel, _, err := cleanPath(target)
		if err == nil {
			if !isLocalRel(rel) || strings.Contains(rel, "\\") || strings.Contains("/"+rel+"/", "/../") {
				t.Fatalf("cleanPath(%q) accepted non-local %q", target, rel)
			}
			if f, _, err := assets.open(rel); err == nil {
				data, _ := io.ReadAll(f)
				f.Close()
				if bytes.Contains(data, []byte(secretMarker)) {
					t.Fatalf("cleanPath(%q) = %q opens the secret file", target, rel)
				}
				if real, err := filepath.EvalSymlinks(filepath.Join(fx.root, rel)); err != nil ||
					!strings.HasPrefix(real, fx.root+string(filepath.Separator)) {
					t.Fatalf("%q opened %q outside %s", target, real, fx.root)
				}
			}
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return
		}
		req := &http.Request{Method: "GET", URL: u, RequestURI: target, Header: http.Header{}, Body: http.NoBody, Host: "x"}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if bytes.Contains(rec.Body.Bytes(), []byte(secretMarker)) {
			t.Fatalf("GET %q leaked the secret file", target)
		}
		if err == nil && rec.Code == 200 && cleanPathOK(u.EscapedPath()) == false {
			t.Fatalf("GET %q: 200 for a path cleanPath refuses", target)
		}
	})
}

func cleanPathOK(p string) bool { _, _, err := cleanPath(p); return err == nil }
