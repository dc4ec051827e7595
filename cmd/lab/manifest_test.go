package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sentilab/core/lab"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/protocol"
)

var tinyCfg = nn.Config{Vocab: 12, Embed: 4, Hidden: 3, MaxLen: 6, Padding: "post", Masking: true, Dropout: 0.2}

// saveTiny writes a real model file of tinyCfg and returns its bytes.
func saveTiny(t *testing.T, path, variant string, acc float64, seed uint64, zeros int, extra ...string) []byte {
	t.Helper()
	m, err := nn.NewModel(tinyCfg)
	if err != nil {
		t.Fatal(err)
	}
	nn.Init(m, seed)
	for i := 0; i < zeros; i++ {
		m.Embedding[i] = 0
	}
	vocab := make([]string, tinyCfg.Vocab)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%d", i)
	}
	meta := modelfile.Meta{Variant: variant, Metrics: map[string]float64{"test_accuracy": acc, "test_loss": 0.3},
		Provenance: modelfile.Provenance{Seed: seed, Command: "test"}, Extra: map[string]string{"preset": "tiny"}}
	for i := 0; i+1 < len(extra); i += 2 {
		meta.Extra[extra[i]] = extra[i+1]
	}
	if err := modelfile.SaveFile(path, m, vocab, meta); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readManifest(t *testing.T, dir string) protocol.Manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		t.Fatal(err)
	}
	var doc protocol.Manifest
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestManifest(t *testing.T) {
	dir, work := t.TempDir(), t.TempDir()
	raws := map[string][]byte{
		"zeta": saveTiny(t, filepath.Join(dir, "zeta.safetensors"), "f16", 0.80, 3, 0,
			keyHistory, `[{"epoch":1,"loss":0.9,"accuracy":0.6}]`, keyConfusion, "[[1,2],[3,4]]"),
		"base":      saveTiny(t, filepath.Join(dir, "base.safetensors"), "base", 0.85, 1, 0),
		"base.int8": saveTiny(t, filepath.Join(dir, "base.int8.safetensors"), "int8", 0.86, 2, 10),
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a model"), 0o644)
	trainJSON := filepath.Join(work, "base.train.json")
	writeJSON(t, trainJSON, protocol.TrainOutput{Model: "/elsewhere/fast.safetensors", TestAccuracy: 0.85, Params: 148, Config: lab.ConfigJSON(tinyCfg),
		Test:    &protocol.Metrics{Accuracy: 0.85, Confusion: [2][2]int{{40, 10}, {5, 45}}},
		History: []protocol.Epoch{{Epoch: 1, Loss: 0.5, Accuracy: 0.7}, {Epoch: 2, Loss: 0.4, Accuracy: 0.8}}, BestEpoch: 1})
	report := filepath.Join(work, "report.json")
	writeJSON(t, report, []protocol.ResultRow{
		{Name: "base", TestAccuracy: 0.85, FileBytes: int64(len(raws["base"])), ReviewsPerSec: 1000, WasmPerSec: 300},
		{Name: "base.int8", TestAccuracy: 0.86, FileBytes: int64(len(raws["base.int8"])), ReviewsPerSec: 2000},
		{Name: "gone", ReviewsPerSec: 1},
	})
	grid := filepath.Join(dir, gridName)
	os.WriteFile(grid, []byte(`{"alpha":0.85,"temperature":1.5,"test_accuracy":0.87,"test_loss":0.3,"seconds":1}
{"alpha":0.5,"temperature":1,"test_accuracy":0.86,"test_loss":0.31,"seconds":1}
{"alpha":0.5,"temperature":1.5,"test_accuracy":0.865,"test_loss":0.3`+"\n"), 0o644) // torn last line: a run killed mid-write

	err := runManifest(context.Background(), []string{"--models", dir, "--report", report, "--train-json", "base=" + trainJSON,
		"--grid-teacher", filepath.Join(dir, "base.safetensors")})
	if err != nil {
		t.Fatal(err)
	}
	doc := readManifest(t, dir)
	var names []string
	for _, m := range doc.Models {
		names = append(names, m.Name)
	}
	if got := strings.Join(names, " "); got != "base base.int8 zeta" {
		t.Fatalf("order %q, want base first, then by name", got)
	}
	for _, m := range doc.Models {
		raw := raws[m.Name]
		sum := sha256.Sum256(raw)
		if m.File != m.Name+".safetensors" || m.Bytes != int64(len(raw)) || m.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: file %s, %d bytes, sha256 %s; want the file's own", m.Name, m.File, m.Bytes, m.SHA256)
		}
		if m.Params != 12*4+4*12+3*12+12+3+1 || m.Config != lab.ConfigJSON(tinyCfg) || m.Preset != "tiny" || len(m.Tensors) != 6 {
			t.Errorf("%s: params %d, config %+v, preset %q, %d tensors", m.Name, m.Params, m.Config, m.Preset, len(m.Tensors))
		}
		if g := m.Metrics["gzip_bytes"]; !(g > 0 && g < float64(m.Bytes)) {
			t.Errorf("%s: gzip_bytes %v", m.Name, g)
		}
	}
	base, int8, zeta := doc.Models[0], doc.Models[1], doc.Models[2]
	// Init leaves the biases zero but for the forget gate's: 3 + 0 of 13.
	if base.NonZero != base.Params-10 || int8.NonZero != base.NonZero-10 {
		t.Errorf("non-zero: int8 %d of %d, base %d of %d", int8.NonZero, int8.Params, base.NonZero, base.Params)
	}
	if int8.Runtime != "int8" || base.Runtime != "float32" || zeta.Runtime != "float32" {
		t.Errorf("runtimes %s %s %s", base.Runtime, int8.Runtime, zeta.Runtime)
	}
	if d := int8.Metrics["accuracy_change"]; d < 0.00999 || d > 0.01001 {
		t.Errorf("int8 accuracy_change %v, want 0.01", d)
	}
	if d := zeta.Metrics["accuracy_change"]; d > -0.04999 || d < -0.05001 {
		t.Errorf("zeta accuracy_change %v, want -0.05", d)
	}
	if base.Metrics["reviews_per_second"] != 1000 || base.Metrics["wasm_reviews_per_second"] != 300 || int8.Metrics["reviews_per_second"] != 2000 {
		t.Errorf("speeds not merged: %v / %v", base.Metrics, int8.Metrics)
	}
	if _, ok := zeta.Metrics["reviews_per_second"]; ok {
		t.Error("zeta has a speed the report did not give")
	}
	if len(base.History) != 2 || base.History[1].Loss != 0.4 || base.BestEpoch != 1 || base.Confusion == nil || base.Confusion[1][1] != 45 {
		t.Errorf("base history %v, confusion %v", base.History, base.Confusion)
	}
	if len(zeta.History) != 1 || zeta.History[0].Loss != 0.9 || zeta.Confusion == nil || *zeta.Confusion != [2][2]int{{1, 2}, {3, 4}} {
		t.Errorf("zeta: history and confusion from its metadata: %v, %v", zeta.History, zeta.Confusion)
	}
	if int8.History != nil || int8.Confusion != nil {
		t.Error("history or confusion on a model no training run wrote")
	}
	if base.Thesis == nil || base.Thesis.Accuracy != "86.43%" || int8.Thesis == nil || int8.Thesis.Size != "2,644 KB" || zeta.Thesis == nil {
		t.Errorf("thesis rows: %+v %+v %+v", base.Thesis, int8.Thesis, zeta.Thesis)
	}
	g := doc.DistillGrid
	if g == nil || len(g.Cells) != 2 || fmt.Sprint(g.Alphas) != "[0.5 0.85]" || fmt.Sprint(g.Temperatures) != "[1 1.5]" ||
		g.Source != gridName || g.Teacher == nil || g.Teacher.File != "base.safetensors" || g.Teacher.TestAccuracy != 0.85 {
		t.Errorf("grid %+v", g)
	}
}

func TestManifestRefuses(t *testing.T) {
	dir, work := t.TempDir(), t.TempDir()
	raw := saveTiny(t, filepath.Join(dir, "base.safetensors"), "base", 0.85, 1, 0)
	run := func(args ...string) error {
		return runManifest(context.Background(), append([]string{"--models", dir}, args...))
	}
	stale := filepath.Join(work, "stale.json")
	writeJSON(t, stale, []protocol.ResultRow{{Name: "base", TestAccuracy: 0.85, FileBytes: int64(len(raw)) + 1}})
	otherAcc := filepath.Join(work, "acc.json")
	writeJSON(t, otherAcc, []protocol.ResultRow{{Name: "base", TestAccuracy: 0.5, FileBytes: int64(len(raw))}})
	foreign := filepath.Join(work, "train.json")
	writeJSON(t, foreign, protocol.TrainOutput{Model: "other.safetensors", Params: 148, Config: lab.ConfigJSON(tinyCfg)})
	bigger := filepath.Join(work, "bigger.json")
	writeJSON(t, bigger, protocol.TrainOutput{Model: "other.safetensors", Params: 2691713, Config: lab.ConfigJSON(tinyCfg)})
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--report", stale}, fmt.Sprintf("file_bytes %d, the file has %d now", len(raw)+1, len(raw))},
		{[]string{"--report", otherAcc}, "test_accuracy 0.500000, the file's is 0.850000"},
		{[]string{"--train-json", foreign}, "it trained other.safetensors, which is not in the model folder (renamed? pass NAME="},
		{[]string{"--train-json", "nope=" + foreign}, "no model nope.safetensors in the folder"},
		{[]string{"--train-json", "base=" + bigger}, "a model of 2691713 parameters"},
		{[]string{"--grid-teacher", filepath.Join(dir, "base.safetensors")}, "--grid-teacher without a grid"},
	} {
		if err := run(c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err %v, want %q", c.args, err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, manifestName)); err == nil {
		t.Error("a refused run wrote a manifest")
	}

	// A name the server would not serve is refused before anything is written.
	os.WriteFile(filepath.Join(dir, "a+b.safetensors"), raw, 0o644)
	if err := run(); err == nil || !strings.Contains(err.Error(), "a+b.safetensors: the server serves only plain names") {
		t.Errorf("a+b: err %v", err)
	}
	os.Remove(filepath.Join(dir, "a+b.safetensors"))

	// A damaged model file is named.
	os.WriteFile(filepath.Join(dir, "bad.safetensors"), raw[:len(raw)/2], 0o644)
	if err := run(); err == nil || !strings.Contains(err.Error(), "bad.safetensors") {
		t.Errorf("damaged file: err %v", err)
	}
	if err := run("--models", t.TempDir()); err == nil || !strings.Contains(err.Error(), "no *.safetensors files") {
		t.Errorf("empty folder: err %v", err)
	}
}
