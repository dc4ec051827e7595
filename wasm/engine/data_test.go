package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"sentilab/protocol"
)

// A bomb dropped on the page gets the reader's error, not a dead worker;
// the page's limits apply; the load reports the data's warnings.
func TestLoadDataLimits(t *testing.T) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write([]byte("review,sentiment\n"))
	zw.Write(bytes.Repeat([]byte("a,positive\n"), 4<<20)) // 46 MB in 90 KB
	zw.Close()
	e := NewEngine()
	load := func(req map[string]any, buf []byte) (any, error) {
		p, _ := json.Marshal(req)
		res, _, err := e.Handle(context.Background(), "loadData", p, buf, func(any) {})
		return res, err
	}
	if _, err := load(map[string]any{"name": "bomb.csv.gz"}, bomb.Bytes()); err == nil ||
		!strings.Contains(err.Error(), "bomb.csv.gz: compressed data expands more than 100 times") {
		t.Fatalf("bomb: got %v", err)
	}
	small := []byte("review,sentiment\ngood,positive\ngood,negative\nbad,negative\n")
	if _, err := load(map[string]any{"name": "s.csv", "maxRows": 2}, small); err == nil ||
		!strings.Contains(err.Error(), "s.csv:4: more than 2 reviews, the --max-rows limit") {
		t.Fatalf("maxRows 2: got %v", err)
	}
	res, err := load(map[string]any{"name": "s.csv"}, small)
	if err != nil {
		t.Fatal(err)
	}
	ld := res.(*protocol.LoadDataResult)
	if ld.Hygiene.ContradictoryTexts != 1 || len(ld.Warnings) != 2 || !strings.Contains(ld.Warnings[0], "both labels") {
		t.Fatalf("hygiene %+v, warnings %q", ld.Hygiene, ld.Warnings)
	}
}

// chunked is a download as the worker's fetch gives it (main_js.go's
// jsBody): a few bytes at a time; closed records whether the engine
// closed it (a refused file's download stops there).
type chunked struct {
	r      *bytes.Reader
	read   int
	closed bool
}

func (c *chunked) Read(p []byte) (int, error) {
	n, err := c.r.Read(p[:min(len(p), 7)])
	c.read += n
	return n, err
}

func (c *chunked) Close() error { c.closed = true; return nil }

// A URL's body is read as a stream, with or without a known length, and a
// file over a limit stops the download where the limit is passed.
func TestLoadDataStreamsTheDownload(t *testing.T) {
	small := []byte("review,sentiment\ngood film,positive\nawful film,negative\nfine,positive\n")
	var bodies []*chunked
	e := NewEngine()
	e.Fetch = func(url string) (io.ReadCloser, int64, error) {
		if url != "/api/data" {
			return nil, 0, errors.New("fetch " + url + ": HTTP 404 Not Found")
		}
		c := &chunked{r: bytes.NewReader(small)}
		bodies = append(bodies, c)
		size := int64(len(small))
		if len(bodies) == 2 {
			size = -1 // sent compressed: its length is unknown
		}
		return c, size, nil
	}
	for i, wantTotal := range []int{len(small), 0} {
		var totals []int
		p, _ := json.Marshal(map[string]any{"url": "/api/data"})
		res, _, err := e.Handle(context.Background(), "loadData", p, nil, func(m any) {
			if r, ok := m.(protocol.ReadProgress); ok {
				totals = append(totals, r.Total)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if ld := res.(*protocol.LoadDataResult); ld.Rows != 3 || ld.Name != "/api/data" || !bodies[i].closed {
			t.Fatalf("load %d: %+v, body closed %v", i, ld, bodies[i].closed)
		}
		if len(totals) == 0 || totals[0] != wantTotal {
			t.Fatalf("load %d: progress totals %v, want %d", i, totals, wantTotal)
		}
	}
	p, _ := json.Marshal(map[string]any{"url": "/api/data", "maxBytes": 20})
	if _, _, err := e.Handle(context.Background(), "loadData", p, nil, func(any) {}); err == nil ||
		!strings.Contains(err.Error(), "/api/data: input longer than 20 bytes") {
		t.Fatalf("over maxBytes: %v", err)
	}
	if c := bodies[2]; !c.closed || c.read >= len(small) {
		t.Fatalf("over the limit: %d of %d bytes read, closed %v", c.read, len(small), c.closed)
	}
	p, _ = json.Marshal(map[string]any{"url": "/nope"})
	if _, _, err := e.Handle(context.Background(), "loadData", p, nil, func(any) {}); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Fatalf("a 404: %v", err)
	}
}

// A model file fetched by URL comes whole, in one buffer of its size; a
// body shorter than announced or over the bound is refused.
func TestFetchAll(t *testing.T) {
	file := bytes.Repeat([]byte("model"), 1000)
	serve := func(body []byte, size int64) func(string) (io.ReadCloser, int64, error) {
		return func(string) (io.ReadCloser, int64, error) { return &chunked{r: bytes.NewReader(body)}, size, nil }
	}
	for _, size := range []int64{int64(len(file)), -1} {
		b, err := fetchAll(serve(file, size), "m.safetensors")
		if err != nil || !bytes.Equal(b, file) || (size > 0 && cap(b) != len(file)) {
			t.Fatalf("size %d: %d bytes (cap %d), %v", size, len(b), cap(b), err)
		}
	}
	if _, err := fetchAll(serve(file[:10], int64(len(file))), "m.safetensors"); err == nil || !strings.Contains(err.Error(), "5000 bytes announced") {
		t.Fatalf("short body: %v", err)
	}
	if _, err := fetchAll(serve(nil, maxModelFetch+1), "m.safetensors"); err == nil || !strings.Contains(err.Error(), "more than a model file's") {
		t.Fatalf("over the bound: %v", err)
	}
}
