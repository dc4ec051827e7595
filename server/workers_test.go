package main

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// The Workers build cannot be run by go test; these pin the parts of it
// that are plain Go.

// syumai/workers builds requests with TransferEncoding = [""] and the
// Content-Length header parsed (0 when absent); such a GET has no body.
func TestHasBodyWorkersRequest(t *testing.T) {
	for _, c := range []struct {
		cl   int64
		te   []string
		want bool
	}{
		{0, []string{""}, false},
		{0, nil, false},
		{-1, nil, false},
		{5, []string{""}, true},
		{-1, []string{"chunked"}, true},
		{0, []string{" ", "chunked"}, true},
	} {
		r := httptest.NewRequest("GET", "/api/models", nil)
		r.ContentLength, r.TransferEncoding = c.cl, c.te
		if got := hasBody(r); got != c.want {
			t.Errorf("hasBody(Content-Length %d, Transfer-Encoding %q) = %v, want %v", c.cl, c.te, got, c.want)
		}
	}
	// And through the whole handler, as the Worker calls it.
	h, err := NewHandler(Config{ManifestJSON: emptyManifest})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/api/models", nil)
	r.TransferEncoding = []string{""}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 || w.Body.String() != string(emptyManifest) {
		t.Errorf("Workers-style GET /api/models: %d %q", w.Code, w.Body)
	}
}

// Without a file system (Workers), only the API answers; files are the
// assets binding's job and come back 404 from Go.
func TestHandlerWithoutFiles(t *testing.T) {
	m := []byte(`{"models":[{"name":"base","file":"base.safetensors","bytes":3,"sha256":"` +
		strings.Repeat("a", 64) + `","metrics":{"accuracy":0.86}}]}`)
	ts := start(t, Config{ManifestJSON: m})
	if r := do(t, "GET", ts.URL+"/api/models"); r.status != 200 || string(r.body) != string(m) {
		t.Errorf("/api/models: %d %s", r.status, r.body)
	}
	for _, p := range []string{"/", "/index.html", "/models/base.safetensors", "/api/data"} {
		if r := do(t, "GET", ts.URL+p); r.status != 404 {
			t.Errorf("GET %s without files: %d, want 404", p, r.status)
		}
	}
}

func TestCloudflareHeadersFile(t *testing.T) {
	got := cloudflareHeaders()
	if !strings.HasPrefix(got, "# Written by server/workers.sh") || !strings.Contains(got, "\n/*\n") {
		t.Fatalf("_headers does not start with a comment and a /* rule:\n%s", got)
	}
	for k, v := range securityHeaders {
		if !strings.Contains(got, "\n  "+k+": "+v+"\n") {
			t.Errorf("_headers lacks %s: %s", k, v)
		}
	}
	if !strings.Contains(got, "/models/*.safetensors\n  Content-Type: application/octet-stream\n") {
		t.Errorf("_headers lacks the safetensors Content-Type rule:\n%s", got)
	}
}
