package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"sentilab/protocol"
)

// The out-of-domain dataset is served at /api/data-ood exactly as the
// lab's own at /api/data (headers, gzip), and both are listed at
// /api/datasets.
func TestAPIDataOOD(t *testing.T) {
	fx := newFixture(t)
	ts := start(t, fx.config())
	if r := do(t, "GET", ts.URL+"/api/data-ood"); r.status != 404 {
		t.Errorf("/api/data-ood without --data-ood: %d, want 404", r.status)
	}
	if r := do(t, "GET", ts.URL+"/api/datasets"); r.status != 200 || string(r.body) != `{"datasets":[]}`+"\n" || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("/api/datasets with none: %d %q %q", r.status, r.body, r.header.Get("Content-Type"))
	}
	imdb := bytes.Repeat([]byte("review,sentiment\n\"good film\",positive\n"), 1000)
	rt := bytes.Repeat([]byte("review,sentiment\n\"a dull one\",negative\n"), 500)
	write(t, fx.dir+"/elsewhere/imdb.csv", imdb)
	write(t, fx.dir+"/shared/rt-polarity.csv", rt)
	symlink(t, fx.dir+"/shared/rt-polarity.csv", fx.dir+"/rt-link.csv") // a symlink is the operator's choice
	cfg := fx.config()
	cfg.DataFile, cfg.OODFile = fx.dir+"/elsewhere/imdb.csv", fx.dir+"/rt-link.csv"
	ts = start(t, cfg)
	for _, c := range []struct {
		path string
		body []byte
	}{{"/api/data", imdb}, {"/api/data-ood", rt}} {
		r := do(t, "HEAD", ts.URL+c.path)
		if r.status != 200 || r.header.Get("Content-Length") != fmt.Sprint(len(c.body)) || r.header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			r.header.Get("Content-Security-Policy") == "" || r.header.Get("ETag") == "" {
			t.Errorf("HEAD %s: %d, %v", c.path, r.status, r.header)
		}
		r = do(t, "GET", ts.URL+c.path, "Accept-Encoding", "gzip")
		if r.status != 200 || r.header.Get("Content-Encoding") != "gzip" || !bytes.Equal(gunzip(t, r.body), c.body) {
			t.Errorf("GET %s gzip: %d %q", c.path, r.status, r.header.Get("Content-Encoding"))
		}
	}
	r := do(t, "GET", ts.URL+"/api/datasets")
	var doc protocol.Datasets
	if err := protocol.Decode("/api/datasets", r.body, &doc); err != nil {
		t.Fatal(err)
	}
	want := []protocol.Dataset{{Name: "imdb.csv", URL: "api/data", Role: protocol.RoleTrain, Bytes: int64(len(imdb))},
		{Name: "rt-polarity.csv", URL: "api/data-ood", Role: protocol.RoleOOD, Bytes: int64(len(rt))}}
	if fmt.Sprint(doc.Datasets) != fmt.Sprint(want) {
		t.Errorf("/api/datasets: %+v, want %+v", doc.Datasets, want)
	}
	// Only the second dataset: /api/data stays 404.
	cfg.DataFile = ""
	ts = start(t, cfg)
	if r := do(t, "GET", ts.URL+"/api/data"); r.status != 404 {
		t.Errorf("/api/data without --data: %d", r.status)
	}
	if r := do(t, "GET", ts.URL+"/api/datasets"); !strings.Contains(string(r.body), `"role":"ood"`) || strings.Contains(string(r.body), `"role":"train"`) {
		t.Errorf("/api/datasets: %s", r.body)
	}
	cfg.OODFile = fx.dir + "/missing-rt.csv"
	if _, err := NewHandler(cfg); err == nil || !strings.Contains(err.Error(), "missing-rt.csv") || !strings.Contains(err.Error(), "out-of-domain") {
		t.Errorf("missing --data-ood file: err %v, want one naming it", err)
	}
	cfg.OODFile = fx.dir + "/elsewhere"
	if _, err := NewHandler(cfg); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a folder as --data-ood: err %v", err)
	}
}
