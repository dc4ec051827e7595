package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"sentilab/core/kernels"
	"sentilab/core/lab"
	"sentilab/core/modelfile"
	"sentilab/core/text"
	"sentilab/core/train"
	"sentilab/protocol"
)

// preprocessing names the text pipeline a model expects (core/text.Clean).
const preprocessing = "thesis: lowercase, NLTK stopwords, strip HTML, [^\\w\\s'] to space"

func saveModel(path string, tr *lab.Trained, args []string) error {
	extra := lab.SplitMeta(tr.Plan.Split())
	extra[lab.KeyPreset] = tr.Plan.Name
	// The worker count fixes the bits beside the seed; the command line
	// above omits it when it is the default (all cores).
	extra[lab.KeyWorkers] = strconv.Itoa(tr.Workers)

	// The learning curve and the confusion matrix, for the report pages.
	extra[keyHistory], extra[keyConfusion] = mustJSON(tr.Fit.History), mustJSON(tr.Test.Confusion)
	meta := modelfile.Meta{
		Variant:       lab.ChainName(nil),
		Preprocessing: preprocessing,
		Metrics: map[string]float64{
			"test_accuracy": tr.Test.Accuracy, "test_loss": tr.Test.Loss, "test_n": float64(tr.Test.N),
			"train_seconds": tr.Fit.Seconds, "examples_per_second": tr.Fit.ExamplesPerSec,
			// The thesis's split leaks repeated reviews into its test set.
			"test_seen_in_training": float64(tr.TestEval.Seen),
		},
		Provenance: modelfile.Provenance{Seed: tr.Plan.Seed, DataHash: tr.TrainHash,
			Command: "lab train " + strings.Join(args, " "), Time: time.Now().UTC().Format(time.RFC3339)},
		Extra:        extra,
		Fingerprints: tr.Fingerprints,
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
	split := fs.String("split", "all", "all: evaluate every review of --data; test: only the held-out test split (the model's split unless --seed/--test-frac)")
	seed := fs.Uint64("seed", 0, "seed of the split (with --split test; 0 = the model's)")
	testFrac := fs.Float64("test-frac", 0, "test share (with --split test; 0 = the model's)")
	trainData := fs.String("train-data", "", "the data the model was trained on: recognises its training reviews when its file has no fingerprints (the shipped models)")
	workers := workersFlag(fs)
	act7 := fs.Bool("act7", false, "int8 models: quantize the hidden state to 7 bits (the page's relaxed SIMD opt-in, core/compress/act7.go)")
	asJSON := fs.Bool("json", false, "print JSON on stdout")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *split != "all" && *split != "test" {
		return fmt.Errorf("--split %q: want all or test", *split)
	}
	if lb := loadBaseline(*modelPath); lb != nil {
		// 0 = the model's own split, as for an LSTM file (lab baseline
		// records its seed and test share).
		sp, err := lab.SplitOf(lb.Meta)
		if err != nil {
			return fmt.Errorf("%s: %v", *modelPath, err)
		}
		if *seed == 0 {
			*seed = sp.Seed
		}
		if *testFrac == 0 {
			*testFrac = sp.TestFrac
		}
		return evalBaseline(lb, *modelPath, *dataPath, *split, *seed, *testFrac, *asJSON)
	}
	ld, tok, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	sp, err := lab.SplitOf(ld.Meta)
	if err != nil {
		return fmt.Errorf("%s: %v", *modelPath, err)
	}
	reviews, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	corpus := lab.NewCorpus(reviews, nil)
	// What the model trained on, recognised in these reviews: by its
	// fingerprints, or its own split re-derived on the same data.
	training := lab.TrainingOf(ld.Meta.Fingerprints, sp, ld.Meta.Provenance.DataHash, corpus)
	if *trainData != "" && ld.Meta.Fingerprints == nil {
		all, err := loadData(*trainData)
		if err != nil {
			return err
		}
		// Only the split is needed: no cleaned texts (TrainingOf splits rows).
		if training = lab.TrainingOf(nil, sp, ld.Meta.Provenance.DataHash, lab.Corpus{Reviews: all}); !training.Known() {
			return fmt.Errorf("--train-data %s: its split (seed %d, test_frac %v, train_limit %d) is not the training reviews %s's provenance records",
				*trainData, sp.Seed, sp.TestFrac, sp.TrainLimit, *modelPath)
		}
	}
	rows := make([]int, len(reviews))
	for i := range rows {
		rows[i] = i
	}
	what := fmt.Sprintf("all %s reviews of %s", lab.Count(len(reviews)), filepath.Base(*dataPath))
	if *split == "test" {
		if *seed != 0 {
			sp.Seed = *seed
		}
		if *testFrac != 0 {
			sp.TestFrac = *testFrac
		}
		t, err := corpus.SplitRows(sp)
		if err != nil {
			return err
		}
		rows, what = t.TestIndex, sp.Describe(len(reviews))+" of "+filepath.Base(*dataPath)
	}
	raw := make([]string, len(rows))
	cleaned := make([]string, len(rows))
	labels := make([]float32, len(rows))
	for k, i := range rows {
		raw[k], cleaned[k], labels[k] = reviews[i].Text, corpus.Cleaned[i], float32(reviews[i].Label)
	}
	b := newBar()
	t0 := time.Now()
	q, err := runtimeOf(ld)
	if err != nil {
		return err
	}
	if *act7 && q == nil {
		return fmt.Errorf("--act7: %s runs in float32; the 7-bit hidden state is the int8 runtime's", *modelPath)
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
		z, err = lab.Logits(ctx, ld.Model, q, set, lab.EvalOptions{Workers: *workers, Act7: *act7,
			Progress: func(d, _ int) { b.update(lo+d, len(cleaned), "evaluating", -1) }})
		logits = append(logits, z...)
	}
	b.done()
	if err != nil {
		return err
	}
	ev, err := lab.ScoreSeen(logits, labels, raw, training, what)
	if err != nil {
		return err
	}
	ev.Act7 = *act7
	mt := ev.Metrics
	sec := time.Since(t0).Seconds()
	fmt.Fprintf(os.Stderr, "%s\n", what)
	fmt.Fprintf(os.Stderr, "accuracy %.4f  loss %.4f  on %d reviews  (%.0f reviews/s)\n", mt.Accuracy, mt.Loss, mt.N, float64(mt.N)/sec)
	fmt.Fprintf(os.Stderr, "confusion [[TN FP] [FN TP]] = %v\n", mt.Confusion)
	fmt.Fprintf(os.Stderr, "%s\n", ev.Note)
	for _, part := range []struct {
		name string
		m    *train.Metrics
	}{{"seen in training", ev.SeenMetrics}, {"unseen", ev.UnseenMetrics}} {
		if part.m != nil && ev.Seen > 0 {
			fmt.Fprintf(os.Stderr, "  %-16s accuracy %.4f  loss %.4f  on %d reviews\n", part.name, part.m.Accuracy, part.m.Loss, part.m.N)
		}
	}
	if *asJSON {
		return printJSON(evalOutput{ev, *modelPath, *split, sec, float64(mt.N) / sec})
	}
	return nil
}

// evalOutput is `lab eval --json`: the evaluation (Metrics' keys on all
// the reviews, then data, training, seen, unseen, seen_metrics,
// unseen_metrics, note) and the run.
type evalOutput struct {
	*protocol.Evaluation
	Model         string  `json:"model"`
	Split         string  `json:"split"`
	Seconds       float64 `json:"seconds"`
	ReviewsPerSec float64 `json:"reviews_per_second"`
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
		p := kernels.Sigmoid(z)
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
