package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestContentTypes(t *testing.T) {
	fx := newFixture(t)
	write(t, fx.root+"/worker.mjs", []byte("export {}"))
	write(t, fx.root+"/font.woff2", []byte("wOF2"))
	write(t, fx.root+"/unknown.xyz", []byte("<script>alert(1)</script>"))
	ts := start(t, fx.config())
	for path, want := range map[string]string{
		"/":                        "text/html; charset=utf-8",
		"/index.html":              "text/html; charset=utf-8",
		"/app.js":                  "text/javascript; charset=utf-8",
		"/worker.mjs":              "text/javascript; charset=utf-8",
		"/style.css":               "text/css; charset=utf-8",
		"/data.json":               "application/json",
		"/ui.wasm":                 "application/wasm",
		"/font.woff2":              "font/woff2",
		"/unknown.xyz":             "application/octet-stream",
		"/models/base.safetensors": "application/octet-stream",
		"/models/manifest.json":    "application/json",
		"/api/models":              "application/json",
		"/healthz":                 "text/plain; charset=utf-8",
	} {
		r := do(t, "GET", ts.URL+path)
		if r.status != 200 || r.header.Get("Content-Type") != want {
			t.Errorf("GET %s: %d %q, want 200 %q", path, r.status, r.header.Get("Content-Type"), want)
		}
	}
}

func TestBodiesMatchFiles(t *testing.T) {
	fx := newFixture(t)
	ts := start(t, fx.config())
	for name, want := range fx.files {
		if strings.HasPrefix(name, ".") {
			continue
		}
		r := do(t, "GET", ts.URL+"/"+name)
		if r.status != 200 || !bytes.Equal(r.body, want) {
			t.Errorf("GET /%s: %d, %d bytes, want 200 and the file's %d bytes", name, r.status, len(r.body), len(want))
		}
	}
	if r := do(t, "GET", ts.URL+"/"); !bytes.Equal(r.body, fx.files["index.html"]) {
		t.Errorf("GET /: not index.html")
	}
	if r := do(t, "GET", ts.URL+"/models/base.safetensors"); !bytes.Equal(r.body, fx.model) {
		t.Errorf("GET model: %d bytes, want %d", len(r.body), len(fx.model))
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("bad gzip: %v", err)
	}
	return out
}

func TestCompressionNegotiation(t *testing.T) {
	fx := newFixture(t)
	ts := start(t, fx.config())
	cases := []struct {
		path, accept, wantEncoding string
		wantBody                   []byte // nil: gunzip must give the file
	}{
		// Precompressed siblings win, br before gzip.
		{"/engine.wasm", "gzip, deflate, br", "br", []byte("BROTLI-SIBLING")},
		{"/engine.wasm", "br;q=1.0, gzip;q=0.8", "br", []byte("BROTLI-SIBLING")},
		{"/engine.wasm", "gzip", "gzip", fx.files["engine.wasm.gz"]},
		{"/engine.wasm", "br;q=0, gzip", "gzip", fx.files["engine.wasm.gz"]},
		{"/engine.wasm", "*", "br", []byte("BROTLI-SIBLING")},
		{"/engine.wasm", "", "", fx.files["engine.wasm"]},
		{"/engine.wasm", "identity", "", fx.files["engine.wasm"]},
		{"/engine.wasm", "br;q=0, gzip;q=0", "", fx.files["engine.wasm"]},
		{"/engine.wasm", "br;q=zzz", "", fx.files["engine.wasm"]},
		// No sibling: gzip made on the fly for compressible types only.
		{"/ui.wasm", "gzip, br", "gzip", nil},
		{"/index.html", "gzip", "gzip", nil},
		{"/app.js", "gzip", "gzip", nil},
		{"/style.css", "gzip", "gzip", nil},
		{"/data.json", "gzip", "gzip", nil},
		{"/ui.wasm", "br", "", fx.files["ui.wasm"]},
		{"/models/base.safetensors", "gzip, br", "", fx.model},
		{"/sub/file.txt", "gzip", "", fx.files["sub/file.txt"]}, // under 256 bytes: not worth it
	}
	for _, c := range cases {
		r := do(t, "GET", ts.URL+c.path, "Accept-Encoding", c.accept)
		got := r.header.Get("Content-Encoding")
		if r.status != 200 || got != c.wantEncoding {
			t.Errorf("GET %s, Accept-Encoding %q: %d, Content-Encoding %q; want 200, %q", c.path, c.accept, r.status, got, c.wantEncoding)
			continue
		}
		if !strings.Contains(r.header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("GET %s: Vary %q lacks Accept-Encoding", c.path, r.header.Get("Vary"))
		}
		body := r.body
		if c.wantBody == nil {
			name := strings.TrimPrefix(c.path, "/")
			if len(body) >= len(fx.files[name]) {
				t.Errorf("GET %s gzip: %d bytes, not smaller than %d", c.path, len(body), len(fx.files[name]))
			}
			body, c.wantBody = gunzip(t, body), fx.files[name]
		}
		if !bytes.Equal(body, c.wantBody) {
			t.Errorf("GET %s, Accept-Encoding %q: wrong body (%d bytes, want %d)", c.path, c.accept, len(body), len(c.wantBody))
		}
		if cl := r.header.Get("Content-Length"); cl != fmt.Sprint(len(r.body)) {
			t.Errorf("GET %s, Accept-Encoding %q: Content-Length %s for %d bytes", c.path, c.accept, cl, len(r.body))
		}
	}
}

func TestConditionalRequests(t *testing.T) {
	fx := newFixture(t)
	ts := start(t, fx.config())
	for _, c := range []struct{ path, accept string }{
		{"/ui.wasm", ""}, {"/ui.wasm", "gzip"}, {"/engine.wasm", "br"},
		{"/models/base.safetensors", ""}, {"/api/models", ""}, {"/", "gzip"},
	} {
		first := do(t, "GET", ts.URL+c.path, "Accept-Encoding", c.accept)
		etag := first.header.Get("ETag")
		if first.status != 200 || len(etag) < 34 || !strings.HasPrefix(etag, `"`) {
			t.Errorf("GET %s (%q): %d, ETag %q; want 200 and a strong ETag", c.path, c.accept, first.status, etag)
			continue
		}
		again := do(t, "GET", ts.URL+c.path, "Accept-Encoding", c.accept, "If-None-Match", etag)
		if again.status != http.StatusNotModified || len(again.body) != 0 || again.header.Get("ETag") != etag {
			t.Errorf("GET %s If-None-Match %s: %d with %d bytes, ETag %q; want 304, empty, same ETag",
				c.path, etag, again.status, len(again.body), again.header.Get("ETag"))
		}
		if again.header.Get("Content-Security-Policy") == "" {
			t.Errorf("GET %s: 304 without security headers", c.path)
		}
		stale := do(t, "GET", ts.URL+c.path, "Accept-Encoding", c.accept, "If-None-Match", `"0000"`)
		if stale.status != 200 {
			t.Errorf("GET %s with a stale ETag: %d, want 200", c.path, stale.status)
		}
	}
	// Each representation has its own tag: a gzip body must never be
	// revalidated as the identity one.
	id := do(t, "GET", ts.URL+"/ui.wasm").header.Get("ETag")
	gz := do(t, "GET", ts.URL+"/ui.wasm", "Accept-Encoding", "gzip").header.Get("ETag")
	br := do(t, "GET", ts.URL+"/engine.wasm", "Accept-Encoding", "br").header.Get("ETag")
	gzs := do(t, "GET", ts.URL+"/engine.wasm", "Accept-Encoding", "gzip").header.Get("ETag")
	if id == gz || br == gzs {
		t.Errorf("ETags shared between representations: identity %s gzip %s; br %s gzip %s", id, gz, br, gzs)
	}
	if r := do(t, "GET", ts.URL+"/ui.wasm", "If-None-Match", gz); r.status != 200 {
		t.Errorf("identity request with the gzip ETag: %d, want 200", r.status)
	}
}

func TestETagChangesWithContent(t *testing.T) {
	fx := newFixture(t)
	ts := start(t, fx.config())
	before := do(t, "GET", ts.URL+"/app.js").header.Get("ETag")
	write(t, fx.root+"/app.js", []byte("console.log('a new version of the file');\n"))
	after := do(t, "GET", ts.URL+"/app.js")
	if after.header.Get("ETag") == before || string(after.body) != "console.log('a new version of the file');\n" {
		t.Errorf("after a change: ETag %s (before %s), body %q", after.header.Get("ETag"), before, after.body)
	}
	if r := do(t, "GET", ts.URL+"/app.js", "If-None-Match", before); r.status != 200 {
		t.Errorf("old ETag after a change: %d, want 200", r.status)
	}
}

func TestRange(t *testing.T) {
	fx := newFixture(t)
	ts := start(t, fx.config())
	url := ts.URL + "/models/base.safetensors"
	r := do(t, "GET", url, "Range", "bytes=10-19")
	if r.status != http.StatusPartialContent || !bytes.Equal(r.body, fx.model[10:20]) {
		t.Errorf("Range 10-19: %d, %d bytes; want 206 and 10 bytes of the file", r.status, len(r.body))
	}
	if got, want := r.header.Get("Content-Range"), fmt.Sprintf("bytes 10-19/%d", len(fx.model)); got != want {
		t.Errorf("Content-Range %q, want %q", got, want)
	}
	// The 8-byte safetensors header length, as a browser reader asks for it.
	if r := do(t, "GET", url, "Range", "bytes=0-7"); r.status != 206 || !bytes.Equal(r.body, fx.model[:8]) {
		t.Errorf("Range 0-7: %d, %x", r.status, r.body)
	}
	if r := do(t, "GET", url, "Range", "bytes=-5"); r.status != 206 || !bytes.Equal(r.body, fx.model[len(fx.model)-5:]) {
		t.Errorf("suffix range: %d, %x", r.status, r.body)
	}
	r = do(t, "GET", url, "Range", "bytes=200000-")
	if r.status != http.StatusRequestedRangeNotSatisfiable || r.header.Get("Content-Range") != fmt.Sprintf("bytes */%d", len(fx.model)) {
		t.Errorf("Range past the end: %d, Content-Range %q; want 416, bytes */%d", r.status, r.header.Get("Content-Range"), len(fx.model))
	}
	if r := do(t, "GET", url); r.header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("Accept-Ranges %q", r.header.Get("Accept-Ranges"))
	}
	// If-Range with a stale tag gets the whole file, not a spliced one.
	if r := do(t, "GET", url, "Range", "bytes=0-7", "If-Range", `"stale"`); r.status != 200 || len(r.body) != len(fx.model) {
		t.Errorf("stale If-Range: %d, %d bytes; want 200 and the whole file", r.status, len(r.body))
	}
}

func TestHead(t *testing.T) {
	fx := newFixture(t)
	ts := start(t, fx.config())
	for path, size := range map[string]int{
		"/ui.wasm":                 len(fx.files["ui.wasm"]),
		"/models/base.safetensors": len(fx.model),
		"/":                        len(fx.files["index.html"]),
	} {
		r := do(t, "HEAD", ts.URL+path)
		if r.status != 200 || len(r.body) != 0 || r.header.Get("Content-Length") != fmt.Sprint(size) || r.header.Get("ETag") == "" {
			t.Errorf("HEAD %s: %d, body %d bytes, Content-Length %q, ETag %q; want 200, 0, %d, a tag",
				path, r.status, len(r.body), r.header.Get("Content-Length"), r.header.Get("ETag"), size)
		}
	}
}

func TestSecurityHeadersEverywhere(t *testing.T) {
	fx := newFixture(t)
	ts := start(t, fx.config())
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/", 200}, {"GET", "/ui.wasm", 200}, {"GET", "/api/models", 200}, {"GET", "/healthz", 200},
		{"GET", "/nope", 404}, {"GET", "/.hidden", 400}, {"POST", "/", 405}, {"HEAD", "/models/base.safetensors", 200},
	} {
		r := do(t, c.method, ts.URL+c.path)
		if r.status != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, r.status, c.status)
		}
		for k, v := range securityHeaders {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s %s: %s = %q, want %q", c.method, c.path, k, got, v)
			}
		}
	}
	csp := securityHeaders["Content-Security-Policy"]
	for _, want := range []string{"script-src 'self' 'wasm-unsafe-eval';", "connect-src 'self';", "default-src 'none';", "frame-ancestors 'self'",
		"style-src 'self';", "style-src-attr 'unsafe-inline';"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %q", want)
		}
	}
	// 'unsafe-inline' only for style attributes (see securityHeaders).
	if strings.Count(csp, "'unsafe-inline'") != 1 {
		t.Errorf("CSP has 'unsafe-inline' beyond style-src-attr: %s", csp)
	}
	for k, want := range map[string]string{"X-Permitted-Cross-Domain-Policies": "none", "Permissions-Policy": "camera=()"} {
		if !strings.Contains(securityHeaders[k], want) {
			t.Errorf("%s %q, want it to contain %q", k, securityHeaders[k], want)
		}
	}
	for _, banned := range []string{"http:", "https:", "'unsafe-eval'", "*"} {
		if strings.Contains(strings.ReplaceAll(csp, "'wasm-unsafe-eval'", ""), banned) {
			t.Errorf("CSP allows %q: %s", banned, csp)
		}
	}
}

func TestCacheControl(t *testing.T) {
	fx := newFixture(t)
	ts := start(t, fx.config())
	for path, want := range map[string]string{
		"/ui.0123abcd.wasm":        "public, max-age=31536000, immutable",
		"/ui.wasm":                 "no-cache",
		"/":                        "no-cache",
		"/models/base.safetensors": "no-cache",
		"/api/models":              "no-cache",
		"/healthz":                 "no-store",
		"/nope":                    "no-store",
	} {
		if got := do(t, "GET", ts.URL+path).header.Get("Cache-Control"); got != want {
			t.Errorf("GET %s: Cache-Control %q, want %q", path, got, want)
		}
	}
}

func TestMethodsAndBodies(t *testing.T) {
	fx := newFixture(t)
	ts := start(t, fx.config())
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT2"} {
		r := do(t, m, ts.URL+"/index.html")
		if r.status != 405 || r.header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: %d, Allow %q; want 405, \"GET, HEAD\"", m, r.status, r.header.Get("Allow"))
		}
	}
	req, _ := http.NewRequest("GET", ts.URL+"/", strings.NewReader("a body"))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("GET with a body: %d, want 413", resp.StatusCode)
	}
	addr := strings.TrimPrefix(ts.URL, "http://")
	chunked := "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
	if r := rawRequest(t, addr, chunked); r.status != 413 {
		t.Errorf("chunked GET: %d, want 413", r.status)
	}
}

func TestNoDirectoryListings(t *testing.T) {
	fx := newFixture(t)
	ts := start(t, fx.config())
	for _, p := range []string{"/sub", "/sub/", "/models/", "/models", "/api/", "/models/sub/"} {
		r := do(t, "GET", ts.URL+p)
		if r.status != 404 || bytes.Contains(r.body, []byte("file.txt")) {
			t.Errorf("GET %s: %d %q; want 404 and no listing", p, r.status, r.body)
		}
	}
}

func TestHealthz(t *testing.T) {
	ts := start(t, Config{})
	if r := do(t, "GET", ts.URL+"/healthz"); r.status != 200 || string(r.body) != "ok\n" {
		t.Errorf("healthz: %d %q", r.status, r.body)
	}
	if r := do(t, "GET", ts.URL+"/"); r.status != 404 {
		t.Errorf("no asset root: GET / = %d, want 404", r.status)
	}
}

func TestAPIData(t *testing.T) {
	fx := newFixture(t)
	ts := start(t, fx.config())
	if r := do(t, "GET", ts.URL+"/api/data"); r.status != 404 {
		t.Errorf("/api/data without --data: %d, want 404", r.status)
	}
	data := bytes.Repeat([]byte("review,sentiment\n\"good film\",positive\n"), 1000)
	write(t, fx.dir+"/elsewhere/imdb.csv", data)
	symlink(t, fx.dir+"/elsewhere/imdb.csv", fx.dir+"/imdb-link.csv") // a --data symlink is the operator's choice
	cfg := fx.config()
	cfg.DataFile = fx.dir + "/imdb-link.csv"
	ts = start(t, cfg)
	r := do(t, "HEAD", ts.URL+"/api/data")
	if r.status != 200 || r.header.Get("Content-Length") != fmt.Sprint(len(data)) || r.header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Errorf("HEAD /api/data: %d, %q, %q; want 200, %d, text/csv", r.status, r.header.Get("Content-Length"), r.header.Get("Content-Type"), len(data))
	}
	r = do(t, "GET", ts.URL+"/api/data", "Accept-Encoding", "gzip")
	if r.status != 200 || !bytes.Equal(gunzip(t, r.body), data) {
		t.Errorf("GET /api/data gzip: %d", r.status)
	}
	cfg.DataFile = fx.dir + "/missing.csv"
	if _, err := NewHandler(cfg); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing data file: err %v, want one naming the file", err)
	}
}

func TestAPIModels(t *testing.T) {
	fx := newFixture(t)
	ts := start(t, fx.config())
	want := manifestFor("base", "base.safetensors", fx.model)
	if r := do(t, "GET", ts.URL+"/api/models"); r.status != 200 || !bytes.Equal(r.body, want) {
		t.Errorf("/api/models: %d %s, want %s", r.status, r.body, want)
	}
	// No manifest yet: an empty list, not an error.
	ts = start(t, Config{AssetRoot: fx.root, ModelDir: t.TempDir()})
	if r := do(t, "GET", ts.URL+"/api/models"); r.status != 200 || string(r.body) != `{"models":[]}`+"\n" {
		t.Errorf("no manifest: %d %q", r.status, r.body)
	}
	ts = start(t, Config{AssetRoot: fx.root, ModelDir: fx.dir + "/no-such-dir"})
	if r := do(t, "GET", ts.URL+"/api/models"); r.status != 200 || string(r.body) != `{"models":[]}`+"\n" {
		t.Errorf("no model folder: %d %q", r.status, r.body)
	}
}

func TestStaleSiblingIgnored(t *testing.T) {
	fx := newFixture(t)
	ts := start(t, fx.config())
	// Rebuild engine.wasm after its siblings were made: they are stale now.
	old := time.Now().Add(-time.Hour)
	for _, sib := range []string{"engine.wasm.br", "engine.wasm.gz"} {
		if err := os.Chtimes(filepath.Join(fx.root, sib), old, old); err != nil {
			t.Fatal(err)
		}
	}
	r := do(t, "GET", ts.URL+"/engine.wasm", "Accept-Encoding", "br, gzip")
	if r.header.Get("Content-Encoding") != "gzip" || !bytes.Equal(gunzip(t, r.body), fx.files["engine.wasm"]) {
		t.Errorf("stale siblings: Content-Encoding %q; want gzip made from the current file", r.header.Get("Content-Encoding"))
	}
	// Asked for by name: refused, so the page loads engine.wasm instead of
	// the previous build.
	if r := do(t, "GET", ts.URL+"/engine.wasm.br"); r.status != 404 {
		t.Errorf("stale engine.wasm.br by name: %d, want 404", r.status)
	}
}

// TestSiblingByName: load_wasm.js fetches ui.wasm.gz and inflates it. A
// .gz asked for by name is served as it is (application/gzip, never
// re-encoded) if it inflates to its file, whatever the times say (a folder
// copied without them), and is refused (404) if it does not: the page then
// loads the .wasm itself.
func TestSiblingByName(t *testing.T) {
	fx := newFixture(t)
	ts := start(t, fx.config())
	gzPath := filepath.Join(fx.root, "engine.wasm.gz")
	older := time.Now().Add(-time.Hour)
	put := func(b []byte) {
		t.Helper()
		if err := os.WriteFile(gzPath, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(gzPath, older, older); err != nil {
			t.Fatal(err)
		}
	}
	current := gzipped(t, fx.files["engine.wasm"])
	put(current)
	for _, ae := range []string{"", "gzip, br"} {
		r := do(t, "GET", ts.URL+"/engine.wasm.gz", "Accept-Encoding", ae)
		if r.status != 200 || r.header.Get("Content-Type") != "application/gzip" || r.header.Get("Content-Encoding") != "" ||
			!bytes.Equal(r.body, current) {
			t.Errorf("current engine.wasm.gz (Accept-Encoding %q): %d %q %q, %d bytes", ae, r.status,
				r.header.Get("Content-Type"), r.header.Get("Content-Encoding"), len(r.body))
		}
	}
	for name, b := range map[string][]byte{
		"the previous build":      gzipped(t, []byte("the previous engine.wasm")),
		"not gzip":                []byte("GZIP-SIBLING"),
		"cut short (CRC missing)": current[:len(current)-4],
	} {
		put(b)
		if r := do(t, "GET", ts.URL+"/engine.wasm.gz"); r.status != 404 {
			t.Errorf("engine.wasm.gz holding %s: %d, want 404", name, r.status)
		}
	}
}

func TestMemo(t *testing.T) {
	m := newMemo(10)
	calls := 0
	get := func(k string, n int, fail bool) ([]byte, error) {
		return m.get(fileKey{path: k}, func() ([]byte, error) {
			calls++
			if fail {
				return nil, os.ErrInvalid
			}
			return make([]byte, n), nil
		})
	}
	get("a", 4, false)
	get("a", 4, false)
	if calls != 1 {
		t.Errorf("a second get computed again: %d calls", calls)
	}
	if _, err := get("b", 1, true); err == nil {
		t.Error("error not returned")
	}
	get("b", 1, false)
	if calls != 3 {
		t.Errorf("a failed computation was kept: %d calls, want 3", calls)
	}
	get("c", 8, false) // 4+1+8 > 10: forget a and b, keep c
	get("c", 8, false)
	if calls != 4 || m.bytes != 8 || len(m.entries) != 1 {
		t.Errorf("after overflow: %d calls (want 4), %d bytes (want 8), %d entries (want 1)", calls, m.bytes, len(m.entries))
	}
	get("a", 4, false)
	if calls != 5 {
		t.Errorf("a was not forgotten: %d calls, want 5", calls)
	}
}

// TestConcurrentFirstRequests has 32 clients ask for the same new file at
// once, in both encodings: each gets the right bytes (run with -race to
// check the locking of the ETag and gzip memos).
func TestConcurrentFirstRequests(t *testing.T) {
	fx := newFixture(t)
	h, err := NewHandler(fx.config())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()
	var wg sync.WaitGroup
	errs := make(chan string, 32)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			accept := []string{"", "gzip"}[i%2]
			req, _ := http.NewRequest("GET", ts.URL+"/ui.wasm", nil)
			req.Header.Set("Accept-Encoding", accept)
			resp, err := client.Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if accept == "gzip" {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					errs <- "not gzip: " + err.Error()
					return
				}
				body, _ = io.ReadAll(zr)
			}
			if !bytes.Equal(body, fx.files["ui.wasm"]) {
				errs <- fmt.Sprintf("Accept-Encoding %q: wrong body (%d bytes)", accept, len(body))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
