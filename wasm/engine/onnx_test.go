package main

import (
	"bytes"
	"os"
	"reflect"
	"testing"

	"sentilab/core/modelfile"
	"sentilab/core/onnx"
	"sentilab/protocol"
)

// lab export's bytes for a model file: cmd/lab/export.go's path.
func labExport(t *testing.T, file []byte) *onnx.Model {
	t.Helper()
	ld, err := modelfile.Load(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnx.FromLoaded(ld)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestExportONNXIsLabExport imports shipped model files (a float sparse
// one, two int8 ones) and checks that exportONNX gives exactly the bytes
// `lab export` writes for the model file the engine exports, and the same
// graph (every node and initializer) `lab export` writes for the shipped
// file itself; only metadata_props may differ, since the engine's file
// records fewer metrics.
func TestExportONNXIsLabExport(t *testing.T) {
	for _, c := range []struct{ file, weights string }{
		{"base.prune.safetensors", "float32"},
		{"base.int8.safetensors", "int8"},
		{"base.prune-distill-prune-int8.safetensors", "int8"},
	} {
		orig, err := os.ReadFile("../../assets/models/" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		e := NewEngine()
		call(t, e, "importModel", map[string]any{"name": "m"}, orig)
		res, got := call(t, e, "exportONNX", map[string]any{"variant": "m"}, nil)
		r := res.(*protocol.ExportONNXResult)
		if r.Name != "m" || r.Filename != "sentilab-m.onnx" || r.Size != len(got) || r.Weights != c.weights {
			t.Errorf("%s: result %+v for %d bytes, want weights %s", c.file, r, len(got), c.weights)
		}
		_, file := call(t, e, "exportModel", map[string]any{"variant": "m"}, nil)
		if want := labExport(t, file).Marshal(); !bytes.Equal(got, want) {
			t.Errorf("%s: exportONNX gave %d bytes, lab export of the engine's model file %d, not the same", c.file, len(got), len(want))
		}
		a, b := labExport(t, orig), labExport(t, file)
		if !reflect.DeepEqual(a.Graph, b.Graph) {
			t.Errorf("%s: the engine's graph differs from lab export's for the shipped file", c.file)
		}
		if len(a.Graph.Nodes) == 0 || len(a.Graph.Initializers) == 0 {
			t.Errorf("%s: empty graph", c.file)
		}
	}
	if _, _, err := NewEngine().exportONNX("none"); err == nil {
		t.Error("exportONNX of no variant: no error")
	}
}
