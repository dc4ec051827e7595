package main

import (
	"encoding/json"
	"os"
	"testing"

	"sentilab/internal/testenv"
	"sentilab/protocol"
)

// classJobRun is one α×T cell of a class on 400 real reviews: train the
// classroom model 1 epoch, distill it 1 epoch at α 0.5, T 2.
var classJobRun = protocol.LabRun{Dataset: "imdb-50k", Rows: 400, Seed: 7, Workers: 1, Kernel: protocol.KernelPortable,
	Train:    protocol.TrainRequest{Preset: "classroom", Epochs: 1},
	Compress: &protocol.CompressRequest{Method: "distill", Alpha: 0.5, T: 2, Epochs: 1}}

// classJobHash is classJobRun's output weights' SHA-256. The test runs
// natively and as WebAssembly (build.sh's wasm tests): both must give it,
// which is what lets a spot check compare two students' browsers.
const classJobHash = "bf5d906e37f4f53d7b7263fc17070059e9d7341a2ba0146deeaf9f6a72604a6f"

func TestClassJobHash(t *testing.T) {
	raw, err := os.ReadFile(testenv.DataPath(t))
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine()
	call(t, e, "loadData", map[string]any{"name": "imdb.csv.gz", "limit": classJobRun.Rows}, raw)
	res, file := call(t, e, protocol.TypeClassJob, classJobRun, nil)
	r := res.(*protocol.ClassJobResult)
	if r.Hash != classJobHash {
		t.Errorf("hash %s, want %s", r.Hash, classJobHash)
	}
	if r.TestN != 80 || !(r.Accuracy > 0.3 && r.Accuracy < 0.8) || len(r.History) != 1 {
		t.Errorf("result %+v: want 80 test reviews, an accuracy near chance after 1 epoch, 1 epoch of history", r)
	}
	// A second cell reuses the teacher; the same cell again gives the same bits.
	res, _ = call(t, e, protocol.TypeClassJob, classJobRun, nil)
	if h := res.(*protocol.ClassJobResult).Hash; h != classJobHash {
		t.Errorf("the same job again: hash %s, want %s", h, classJobHash)
	}
	other := classJobRun
	other.Compress = &protocol.CompressRequest{Method: "distill", Alpha: 0.9, T: 2, Epochs: 1}
	res, _ = call(t, e, protocol.TypeClassJob, other, nil)
	if h := res.(*protocol.ClassJobResult).Hash; h == classJobHash {
		t.Errorf("α 0.9 gave α 0.5's hash %s", h)
	}
	if got, _ := e.variant(classJob); got != nil {
		t.Errorf("the job's variant is kept: %s", got.Name)
	}
	// The job's model file, imported, is the model that was hashed.
	res, _ = call(t, e, "importModel", map[string]any{"name": "imported"}, file)
	imp, err := e.variant(res.(*protocol.VariantInfo).Name)
	if err != nil || WeightsSHA256(imp.Model) != classJobHash {
		t.Errorf("the job's file (%d bytes) imports as weights %v, want the job's hash", len(file), err)
	}
}

// A job refuses data it was not made for.
func TestClassJobRefusesOtherData(t *testing.T) {
	e := NewEngine()
	call(t, e, "loadData", map[string]any{"name": "toy.csv"}, testenv.ToyCSV(300, 1))
	run := classJobRun
	run.Rows = 0
	run.DataHash = "0000000000000000000000000000000000000000000000000000000000000000"
	if _, _, err := e.Handle(t.Context(), protocol.TypeClassJob, mustJSON(t, run), nil, func(any) {}); err == nil {
		t.Fatal("a job with another data hash ran")
	}
	run.DataHash, run.Rows = "", 400
	if _, _, err := e.Handle(t.Context(), protocol.TypeClassJob, mustJSON(t, run), nil, func(any) {}); err == nil {
		t.Fatal("a job for 400 rows ran on 300")
	}
	run.Rows, run.Kernel = 0, "simd128"
	if _, _, err := e.Handle(t.Context(), protocol.TypeClassJob, mustJSON(t, run), nil, func(any) {}); err == nil {
		t.Fatal("a job with a non-portable kernel ran")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
