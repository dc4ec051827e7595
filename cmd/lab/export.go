package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"time"

	"sentilab/core/compress"
	"sentilab/core/data"
	"sentilab/core/kernels"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/onnx"
	"sentilab/core/text"
	"sentilab/core/train"
)

// runExport writes a model as ONNX and, with --reference, the test reviews'
// tokens and our own predictions for tests/onnx/check.mjs to compare with
// ONNX Runtime's.
func runExport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	modelPath := fs.String("model", "", "model file (any variant: float, f16, pruned, distilled, int8)")
	format := fs.String("format", "onnx", "output format (onnx)")
	out := fs.String("out", "", "output file (e.g. model.onnx)")
	ref := fs.String("reference", "", "also write JSON with the first --n test reviews' tokens and Sentilab's probabilities (for tests/onnx)")
	n := fs.Int("n", 1000, "reviews in --reference")
	dataPath := dataFlag(fs)
	seed := fs.Uint64("seed", 42, "seed of the test split (with --reference)")
	testFrac := fs.Float64("test-frac", 0.2, "test share (with --reference)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "onnx" {
		return fmt.Errorf("--format %q: want onnx", *format)
	}
	if *out == "" {
		return fmt.Errorf("no output: pass --out FILE.onnx")
	}
	ld, tok, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	m, err := onnx.FromLoaded(ld)
	if err != nil {
		return fmt.Errorf("%s: %w", *modelPath, err)
	}
	b := m.Marshal()
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	kind := "float32 weights"
	if onnx.StoresInt8(ld.File) {
		kind = "int8 weights"
	}
	fmt.Fprintf(os.Stderr, "%s: %d bytes (%s, variant %s, %d nodes)\n", *out, len(b), kind, ld.Meta.Variant, len(m.Graph.Nodes))
	if *ref == "" {
		return nil
	}
	return writeReference(ctx, ld, tok, *ref, *dataPath, *n, *seed, *testFrac)
}

// reference is what tests/onnx/check.mjs reads.
type reference struct {
	Variant string `json:"variant"`
	Runtime string `json:"runtime"` // "int8" or "float": the runtime `lab eval` uses for this variant
	MaxLen  int    `json:"max_len"`
	N       int    `json:"n"`       // rows: the test reviews, then EdgeRows made-up rows
	Reviews int    `json:"reviews"` // test reviews (the first rows)
	// EdgeRows are made-up rows after the reviews: all padding, padding in
	// the middle, ids outside the vocabulary (read as OOV).
	EdgeRows int       `json:"edge_rows"`
	Tokens   []int32   `json:"tokens"`        // [n, max_len], padded as the config says
	Labels   []float32 `json:"labels"`        // of the reviews
	Texts    []string  `json:"texts"`         // the reviews as in the dataset (for tests/onnx/standalone.mjs)
	Prob     []float32 `json:"probabilities"` // Sentilab's, with Runtime
	// FloatProb: the float runtime on the decoded weights (for int8 variants:
	// the dequantized model, the arithmetic the ONNX graph does).
	FloatProb     []float32 `json:"float_probabilities"`
	ReviewsPerSec float64   `json:"native_reviews_per_second"` // Runtime, 1 goroutine, whole set as one batch
}

func writeReference(ctx context.Context, ld *modelfile.Loaded, tok *text.Tokenizer, path, dataPath string, n int, seed uint64, testFrac float64) error {
	reviews, err := loadData(dataPath)
	if err != nil {
		return err
	}
	if _, reviews, err = data.Split(reviews, testFrac, seed); err != nil {
		return err
	}
	if n < 1 || n > len(reviews) {
		return fmt.Errorf("--n %d: want 1..%d (the test split's size)", n, len(reviews))
	}
	reviews = reviews[:n]
	raw := make([]string, n)
	labels := make([]float32, n)
	for i, r := range reviews {
		raw[i], labels[i] = r.Text, float32(r.Label)
	}
	set, err := train.EncodeRaw(tok, raw, labels, ld.Model.Cfg)
	if err != nil {
		return err
	}
	edges := edgeRows(ld.Model.Cfg, set.Tokens)
	set.Tokens = append(set.Tokens, edges...)
	set.N += len(edges) / ld.Model.Cfg.MaxLen
	set.Labels = append(set.Labels, make([]float32, set.N-n)...)
	floatRun := func() ([]float32, error) {
		return train.Logits(ctx, ld.Model, set, train.EvalOptions{BatchSize: set.N, Workers: 1, Kernels: kernels.Default()})
	}
	run, runtime := floatRun, "float"
	if q, err := runtimeOf(ld); err != nil {
		return err
	} else if q != nil {
		run, runtime = func() ([]float32, error) { return compress.QLogits(ctx, q, set, set.N, 1) }, "int8"
	}
	// The fastest of three runs: on a shared machine other work only slows
	// a run down.
	var z []float32
	best := math.Inf(1)
	for range 3 {
		t0 := time.Now()
		if z, err = run(); err != nil {
			return err
		}
		best = min(best, time.Since(t0).Seconds())
	}
	zf, err := floatRun()
	if err != nil {
		return err
	}
	r := reference{Variant: ld.Meta.Variant, Runtime: runtime, MaxLen: ld.Model.Cfg.MaxLen, N: set.N,
		Reviews: n, EdgeRows: set.N - n, Tokens: set.Tokens, Labels: labels, Texts: raw, Prob: sigmoids(z), FloatProb: sigmoids(zf), ReviewsPerSec: float64(set.N) / best}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := printJSONTo(f, r); err != nil {
		f.Close()
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: %d test reviews, Sentilab %s runtime %.0f reviews/s (1 goroutine)\n", path, n, runtime, r.ReviewsPerSec)
	return f.Close()
}

func sigmoids(z []float32) []float32 {
	p := make([]float32, len(z))
	for i, v := range z {
		p[i] = kernels.Sigmoid(v)
	}
	return p
}

// edgeRows makes rows that real reviews rarely or never give, built from the
// first review's tokens: all padding (a review with no known word left after
// cleaning), zeros in the middle of the real tokens (a masked model skips
// them wherever they are), and ids outside [0, vocab) (read as OOV).
func edgeRows(c nn.Config, tokens []int32) []int32 {
	T := c.MaxLen
	first := tokens[:T]
	empty := make([]int32, T)
	holes := append([]int32(nil), first...)
	for t := 1; t < T; t += 3 {
		holes[t] = 0
	}
	outside := append([]int32(nil), first...)
	for t := 0; t < T; t += 4 {
		outside[t] = int32(c.Vocab) + int32(t)
		if t+2 < T {
			outside[t+2] = -1 - int32(t)
		}
	}
	return slices.Concat(empty, holes, outside)
}
