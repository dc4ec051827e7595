package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sentilab/core/nn"
)

// The ONNX files' numbers are checked in ONNX Runtime by tests/onnx/run.sh;
// here: the command picks the right export per variant and refuses bad flags.
func TestExportPicksRuntimePerVariant(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		model string
		int8  bool
	}{
		{"base.int8", true},
		{"base.prune-distill-prune-int8", true}, // sparse int8
		{"base.f16", false},
		{"base.prune", false}, // sparse float
	} {
		src := filepath.Join("..", "..", "assets", "models", c.model+".safetensors")
		if _, err := os.Stat(src); err != nil {
			t.Fatalf("%s: %v (shipped with the repository)", src, err)
		}
		out := filepath.Join(dir, c.model+".onnx")
		if err := runExport(context.Background(), []string{"--model", src, "--out", out}); err != nil {
			t.Fatalf("%s: %v", c.model, err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"LSTM", "sentilab.vocab", "sentilab.metric.test_accuracy"} {
			if !bytes.Contains(b, []byte(s)) {
				t.Errorf("%s: no %q in the file", c.model, s)
			}
		}
		if got := bytes.Contains(b, []byte("DequantizeLinear")); got != c.int8 {
			t.Errorf("%s: DequantizeLinear present %v, want %v", c.model, got, c.int8)
		}
		if got := bytes.Contains(b, []byte("lstm.W.q")); got != c.int8 {
			t.Errorf("%s: int8 LSTM weights present %v, want %v", c.model, got, c.int8)
		}
	}
}

func TestExportRefusesBadFlags(t *testing.T) {
	src := filepath.Join("..", "..", "assets", "models", "base.int8.safetensors")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--model", src, "--format", "tflite", "--out", "x"}, `--format "tflite": want onnx`},
		{[]string{"--model", src}, "no output: pass --out FILE.onnx"},
		{[]string{"--out", "x.onnx"}, "no model: pass --model FILE"},
	} {
		err := runExport(context.Background(), c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("lab export %q: %v, want %q", c.args, err, c.want)
		}
	}
}

func TestEdgeRows(t *testing.T) {
	c := nn.Config{Vocab: 50, MaxLen: 6}
	first := []int32{5, 6, 7, 8, 9, 10}
	rows := edgeRows(c, append(first, 11, 12, 13, 14, 15, 16))
	want := []int32{
		0, 0, 0, 0, 0, 0, // all padding
		5, 0, 7, 8, 0, 10, // holes
		50, 6, -1, 8, 54, 10, // outside [0, vocab)
	}
	if len(rows) != len(want) {
		t.Fatalf("%d tokens, want %d", len(rows), len(want))
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Fatalf("edge rows %v, want %v", rows, want)
		}
	}
}
