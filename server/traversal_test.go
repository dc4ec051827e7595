package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestTraversalRefused sends every way out of the root we know of, as raw
// request lines, and checks that each is refused (400 or 404; Go's own
// parser may also answer 400) and that no answer carries the secret file.
func TestTraversalRefused(t *testing.T) {
	fx := newFixture(t)
	cfg := fx.config()
	write(t, fx.dir+"/data/imdb.csv", []byte("review,sentiment\n"))
	cfg.DataFile = fx.dir + "/data/imdb.csv"
	ts := start(t, cfg)
	addr := strings.TrimPrefix(ts.URL, "http://")
	secretAbs := filepath.Join(fx.outside, "secret.txt")
	targets := []string{
		"/../outside/secret.txt",
		"/../../../../../../etc/passwd",
		"/models/../../outside/secret.txt",
		"/models/../outside/secret.txt",
		"/sub/../../outside/secret.txt",
		"/./index.html",
		"/%2e%2e/outside/secret.txt",
		"/%2E%2E/outside/secret.txt",
		"/.%2e/outside/secret.txt",
		"/%2e%2e%2foutside%2fsecret.txt",
		"/..%2foutside%2fsecret.txt",
		"/..%2Foutside/secret.txt",
		"/%252e%252e/outside/secret.txt", // double encoding
		"/..%5coutside%5csecret.txt",
		"/..%5Coutside/secret.txt",
		"/..\\outside\\secret.txt",
		"/\\..\\outside\\secret.txt",
		"/sub\\..\\..\\outside\\secret.txt",
		"//" + strings.TrimPrefix(secretAbs, "/"),
		secretAbs, // an absolute path is a path below the root: 404
		"/" + secretAbs,
		"/%2f" + strings.TrimPrefix(secretAbs, "/"),
		"C:\\Windows\\win.ini",
		"/C:/Windows/win.ini",
		"/index.html%00.txt",
		"/%00",
		"/escape",             // symlink to ../outside/secret.txt
		"/dirlink/secret.txt", // symlink to ../outside, then a file in it
		"/dirlink/",           // ... or its listing
		"/models/escape.safetensors",
		"/.hidden",
		"/.git/config",
		"/sub/.",
		"/sub/..",
		"http://127.0.0.1/../outside/secret.txt", // absolute-form request target
		"http://127.0.0.1/%2e%2e/outside/secret.txt",
		"*",
		"/api/data/../../outside/secret.txt",
		"/api/models/../../outside/secret.txt",
	}
	for _, target := range targets {
		r := raw(t, addr, "GET "+target+" HTTP/1.1")
		if r.status != 400 && r.status != 404 {
			t.Errorf("GET %s: status %d, want 400 or 404", target, r.status)
		}
		if bytes.Contains(r.body, []byte(secretMarker)) || bytes.Contains(r.body, []byte("root:")) {
			t.Errorf("GET %s: the answer leaks a file outside the root:\n%s", target, r.body)
		}
		if bytes.Contains(r.body, []byte("outside")) || bytes.Contains(r.body, []byte("secret")) {
			t.Errorf("GET %s: the answer reflects the path:\n%s", target, r.body)
		}
	}
	// A symlink that stays inside the root is fine: the rule is about
	// where a name ends up, not about links as such.
	if r := raw(t, addr, "GET /inlink HTTP/1.1"); r.status != 200 || !bytes.Contains(r.body, fx.files["index.html"]) {
		t.Errorf("GET /inlink (inside the root): %d, want 200 and index.html", r.status)
	}
}

func TestCleanPath(t *testing.T) {
	for _, c := range []struct {
		in    string
		rel   string
		isDir bool
		ok    bool
	}{
		{"/", "", true, true},
		{"/index.html", "index.html", false, true},
		{"/models/base.int8.safetensors", "models/base.int8.safetensors", false, true},
		{"/sub/", "sub", true, true},
		{"/a-b_c~d.js", "a-b_c~d.js", false, true},
		{"", "", false, false},
		{"index.html", "", false, false},
		{"//", "", false, false},
		{"/a//b", "", false, false},
		{"/..", "", false, false},
		{"/a/../b", "", false, false},
		{"/a/./b", "", false, false},
		{"/.env", "", false, false},
		{"/a/.git/config", "", false, false},
		{"/%2e%2e", "", false, false},
		{"/a%2fb", "", false, false},
		{"/a\\b", "", false, false},
		{"/a\x00b", "", false, false},
		{"/C:/x", "", false, false},
		{"/a b", "", false, false},
		{"/é", "", false, false},
		{"/" + strings.Repeat("a", maxPathLen), "", false, false},
	} {
		rel, isDir, err := cleanPath(c.in)
		if (err == nil) != c.ok || rel != c.rel || isDir != c.isDir {
			t.Errorf("cleanPath(%q) = %q, %v, %v; want %q, %v, ok=%v", c.in, rel, isDir, err, c.rel, c.isDir, c.ok)
		}
	}
}
