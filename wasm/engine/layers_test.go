package main

import (
	"context"
	"errors"
	"os"
	"testing"

	"sentilab/core/layers"
	"sentilab/internal/testenv"
	"sentilab/protocol"
)

// The engine's layer requests on the shipped base, its int8 file and 600
// real reviews: the sensitivity of lstm.kernel equals the score of the
// selective variant that quantizes only lstm.kernel, evaluated on the same
// reviews; histograms count every weight; the diff is core/layers'.
func TestLayersRequests(t *testing.T) {
	raw, err := os.ReadFile(testenv.DataPath(t))
	if err != nil {
		t.Fatal(err)
	}
	base, err1 := os.ReadFile("../../assets/models/base.safetensors")
	i8, err2 := os.ReadFile("../../assets/models/base.int8.safetensors")
	if err1 != nil || err2 != nil {
		t.Skip("no shipped models:", err1, err2)
	}
	e := NewEngine()
	call(t, e, "loadData", map[string]any{"name": "imdb.csv.gz", "limit": 600}, raw)
	call(t, e, "importModel", map[string]any{"name": "base"}, base)
	call(t, e, "importModel", map[string]any{"name": "base.int8"}, i8)

	res, _ := call(t, e, "layers", protocol.LayersRequest{Variant: "base", Sensitivity: true, Reviews: 100}, nil)
	lr := res.(*protocol.LayersResult)
	if lr.Table == nil || lr.Table.N != 100 || len(lr.Stats) != 6 || lr.Stats[0].Name != "embedding.weight" || lr.Data == "" {
		t.Fatalf("layers: %+v", lr)
	}
	res, _ = call(t, e, "compress", protocol.CompressRequest{Variant: "base", Method: "selective", Name: "only-kernel",
		KeepFloat: []string{"embedding.weight", "lstm.recurrent", "dense.weight"}}, nil)
	if info := res.(*protocol.CompressResult).Info; info.Runtime != "float32" || info.Storage != "int8" {
		t.Errorf("selective variant %+v", info)
	}
	res, _ = call(t, e, "layers", protocol.LayersRequest{Variant: "only-kernel", Sensitivity: true, Reviews: 100}, nil)
	sel := res.(*protocol.LayersResult).Table
	k := lr.Table.Rows[1]
	if k.Name != "lstm.kernel" || k.Int8Accuracy != sel.Accuracy || k.Int8Loss != sel.Loss {
		t.Errorf("lstm.kernel int8 only: %v / %v; the selective variant on the same reviews: %v / %v", k.Int8Accuracy, k.Int8Loss, sel.Accuracy, sel.Loss)
	}

	res, _ = call(t, e, "histograms", protocol.HistogramsRequest{A: "base", B: "base.int8", Bins: 30}, nil)
	for _, h := range res.(*protocol.HistogramsResult).Histograms {
		for v := range 2 {
			n := 0
			for _, c := range h.Counts[v] {
				n += c
			}
			if n != h.Sizes[v] || len(h.Counts[v]) != 30 {
				t.Errorf("%s: %d counted of %d", h.Name, n, h.Sizes[v])
			}
		}
	}
	res, _ = call(t, e, "diff", protocol.DiffRequest{A: "base", B: "base.int8"}, nil)
	d := res.(*protocol.DiffResult).Changes
	va, _ := e.variant("base")
	vb, _ := e.variant("base.int8")
	want, _ := layers.Diff(va.Model, vb.Model)
	for i := range want {
		if d[i] != want[i] {
			t.Errorf("diff %+v, want %+v", d[i], want[i])
		}
	}
	if d[3].Changed != 0 || d[0].Share < 0.9 {
		t.Errorf("base → base.int8: bias changed %d, embedding share %v", d[3].Changed, d[0].Share)
	}
	if _, _, err := e.Handle(t.Context(), "layers", []byte(`{"variant":"base","reviews":-1,"sensitivity":true}`), nil, func(any) {}); err == nil {
		t.Error("-1 reviews accepted")
	}
	// Cancel: the request stops at its first progress report.
	ctx, cancel := context.WithCancel(t.Context())
	reports := 0
	_, _, err = e.Handle(ctx, "layers", []byte(`{"variant":"base","reviews":100,"sensitivity":true}`), nil, func(p any) {
		if cp, ok := p.(protocol.CountProgress); ok && cp.Phase == protocol.PhaseEvaluate {
			reports++
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || reports == 0 || reports > 3 {
		t.Errorf("cancelled layers request: %v after %d progress reports", err, reports)
	}
}
