package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sentilab/core/modelfile"
)

// toyCSV writes n reviews in the Kaggle schema where "superb"/"awful"
// carry the sentiment, and returns the file's path.
func toyCSV(t *testing.T, n int) string {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString("review,sentiment\n")
	filler := []string{"the", "movie", "plot", "was", "actor", "scene"}
	for i := 0; i < n; i++ {
		w := []string{}
		for k := 0; k < 8; k++ {
			w = append(w, filler[r.IntN(len(filler))])
		}
		label, word := "positive", "superb"
		if r.IntN(2) == 0 {
			label, word = "negative", "awful"
		}
		w[r.IntN(len(w))] = word
		fmt.Fprintf(&b, "\"%s.\",%s\n", strings.Join(w, " "), label)
	}
	p := filepath.Join(t.TempDir(), "toy.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBaselineTrainEvalPredict(t *testing.T) {
	ctx := context.Background()
	csv := toyCSV(t, 500)
	out := filepath.Join(t.TempDir(), "baseline.safetensors")
	if err := runBaseline(ctx, []string{"--data", csv, "--out", out, "--max-terms", "50", "--tune-c", "0.01,10", "--ood", csv}); err != nil {
		t.Fatal(err)
	}
	l, lb, err := modelfile.LoadAnyFile(out)
	if err != nil || l != nil || lb == nil {
		t.Fatalf("LoadAnyFile: %v, %v, %v", l, lb, err)
	}
	if lb.Meta.Variant != "baseline" || lb.Model.NumTerms() != 50 || lb.Meta.Extra["c"] != "10" {
		t.Errorf("variant %q, %d terms, c %q", lb.Meta.Variant, lb.Model.NumTerms(), lb.Meta.Extra["c"])
	}
	// The toy language is separable: the held-out 100 reviews all right.
	if acc := lb.Meta.Metrics["test_accuracy"]; acc != 1 || lb.Meta.Metrics["test_n"] != 100 {
		t.Errorf("test accuracy %v on %v reviews, want 1 on 100", acc, lb.Meta.Metrics["test_n"])
	}
	if lb.Meta.Metrics["ood_n"] != 500 || lb.Meta.Extra["ood_data"] != "toy.csv" {
		t.Errorf("--ood: metrics %v, ood_data %q", lb.Meta.Metrics, lb.Meta.Extra["ood_data"])
	}
	if err := runEval(ctx, []string{"--model", out, "--data", csv, "--split", "test"}); err != nil {
		t.Errorf("eval: %v", err)
	}
	if err := runPredict(ctx, []string{"--model", out, "--json", "a superb movie"}); err != nil {
		t.Errorf("predict: %v", err)
	}
	// The LSTM-only commands refuse it by name.
	if err := runExport(ctx, []string{"--model", out, "--out", out + ".onnx"}); err == nil || !strings.Contains(err.Error(), "tfidf-logreg") {
		t.Errorf("export of a baseline: %v", err)
	}
}

func TestBaselineRefusesBadFlags(t *testing.T) {
	csv := toyCSV(t, 50)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--data", csv, "--ngrams", "3"}, "n-gram range [1, 3]"},
		{[]string{"--data", csv, "--tokens", "nltk"}, `tokenization "nltk"`},
		{[]string{"--data", csv, "--c", "0"}, "--c 0: want a number > 0"},
		{[]string{"--data", csv, "--tune-c", "1,x"}, `"x" is not a number`},
		{[]string{"--data", csv, "--test-frac", "1.5"}, "test fraction 1.5"},
		{[]string{"--data", csv, "--out", t.TempDir()}, "is a folder"},
		{[]string{"--data", csv, "--train-size", "-1"}, "--train-size -1"},
		{[]string{"--data", csv, "--ood", csv + ".missing"}, "--ood: "},
	} {
		err := runBaseline(context.Background(), c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error containing %q", c.args, err, c.want)
		}
	}
}

func TestCompareLSTM(t *testing.T) {
	path := filepath.Join("..", "..", "assets", "models", "base.int8.safetensors")
	ld, tok, err := loadModel(path)
	if err != nil {
		t.Fatalf("%v (shipped with the repository)", err)
	}
	texts := []string{"A wonderful, moving film.", "Awful. A waste of time.", "Great acting, terrible plot, boring and long.", strings.Repeat("good ", 400)}
	labels := []int{1, 0, 0, 1}
	base := []float32{2, 1, -1, 3} // the baseline gets the second wrong
	v, err := compareLSTM(context.Background(), path, ld, tok, texts, labels, base, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v.BothRight+v.OnlyBaseline+v.OnlyOther+v.BothWrong != 4 || v.OnlyBaseline+v.BothRight != 3 {
		t.Errorf("%+v", v)
	}
	n := 0
	for _, b := range v.ByLength {
		n += b.N
	}
	last := v.ByLength[len(v.ByLength)-1]
	if n != 4 || last.Min != 301 || last.N != 1 || last.BaselineAccuracy != 1 {
		t.Errorf("by length %+v", v.ByLength)
	}
	if err := runBaseline(context.Background(), []string{"--data", toyCSV(t, 50), "--vs", path + ".missing"}); err == nil || !strings.Contains(err.Error(), "--vs: ") {
		t.Errorf("--vs of a missing file: %v", err)
	}
}
