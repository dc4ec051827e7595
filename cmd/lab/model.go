package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"sentilab/core/data"
	"sentilab/core/lab"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/text"
	"sentilab/core/train"
)

// preprocessing names the text pipeline a model expects (core/text.Clean).
const preprocessing = "thesis: lowercase, NLTK stopwords, strip HTML, [^\\w\\s'] to space"

func saveModel(path string, tr *lab.Trained, args []string) error {
	extra := lab.SplitMeta(tr.Plan.Split())
	extra[lab.KeyPreset] = tr.Plan.Name
	// The learning curve and the confusion matrix, for the report pages.
	extra[keyHistory], extra[keyConfusion] = mustJSON(tr.Fit.History), mustJSON(tr.Test.Confusion)
	meta := modelfile.Meta{
		Variant:       lab.ChainName(nil),
		Preprocessing: preprocessing,
		Metrics: map[string]float64{
			"test_accuracy": tr.Test.Accuracy, "test_loss": tr.Test.Loss, "test_n": float64(tr.Test.N),
			"train_seconds": tr.Fit.Seconds, "examples_per_second": tr.Fit.ExamplesPerSec,
		},
		Provenance: modelfile.Provenance{Seed: tr.Plan.Seed, DataHash: tr.TrainHash,
			Command: "lab train " + strings.Join(args, " "), Time: time.Now().UTC().Format(time.RFC3339)},
		Extra: extra,
	}
	f, err := modelfile.Encode(tr.Model, tr.Tok.Words(), meta)
	if err != nil {
		return err
	}
	return writeOut(path, f)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain structs of numbers always marshal
	}
	return string(b)
}

// loadModel reads a model file and rebuilds its tokenizer.
func loadModel(path string) (*modelfile.Loaded, *text.Tokenizer, error) {
	if path == "" {
		return nil, nil, fmt.Errorf("no model: pass --model FILE")
	}
	ld, err := modelfile.LoadFile(path)
	if err != nil {
		return nil, nil, err
	}
	tok, err := text.NewTokenizerFromVocab(ld.Vocab)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: vocab: %w", path, err)
	}
	return ld, tok, nil
}

func runEval(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	modelPath := fs.String("model", "", "model file")
	dataPath := dataFlag(fs)
	split := fs.String("split", "all", "all: evaluate every review of --data; test: only the held-out test split (same seed and share as training)")
	seed := fs.Uint64("seed", 42, "seed of the split (with --split test)")
	testFrac := fs.Float64("test-frac", 0.2, "test share (with --split test)")
	workers := workersFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON on stdout")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *split != "all" && *split != "test" {
		return fmt.Errorf("--split %q: want all or test", *split)
	}
	if lb := loadBaseline(*modelPath); lb != nil {
		return evalBaseline(lb, *modelPath, *dataPath, *split, *seed, *testFrac, *asJSON)
	}
	ld, tok, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	reviews, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	if *split == "test" {
		if _, reviews, err = data.Split(reviews, *testFrac, *seed); err != nil {
			return err
		}
	}
	raw := make([]string, len(reviews))
	labels := make([]float32, len(reviews))
	for i, r := range reviews {
		raw[i], labels[i] = r.Text, float32(r.Label)
	}
	cleaned := text.CleanAll(raw, nil)
	b := newBar()
	t0 := time.Now()
	q, err := runtimeOf(ld)
	if err != nil {
		return err
	}
	// Encoded a block at a time: the whole set padded to max_len could be
	// large (a million reviews at the budget's max_len is gigabytes).
	const block = 4096
	logits := make([]float32, 0, len(cleaned))
	for lo := 0; lo < len(cleaned) && err == nil; lo += block {
		hi := min(lo+block, len(cleaned))
		var set train.Set
		if set, err = train.Encode(tok, cleaned[lo:hi], labels[lo:hi], ld.Model.Cfg); err != nil {
			break
		}
		var z []float32
		z, err = lab.Logits(ctx, ld.Model, q, set, lab.EvalOptions{Workers: *workers,
			Progress: func(d, _ int) { b.update(lo+d, len(cleaned), "evaluating", -1) }})
		logits = append(logits, z...)
	}
	b.done()
	if err != nil {
		return err
	}
	mt := train.MetricsOf(logits, labels)
	sec := time.Since(t0).Seconds()
	fmt.Fprintf(os.Stderr, "accuracy %.4f  loss %.4f  on %d reviews  (%.0f reviews/s)\n", mt.Accuracy, mt.Loss, mt.N, float64(mt.N)/sec)
	fmt.Fprintf(os.Stderr, "confusion [[TN FP] [FN TP]] = %v\n", mt.Confusion)
	if *asJSON {
		return printJSON(struct {
			*train.Metrics
			Model         string  `json:"model"`
			Split         string  `json:"split"`
			Seconds       float64 `json:"seconds"`
			ReviewsPerSec float64 `json:"reviews_per_second"`
		}{mt, *modelPath, *split, sec, float64(mt.N) / sec})
	}
	return nil
}

func runPredict(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("predict", flag.ContinueOnError)
	modelPath := fs.String("model", "", "model file")
	asJSON := fs.Bool("json", false, "print JSON on stdout")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("no text: lab predict --model FILE \"review text\"")
	}
	if lb := loadBaseline(*modelPath); lb != nil {
		return predictBaseline(lb, fs.Args(), *asJSON)
	}
	ld, tok, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	texts := fs.Args()
	set, err := train.EncodeRaw(tok, texts, make([]float32, len(texts)), ld.Model.Cfg)
	if err != nil {
		return err
	}
	q, err := runtimeOf(ld)
	if err != nil {
		return err
	}
	logits, err := lab.Logits(ctx, ld.Model, q, set, lab.EvalOptions{Workers: 1})
	if err != nil {
		return err
	}
	type pred struct {
		Text     string  `json:"text"`
		Positive float32 `json:"positive"`
	}
	var out []pred
	for i, z := range logits {
		p := nn.Sigmoid(z)
		out = append(out, pred{texts[i], p})
		if !*asJSON {
			fmt.Printf("%.4f\n", p)
		}
	}
	if *asJSON {
		return printJSON(out)
	}
	return nil
}
