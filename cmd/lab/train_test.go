package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sentilab/core/data"
	"sentilab/core/kernels"
	"sentilab/core/lab"
	"sentilab/core/modelfile"
	"sentilab/internal/testenv"
)

// `lab train --kernels portable` is lab.Train with the flags' plan: the
// model it writes has lab.Train's weights, the ones the browser engine
// computes for the same request (wasm/engine TestSameWeightsAsCLI).
func TestTrainIsLabTrain(t *testing.T) {
	dir := t.TempDir()
	csv, out := filepath.Join(dir, "toy.csv"), filepath.Join(dir, "m.safetensors")
	raw := testenv.ToyCSV(300, 5)
	if err := os.WriteFile(csv, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	err := runTrain(context.Background(), []string{"--preset", "classroom", "--data", csv, "--out", out, "--kernels", "portable",
		"--workers", "2", "--epochs", "2", "--vocab", "100", "--embed", "16", "--hidden", "16", "--maxlen", "48", "--train-size", "0"})
	if err != nil {
		t.Fatal(err)
	}
	ld, err := modelfile.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	reviews, err := data.ReadCSV(bytes.NewReader(raw), "toy.csv", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	epochs, vocab, width, maxLen, limit := 2, 100, 16, 48, 0
	plan, err := lab.Resolve("classroom", lab.Overrides{Epochs: &epochs, Vocab: &vocab, Embed: &width, Hidden: &width, MaxLen: &maxLen, TrainLimit: &limit})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := lab.Train(context.Background(), lab.NewCorpus(reviews, nil), plan, lab.RunOptions{Workers: 2, Kernels: kernels.Portable})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := lab.WeightsHash(ld.Model), lab.WeightsHash(tr.Model); got != want {
		t.Errorf("lab train wrote weights %s, lab.Train gives %s", got, want)
	}
	sp, err := lab.SplitOf(ld.Meta)
	if err != nil || sp != plan.Split() || ld.Meta.Variant != "base" || ld.Meta.Provenance.DataHash != tr.TrainHash {
		t.Errorf("metadata: split %+v (%v), want %+v; variant %q", sp, err, plan.Split(), ld.Meta.Variant)
	}
	if w := ld.Meta.Extra[lab.KeyWorkers]; w != "2" {
		t.Errorf("metadata: workers %q, want 2 (beside the seed it fixes the bits)", w)
	}
	err = runTrain(context.Background(), []string{"--data", csv, "--kernels", "avx9"})
	if err == nil || !strings.Contains(err.Error(), `--kernels: kernels "avx9": want portable or native`) {
		t.Errorf("bad --kernels: %v", err)
	}
}
