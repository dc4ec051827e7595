package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"sentilab/core/baseline"
	"sentilab/core/data"
	"sentilab/core/lab"
	"sentilab/core/modelfile"
	"sentilab/core/text"
	"sentilab/core/train"
)

// baselineOutput is `lab baseline --json`.
type baselineOutput struct {
	Config       baseline.Config       `json:"config"`
	MaxTerms     int                   `json:"max_terms"`
	MinDF        int                   `json:"min_df"`
	C            float64               `json:"c"`
	Tune         []baseline.TunePoint  `json:"tune,omitempty"`
	TrainN       int                   `json:"train_n"`
	TestN        int                   `json:"test_n"`
	TestAccuracy float64               `json:"test_accuracy"`
	TestLoss     float64               `json:"test_loss"`
	Test         *train.Metrics        `json:"test"`
	Fit          *baseline.Result      `json:"fit"`
	TuneSeconds  float64               `json:"tune_seconds,omitempty"`
	TrainSeconds float64               `json:"train_seconds"` // vocabulary, features and fit
	EvalSeconds  float64               `json:"eval_seconds"`
	ReviewsPerS  float64               `json:"eval_reviews_per_second"`
	OOD          *train.Metrics        `json:"ood,omitempty"` // --ood: every review of another dataset
	OODData      string                `json:"ood_data,omitempty"`
	Versus       *versus               `json:"vs,omitempty"` // --vs: the LSTM on the same test reviews
	TopPositive  []baseline.TermWeight `json:"top_positive"`
	TopNegative  []baseline.TermWeight `json:"top_negative"`
	Workers      int                   `json:"workers"`
	Model        string                `json:"model,omitempty"`
	FileBytes    int64                 `json:"file_bytes,omitempty"`
}

func runBaseline(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("baseline", flag.ContinueOnError)
	dataPath := dataFlag(fs)
	seed := fs.Uint64("seed", 42, "seed of the train/test split (the same split as lab train)")
	testFrac := fs.Float64("test-frac", 0.2, "share of the dataset held out for the test")
	splitRule := fs.String("split-rule", data.RuleGrouped, "grouped (exact duplicate reviews on one side, as the lab's presets) or permutation (the thesis's split)")
	trainSize := fs.Int("train-size", 0, "use only the first N training reviews (0 = all)")
	tokens := fs.String("tokens", baseline.DefaultConfig().Tokens, "tokenization: sklearn (lowercase, \\b\\w\\w+\\b) or thesis (the LSTM's cleaning)")
	ngrams := fs.Int("ngrams", baseline.DefaultConfig().NGramMax, "longest n-gram: 1 (words) or 2 (words and bigrams)")
	sublinear := fs.Bool("sublinear", baseline.DefaultConfig().Sublinear, "TF is 1+ln(count) instead of the count")
	maxTerms := fs.Int("max-terms", baseline.DefaultMaxTerms, "vocabulary: the n-grams in the most training reviews")
	minDF := fs.Int("min-df", baseline.DefaultMinDF, "an n-gram must occur in this many training reviews")
	c := fs.Float64("c", baseline.DefaultC, "inverse L2 regularization strength (scikit-learn's C)")
	tune := fs.String("tune-c", "", "comma-separated C values to choose from on the validation split (last --val-split of the training reviews); overrides --c")
	valSplit := fs.Float64("val-split", 0.1, "validation share for --tune-c")
	maxIter := fs.Int("max-iter", baseline.DefaultMaxIter, "L-BFGS iterations")
	tol := fs.Float64("tol", baseline.DefaultTol, "stop when the gradient's largest element is below this")
	workers := workersFlag(fs)
	vs := fs.String("vs", "", "an LSTM model file to compare with on the same test reviews, review by review and by length")
	ood := fs.String("ood", "", "also evaluate on every review of this dataset (out of domain, e.g. rt-polarity-10k.csv.gz)")
	out := fs.String("out", "", "write the model file here")
	asJSON := fs.Bool("json", false, "print the results as JSON on stdout")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := openOut(*out); err != nil {
		return err
	}
	defer closeOuts()
	opt := baseline.Options{
		Config:   baseline.Config{Tokens: *tokens, NGramMin: 1, NGramMax: *ngrams, Sublinear: *sublinear},
		MaxTerms: *maxTerms, MinDF: *minDF, C: *c, MaxIter: *maxIter, Tol: *tol, Workers: *workers,
	}
	var cs []float64
	for _, s := range splitList(*tune) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("--tune-c %q: %q is not a number", *tune, s)
		}
		cs = append(cs, v)
	}
	if *trainSize < 0 {
		return fmt.Errorf("--train-size %d: want 0 (all) or more", *trainSize)
	}
	if !(*c > 0) { // Options reads 0 as "the default"
		return fmt.Errorf("--c %v: want a number > 0", *c)
	}
	if err := opt.Validate(); err != nil {
		return err
	}
	reviews, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	var lstm *modelfile.Loaded
	var lstmTok *text.Tokenizer
	if *vs != "" { // loaded before training: a wrong path should not cost a run
		if lstm, lstmTok, err = loadModel(*vs); err != nil {
			return fmt.Errorf("--vs: %w", err)
		}
	}
	var oodR []data.Review
	if *ood != "" { // read before training: a wrong path should not cost a run
		if oodR, err = loadData(*ood); err != nil {
			return fmt.Errorf("--ood: %w", err)
		}
	}
	trainR, testR, err := splitReviews(reviews, *testFrac, *seed, *splitRule)
	if err != nil {
		return err
	}
	trainR = data.First(trainR, trainOrAll(*trainSize, len(trainR)))
	trainX, trainY := data.TextsLabels(trainR)
	testX, testY := data.TextsLabels(testR)
	o := baselineOutput{Config: opt.Config, MaxTerms: opt.MaxTerms, MinDF: opt.MinDF, C: opt.C,
		TrainN: len(trainR), TestN: len(testR), Workers: opt.Workers}

	b := newBar()
	opt.Progress = func(p baseline.Progress) {
		msg := p.Stage
		if p.Stage == "fit" || p.Stage == "tune" {
			msg = fmt.Sprintf("%s loss %.5f", p.Stage, p.Loss)
		}
		b.update(p.Done, p.Total, msg, -1)
	}
	if len(cs) > 0 {
		t0 := time.Now()
		pts, best, err := baseline.TuneC(ctx, trainX, trainY, opt, cs, *valSplit)
		b.done()
		if err != nil {
			return err
		}
		for _, p := range pts {
			fmt.Fprintf(os.Stderr, "C %-8g val_acc %.4f  val_loss %.4f  (%d iterations)\n", p.C, p.ValAccuracy, p.ValLoss, p.Iterations)
		}
		o.Tune, o.C, opt.C = pts, best, best
		o.TuneSeconds = time.Since(t0).Seconds()
		fmt.Fprintf(os.Stderr, "chose C = %g on the validation split (%.1fs)\n", best, o.TuneSeconds)
	}
	t0 := time.Now()
	m, res, err := baseline.Train(ctx, trainX, trainY, opt)
	b.done()
	if err != nil {
		return err
	}
	o.TrainSeconds = time.Since(t0).Seconds()
	o.Fit = res
	fmt.Fprintf(os.Stderr, "%d terms, %d non-zeros, %d L-BFGS iterations (%d evaluations), loss %.5f, in %.1fs\n",
		res.Terms, res.NonZeros, res.Iterations, res.Evaluations, res.Loss, o.TrainSeconds)

	t1 := time.Now()
	logits := m.Logits(testX)
	o.EvalSeconds = time.Since(t1).Seconds()
	o.ReviewsPerS = float64(len(testX)) / o.EvalSeconds
	o.Test = train.MetricsOf(logits, data.FloatLabels(testY))
	o.TestAccuracy, o.TestLoss = o.Test.Accuracy, o.Test.Loss
	fmt.Fprintf(os.Stderr, "test accuracy %.4f  loss %.4f  (%d reviews, %.0f reviews/s)\n", o.Test.Accuracy, o.Test.Loss, o.Test.N, o.ReviewsPerS)
	fmt.Fprintf(os.Stderr, "confusion [[TN FP] [FN TP]] = %v\n", o.Test.Confusion)

	if lstm != nil {
		if o.Versus, err = compareLSTM(ctx, *vs, lstm, lstmTok, testX, testY, logits, *workers); err != nil {
			return err
		}
		o.Versus.print(os.Stderr, lstm.Model.Cfg.MaxLen)
	}
	o.TopPositive, o.TopNegative = m.TopWeights(10)
	fmt.Fprintf(os.Stderr, "most positive: %s\nmost negative: %s\n", termList(o.TopPositive), termList(o.TopNegative))
	if *ood != "" {
		xs, ys := data.TextsLabels(oodR)
		o.OOD, o.OODData = train.MetricsOf(m.Logits(xs), data.FloatLabels(ys)), *ood
		fmt.Fprintf(os.Stderr, "out of domain: accuracy %.4f  loss %.4f  (%d reviews of %s)\n", o.OOD.Accuracy, o.OOD.Loss, o.OOD.N, *ood)
	}
	if *out != "" {
		n, err := saveBaseline(*out, m, o, trainR, *seed, *testFrac, *splitRule, args)
		if err != nil {
			return err
		}
		o.Model, o.FileBytes = *out, n
		fmt.Fprintf(os.Stderr, "wrote %s (%d bytes)\n", *out, n)
	}
	if *asJSON {
		return printJSON(o)
	}
	return nil
}

func termList(ts []baseline.TermWeight) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %+.1f", t.Term, t.Weight)
	}
	return b.String()
}

// splitReviews is the train/test split by rule: data.RuleGrouped or
// data.RulePermutation, as lab train's --split-rule.
func splitReviews(reviews []data.Review, testFrac float64, seed uint64, rule string) (trainR, testR []data.Review, err error) {
	switch rule {
	case data.RuleGrouped:
		return data.SplitGrouped(reviews, testFrac, seed)
	case data.RulePermutation:
		return data.Split(reviews, testFrac, seed)
	}
	return nil, nil, fmt.Errorf("--split-rule %q: want %s or %s", rule, data.RuleGrouped, data.RulePermutation)
}

func trainOrAll(n, all int) int {
	if n <= 0 {
		return all
	}
	return n
}

// saveBaseline writes the model file and returns its size in bytes.
func saveBaseline(path string, m *baseline.Model, o baselineOutput, trainR []data.Review, seed uint64, testFrac float64, rule string, args []string) (int64, error) {
	meta := modelfile.Meta{
		Variant: "baseline",
		Metrics: map[string]float64{
			"test_accuracy": o.Test.Accuracy, "test_loss": o.Test.Loss, "test_n": float64(o.Test.N),
			"train_seconds": o.TrainSeconds, "eval_reviews_per_second": o.ReviewsPerS,
		},
		Provenance: modelfile.Provenance{Seed: seed, DataHash: data.Hash(trainR),
			Command: "lab baseline " + strings.Join(args, " "), Time: time.Now().UTC().Format(time.RFC3339)},
		Extra: map[string]string{lab.KeyTestFrac: fmt.Sprint(testFrac), lab.KeySplitRule: rule, "train_n": fmt.Sprint(len(trainR)),
			"c": fmt.Sprint(o.C), "min_df": fmt.Sprint(o.MinDF), "max_terms": fmt.Sprint(o.MaxTerms),
			"fit": mustJSON(o.Fit), "confusion": mustJSON(o.Test.Confusion)},
	}
	if o.Tune != nil {
		meta.Extra["tune"] = mustJSON(o.Tune)
	}
	if o.OOD != nil {
		meta.Metrics["ood_accuracy"], meta.Metrics["ood_loss"], meta.Metrics["ood_n"] = o.OOD.Accuracy, o.OOD.Loss, float64(o.OOD.N)
		meta.Extra["ood_data"] = filepath.Base(o.OODData)
	}
	f, err := modelfile.EncodeBaseline(m, meta)
	if err != nil {
		return 0, err
	}
	if err := writeOut(path, f); err != nil {
		return 0, err
	}
	return modelfile.Size(f)
}

// loadBaseline returns the baseline model at path, or nil if the file
// holds an LSTM (or cannot be read: loadModel then says why). eval and
// predict call it first, so they take either kind.
func loadBaseline(path string) *modelfile.LoadedBaseline {
	if path == "" {
		return nil
	}
	_, lb, err := modelfile.LoadAnyFile(path)
	if err != nil {
		return nil
	}
	return lb
}

// evalBaseline is `lab eval` for a baseline file: the same output as for
// an LSTM.
func evalBaseline(lb *modelfile.LoadedBaseline, modelPath, dataPath, split string, seed uint64, testFrac float64, asJSON bool) error {
	reviews, err := loadData(dataPath)
	if err != nil {
		return err
	}
	if split == "test" {
		// The file's own split rule (files without one used data.Split's).
		rule := lb.Meta.Extra[lab.KeySplitRule]
		if rule == "" {
			rule = data.RulePermutation
		}
		if _, reviews, err = splitReviews(reviews, testFrac, seed, rule); err != nil {
			return err
		}
	}
	xs, ys := data.TextsLabels(reviews)
	t0 := time.Now()
	mt := train.MetricsOf(lb.Model.Logits(xs), data.FloatLabels(ys))
	sec := time.Since(t0).Seconds()
	fmt.Fprintf(os.Stderr, "accuracy %.4f  loss %.4f  on %d reviews  (%.0f reviews/s)\n", mt.Accuracy, mt.Loss, mt.N, float64(mt.N)/sec)
	fmt.Fprintf(os.Stderr, "confusion [[TN FP] [FN TP]] = %v\n", mt.Confusion)
	if asJSON {
		return printJSON(struct {
			*train.Metrics
			Model         string  `json:"model"`
			Kind          string  `json:"kind"`
			Split         string  `json:"split"`
			Seconds       float64 `json:"seconds"`
			ReviewsPerSec float64 `json:"reviews_per_second"`
		}{mt, modelPath, modelfile.KindTFIDFLogReg, split, sec, float64(mt.N) / sec})
	}
	return nil
}

// predictBaseline is `lab predict` for a baseline file: the probability of
// each text, and with --json the n-grams that moved it most each way.
func predictBaseline(lb *modelfile.LoadedBaseline, texts []string, asJSON bool) error {
	type pred struct {
		Text     string                  `json:"text"`
		Positive float64                 `json:"positive"`
		Logit    float64                 `json:"logit"`
		Bias     float32                 `json:"bias"`
		Pros     []baseline.Contribution `json:"top_positive"`
		Cons     []baseline.Contribution `json:"top_negative"`
	}
	var out []pred
	for _, s := range texts {
		e := lb.Model.Explain(s)
		pros, cons := e.Top(5)
		out = append(out, pred{s, e.Positive, e.Logit, e.Bias, pros, cons})
		if !asJSON {
			fmt.Printf("%.4f\n", e.Positive)
		}
	}
	if asJSON {
		return printJSON(out)
	}
	return nil
}
