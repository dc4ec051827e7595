package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
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
