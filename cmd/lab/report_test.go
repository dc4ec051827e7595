package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sentilab/core/data"
	"sentilab/core/kernels"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/text"
	"sentilab/core/train"
	"sentilab/protocol"
)

// stdoutOf runs f with os.Stdout sent to a file and returns what it wrote.
func stdoutOf(t *testing.T, f func() error) []byte {
	t.Helper()
	tmp, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = tmp
	err = f()
	os.Stdout = old
	tmp.Close()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(tmp.Name())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// saveToyLSTM writes an untrained LSTM of tinyCfg whose vocabulary is the
// toy language's words (a tokenizer's: padding, OOV, then words).
func saveToyLSTM(t *testing.T, path string) {
	t.Helper()
	m, err := nn.NewModel(tinyCfg)
	if err != nil {
		t.Fatal(err)
	}
	nn.Init(m, 1)
	vocab := []string{"", text.OOV, "superb", "awful", "the", "movie", "plot", "was", "actor", "scene", "film", "cast"}
	meta := modelfile.Meta{Variant: "base", Metrics: map[string]float64{"test_accuracy": 0.5, "train_seconds": 1}, Provenance: modelfile.Provenance{Seed: 42}}
	if err := modelfile.SaveFile(path, m, vocab, meta); err != nil {
		t.Fatal(err)
	}
}

// oodCSV is a second dataset in the toy language of toyCSV, 3 of its 10
// reviews labelled against their word: a model that learned the toy
// language scores exactly 70% on it.
func oodCSV(t *testing.T) string {
	t.Helper()
	csv := "review,sentiment\n" +
		"superb indeed,positive\nsuperb film,positive\nan awful one,negative\nawful awful,negative\nsuperb cast,positive\n" +
		"awful script,negative\nsuperb sound,positive\nsuperb work,negative\nsuperb ending,negative\nawful start,positive\n"
	p := filepath.Join(t.TempDir(), "ood.csv")
	if err := os.WriteFile(p, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReportBaselineAndOOD puts a TF-IDF baseline trained here beside an
// LSTM file in one folder: lab report gives it a row (accuracy on its own
// test split, size, n-grams + bias as params, speed) and, with
// --data-ood, every row its accuracy on the second dataset; lab manifest
// lists it and merges the report's out-of-domain numbers.
func TestReportBaselineAndOOD(t *testing.T) {
	ctx := context.Background()
	dir, work := t.TempDir(), t.TempDir()
	toy, ood := toyCSV(t, 500), oodCSV(t)
	bpath := filepath.Join(dir, "baseline.safetensors")
	if err := runBaseline(ctx, []string{"--data", toy, "--out", bpath, "--max-terms", "50"}); err != nil {
		t.Fatal(err)
	}
	saveToyLSTM(t, filepath.Join(dir, "base.safetensors"))
	md := filepath.Join(work, "report.md")
	out := stdoutOf(t, func() error {
		return runReport(ctx, []string{"--models", dir, "--data", toy, "--data-ood", ood, "--json", "--wasm", "",
			"--speed-seconds", "0.05", "--speed-rounds", "1", "--md", md})
	})
	var rows []protocol.ResultRow
	if err := protocol.Decode("report", out, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Name != "base" || rows[1].Name != "baseline" {
		t.Fatalf("rows %+v", rows)
	}
	lstm, bl := rows[0], rows[1]
	fi, err := os.Stat(bpath)
	if err != nil {
		t.Fatal(err)
	}
	_, lb, err := modelfile.LoadAnyFile(bpath)
	if err != nil {
		t.Fatal(err)
	}
	// The toy language is separable: all 100 test reviews right.
	if bl.Kind != modelfile.KindTFIDFLogReg || bl.Method != "baseline" || bl.Runtime != "float32" || bl.TestAccuracy != 1 ||
		bl.FileBytes != fi.Size() || bl.Params != 51 || bl.NonZero < 2 || bl.NonZero > 51 || bl.Thesis != nil ||
		bl.Seconds != lb.Meta.Metrics["train_seconds"] || !(bl.ReviewsPerSec > 0) || !(bl.GzipBytes > 0 && bl.GzipBytes < bl.FileBytes) {
		t.Errorf("baseline row %+v", bl)
	}
	if bl.OODN != 10 || bl.OODAccuracy != 0.7 || bl.OODData != "ood.csv" || !(bl.OODLoss > 0) {
		t.Errorf("baseline out of domain: %v on %d of %s, want 0.7 on 10 of ood.csv", bl.OODAccuracy, bl.OODN, bl.OODData)
	}
	if math.Abs(bl.AccuracyChange-(bl.TestAccuracy-lstm.TestAccuracy)) > 1e-12 || lstm.Kind != "" {
		t.Errorf("vs base: %v (test %v, base %v), LSTM kind %q", bl.AccuracyChange, bl.TestAccuracy, lstm.TestAccuracy, lstm.Kind)
	}
	// The LSTM's out-of-domain accuracy, computed here the plain way.
	ld, tok, err := loadModel(filepath.Join(dir, "base.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	oodR, err := loadData(ood)
	if err != nil {
		t.Fatal(err)
	}
	xs, ys := data.TextsLabels(oodR)
	set, err := train.EncodeRaw(tok, xs, data.FloatLabels(ys), ld.Model.Cfg)
	if err != nil {
		t.Fatal(err)
	}
	z, err := train.Logits(ctx, ld.Model, set, train.EvalOptions{BatchSize: 64, Workers: 1, Kernels: kernels.Default()})
	if err != nil {
		t.Fatal(err)
	}
	if want := train.MetricsOf(z, data.FloatLabels(ys)); lstm.OODN != 10 || lstm.OODAccuracy != want.Accuracy || math.Abs(lstm.OODLoss-want.Loss) > 1e-6 {
		t.Errorf("LSTM out of domain %v (loss %v) on %d, want %v (loss %v) on 10", lstm.OODAccuracy, lstm.OODLoss, lstm.OODN, want.Accuracy, want.Loss)
	}
	table, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(table, []byte("| out of domain (ood.csv) |")) || !bytes.Contains(table, []byte("| baseline | baseline | float32 | 100.00% | — | 70.00% |")) {
		t.Errorf("table:\n%s", table)
	}

	// lab manifest lists the baseline and takes the report's OOD numbers.
	report := filepath.Join(work, "report.json")
	if err := os.WriteFile(report, out, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runManifest(ctx, []string{"--models", dir, "--report", report, "--data", toy}); err != nil {
		t.Fatal(err)
	}
	doc := readManifest(t, dir)
	if len(doc.Models) != 2 || doc.Models[1].Name != "baseline" {
		t.Fatalf("manifest models %+v", doc.Models)
	}
	m := doc.Models[1]
	if m.Kind != modelfile.KindTFIDFLogReg || m.Variant != "baseline" || m.Params != 51 || m.NonZero != bl.NonZero || m.Bytes != fi.Size() ||
		m.Config != (protocol.ModelConfig{}) || len(m.Tensors) != 3 || m.Thesis != nil || m.Preprocessing == "" {
		t.Errorf("manifest entry %+v", m)
	}
	if m.Metrics["test_accuracy"] != 1 || m.Metrics["test_n"] != 100 || m.Confusion == nil || m.Confusion[0][0]+m.Confusion[1][1] != 100 {
		t.Errorf("baseline on its test split: %v, confusion %v", m.Metrics, m.Confusion)
	}
	if m.Metrics["ood_accuracy"] != 0.7 || m.Metrics["ood_n"] != 10 || m.OODData != "ood.csv" || m.Metrics["reviews_per_second"] != bl.ReviewsPerSec {
		t.Errorf("report not merged: %v, ood_data %q", m.Metrics, m.OODData)
	}
	raw, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		t.Fatal(err)
	}
	var keys struct{ Models []map[string]json.RawMessage }
	if err := json.Unmarshal(raw, &keys); err != nil {
		t.Fatal(err)
	}
	if _, ok := keys.Models[1]["config"]; ok || string(keys.Models[1]["kind"]) != `"tfidf-logreg"` {
		t.Errorf("baseline entry: an LSTM config or no kind: %s", keys.Models[1]["config"])
	}
	if _, ok := keys.Models[0]["kind"]; ok {
		t.Error("LSTM entry has a kind: the manifest of LSTMs would change")
	}
}

// A bad --data-ood is refused by name before anything is scored.
func TestReportRefusesBadOOD(t *testing.T) {
	dir := t.TempDir()
	saveToyLSTM(t, filepath.Join(dir, "base.safetensors"))
	err := runReport(context.Background(), []string{"--models", dir, "--data", toyCSV(t, 50), "--data-ood", filepath.Join(dir, "nope.csv"),
		"--wasm", "", "--speed-seconds", "0.01", "--speed-rounds", "1"})
	if err == nil || !strings.Contains(err.Error(), "--data-ood") || !strings.Contains(err.Error(), "nope.csv") {
		t.Errorf("err %v, want --data-ood and the file named", err)
	}
}

// The shipped manifest decodes strictly into protocol.Manifest (no key
// the types do not know) and encodes back to the same JSON (no key they
// drop, no value they change). Not the same bytes: one pipeline step's
// params were written in their own key order, which a map does not keep.
func TestShippedManifestRoundTrips(t *testing.T) {
	raw, err := os.ReadFile("../../assets/models/" + manifestName)
	if err != nil {
		t.Fatal(err)
	}
	var doc protocol.Manifest
	if err := protocol.Decode(manifestName, raw, &doc); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := printJSONTo(&b, doc); err != nil {
		t.Fatal(err)
	}
	var a, c any
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, c) || b.Len() != len(raw) {
		t.Errorf("assets/models/manifest.json re-encodes as other JSON (%d bytes, was %d)", b.Len(), len(raw))
	}
}
