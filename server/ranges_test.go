package main

import (
	"bytes"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
)

// TestZeroSuffixRange: "bytes=-0" selects nothing, so it is a 416 with
// "Content-Range: bytes */size" (RFC 9110 §14.1.1), for every kind of body
// (model file, gzip made here, precompressed sibling, in-memory manifest);
// beside a good range it is ignored; an empty file ignores ranges (200).
// Before: 206 with "Content-Range: bytes 100000-99999/100000" (and 206
// "bytes 0--1/0" for "bytes=-5" on an empty file).
func TestZeroSuffixRange(t *testing.T) {
	fx := newFixture(t)
	write(t, filepath.Join(fx.root, "empty.txt"), nil)
	ts := start(t, fx.config())
	manifest := do(t, "GET", ts.URL+"/api/models").body
	gz := do(t, "GET", ts.URL+"/ui.wasm", "Accept-Encoding", "gzip").body
	for _, c := range []struct {
		path, accept string
		size         int
	}{
		{"/models/base.safetensors", "", len(fx.model)},
		{"/ui.wasm", "", len(fx.files["ui.wasm"])},
		{"/ui.wasm", "gzip", len(gz)},
		{"/engine.wasm", "br", len("BROTLI-SIBLING")},
		{"/api/models", "", len(manifest)},
	} {
		for _, rng := range []string{"bytes=-0", "bytes= -0 ", "bytes=-00", "bytes=-0,-0"} {
			r := do(t, "GET", ts.URL+c.path, "Accept-Encoding", c.accept, "Range", rng)
			want := fmt.Sprintf("bytes */%d", c.size)
			if r.status != http.StatusRequestedRangeNotSatisfiable || r.header.Get("Content-Range") != want {
				t.Errorf("GET %s (%q), Range %q: %d, Content-Range %q; want 416, %q",
					c.path, c.accept, rng, r.status, r.header.Get("Content-Range"), want)
			}
		}
	}
	url := ts.URL + "/models/base.safetensors"
	r := do(t, "GET", url, "Range", "bytes=-0,10-19")
	if r.status != 206 || !bytes.Equal(r.body, fx.model[10:20]) || r.header.Get("Content-Range") != fmt.Sprintf("bytes 10-19/%d", len(fx.model)) {
		t.Errorf("Range -0,10-19: %d, Content-Range %q, %d bytes; want 206 with bytes 10-19 only",
			r.status, r.header.Get("Content-Range"), len(r.body))
	}
	if r := do(t, "GET", url, "Range", "bytes=-1"); r.status != 206 || !bytes.Equal(r.body, fx.model[len(fx.model)-1:]) {
		t.Errorf("Range -1: %d, %x; want 206 and the last byte", r.status, r.body)
	}
	for _, rng := range []string{"bytes=-5", "bytes=-0", "bytes=0-"} {
		r := do(t, "GET", ts.URL+"/empty.txt", "Range", rng)
		if r.status != 200 || len(r.body) != 0 || r.header.Get("Content-Range") != "" {
			t.Errorf("empty file, Range %q: %d, Content-Range %q, %d bytes; want 200, none, empty", rng, r.status, r.header.Get("Content-Range"), len(r.body))
		}
	}
	// The conditionals still come first: a matching If-None-Match is a 304.
	etag := do(t, "GET", url).header.Get("ETag")
	if r := do(t, "GET", url, "Range", "bytes=-0", "If-None-Match", etag); r.status != http.StatusNotModified {
		t.Errorf("Range -0 with a matching If-None-Match: %d, want 304", r.status)
	}
}

func TestFixZeroRanges(t *testing.T) {
	for _, c := range []struct {
		in   string
		size int64
		want string
		ok   bool
	}{
		{"bytes=-0", 100, "bytes=100-", true},
		{"bytes=0-9,-0", 100, "bytes=0-9,100-", true},
		{"bytes=-0", 0, "bytes=0-", true},
		{"bytes=-5", 0, "bytes=0-", true},
		{"bytes=-5", 100, "bytes=-5", false},
		{"bytes=0-0", 100, "bytes=0-0", false},
		{"bytes=--1", 100, "bytes=--1", false},
		{"items=-0", 100, "items=-0", false},
	} {
		got, ok := fixZeroRanges(c.in, c.size)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("fixZeroRanges(%q, %d) = %q, %v; want %q, %v", c.in, c.size, got, ok, c.want, c.ok)
		}
	}
}
