package baseline

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Options configures Train. Zero fields take the defaults below, chosen by
// measurement on the IMDB split (see doc.go).
type Options struct {
	Config   Config  // tokenization, n-gram range, TF; zero = DefaultConfig
	MaxTerms int     // vocabulary size: the n-grams with the highest document frequency
	MinDF    int     // an n-gram must occur in this many training reviews
	C        float64 // inverse L2 strength, as scikit-learn's C
	MaxIter  int     // L-BFGS iterations (scikit-learn's max_iter)
	Tol      float64 // stop when ‖∂J/∂θ‖∞ ≤ Tol (scikit-learn's tol)
	Workers  int     // goroutines for the objective; the result does not depend on it
	// Progress, if set, hears each stage: "vocabulary" (two passes, so
	// Total is twice the reviews) and "features" every 256 reviews, "fit"
	// after every objective evaluation with the L-BFGS iterations done of
	// MaxIter and the loss. A browser worker yields to its event loop and
	// sees "cancel" from it: in wasm under Node the calls come about 100 ms
	// apart, and up to a second apart on a loaded machine (the ranking of
	// the vocabulary and the garbage collector are not divisible).
	Progress func(Progress)
}

// Progress is one report from Train.
type Progress struct {
	Stage string  `json:"stage"`
	Done  int     `json:"done"`
	Total int     `json:"total"`
	Loss  float64 `json:"loss,omitempty"`
}

// DefaultConfig is the features Options.Config defaults to: scikit-learn's
// tokens, words and bigrams, sublinear TF.
func DefaultConfig() Config {
	return Config{Tokens: TokensSklearn, NGramMin: 1, NGramMax: 2, Sublinear: true}
}

// Defaults of Options.
const (
	DefaultMaxTerms = 200_000
	DefaultMinDF    = 2
	DefaultC        = 30
	DefaultMaxIter  = 100
	DefaultTol      = 1e-4
)

func (o Options) withDefaults() Options {
	if o.Config == (Config{}) {
		o.Config = DefaultConfig()
	}
	if o.MaxTerms == 0 {
		o.MaxTerms = DefaultMaxTerms
	}
	if o.MinDF == 0 {
		o.MinDF = DefaultMinDF
	}
	if o.C == 0 {
		o.C = DefaultC
	}
	if o.MaxIter == 0 {
		o.MaxIter = DefaultMaxIter
	}
	if o.Tol == 0 {
		o.Tol = DefaultTol
	}
	if o.Workers <= 0 {
		o.Workers = 1
	}
	return o
}

// Validate checks the options after defaults.
func (o Options) Validate() error {
	o = o.withDefaults()
	if err := o.Config.Validate(); err != nil {
		return err
	}
	switch {
	case o.MaxTerms < 1 || o.MaxTerms > MaxTerms:
		return fmt.Errorf("vocabulary size %d: want 1 to %d", o.MaxTerms, MaxTerms)
	case o.MinDF < 1:
		return fmt.Errorf("min_df %d: want ≥ 1", o.MinDF)
	case !(o.C > 0) || math.IsInf(o.C, 0):
		return fmt.Errorf("C %v: want a finite number > 0", o.C)
	case o.MaxIter < 1:
		return fmt.Errorf("max_iter %d: want ≥ 1", o.MaxIter)
	case !(o.Tol >= 0):
		return fmt.Errorf("tol %v: want ≥ 0", o.Tol)
	}
	return nil
}

// Result says how training went.
type Result struct {
	Terms       int     `json:"terms"`
	NonZeros    int     `json:"nonzeros"` // stored entries of the training matrix
	Iterations  int     `json:"iterations"`
	Evaluations int     `json:"evaluations"`
	Loss        float64 `json:"loss"` // the regularized objective J at the end
	GradNorm    float64 `json:"grad_norm"`
	Converged   bool    `json:"converged"`
	// Wall time of each stage: a class sees where the seconds go.
	VocabSeconds    float64 `json:"vocab_seconds"`
	FeaturesSeconds float64 `json:"features_seconds"`
	FitSeconds      float64 `json:"fit_seconds"`
}

// Train fits a TF-IDF logistic regression on reviews with 0/1 labels:
// vocabulary and IDF from these reviews, then L-BFGS from zero weights.
// It is deterministic: the same reviews and options give the same weights,
// whatever Workers is, natively and in WebAssembly.
func Train(ctx context.Context, reviews []string, labels []int, opt Options) (*Model, *Result, error) {
	if err := opt.Validate(); err != nil {
		return nil, nil, err
	}
	opt = opt.withDefaults()
	y, err := labels01(labels, len(reviews))
	if err != nil {
		return nil, nil, err
	}
	report := func(stage string) func(int, int) {
		if opt.Progress == nil {
			return nil
		}
		return func(d, t int) { opt.Progress(Progress{Stage: stage, Done: d, Total: t}) }
	}
	t0 := time.Now()
	terms, idf, corp, err := fitVocabulary(ctx, reviews, opt.Config, opt.MaxTerms, opt.MinDF, report("vocabulary"))
	if err != nil {
		return nil, nil, err
	}
	m, err := New(opt.Config, terms, idf, make([]float32, len(terms)), 0)
	if err != nil {
		return nil, nil, err
	}
	t1 := time.Now()
	x, err := corp.rows(ctx, m, report("features"))
	if err != nil {
		return nil, nil, err
	}
	t2 := time.Now()
	theta := make([]float64, len(terms)+1)
	r, err := fitTheta(ctx, x, y, theta, opt)
	if err != nil {
		return nil, nil, err
	}
	m.setTheta(theta)
	r.Terms, r.NonZeros = len(terms), x.nnz()
	r.VocabSeconds, r.FeaturesSeconds, r.FitSeconds = t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds(), time.Since(t2).Seconds()
	return m, r, nil
}

// fitTheta minimizes the objective over θ, starting from θ's values.
func fitTheta(ctx context.Context, x *rows, y []float64, theta []float64, opt Options) (*Result, error) {
	obj := newObjective(x, y, opt.C, opt.Workers, len(theta))
	f := obj.eval
	var onIter func(int, float64, float64)
	if opt.Progress != nil {
		// Report after every evaluation, not only every iteration: a line
		// search may evaluate several times, and a browser worker yields
		// to its event loop only from Progress (about 100 ms apart in wasm).
		done, last := 0, 0.0
		report := func() { opt.Progress(Progress{Stage: "fit", Done: done, Total: opt.MaxIter, Loss: last}) }
		f = func(theta, grad []float64) float64 {
			v := obj.eval(theta, grad)
			report()
			return v
		}
		onIter = func(it int, loss, _ float64) { done, last = it, loss }
	}
	lr, err := lbfgs(ctx, f, theta, opt.MaxIter, 10, opt.Tol, 1e-10, onIter)
	if err != nil {
		return nil, err
	}
	return &Result{Iterations: lr.Iterations, Evaluations: lr.Evaluations, Loss: lr.Loss,
		GradNorm: lr.GradNorm, Converged: lr.Converged}, nil
}

// setTheta stores θ = [w, b] as the model's float32 weights and bias.
func (m *Model) setTheta(theta []float64) {
	for j := range m.Weights {
		m.Weights[j] = float32(theta[j])
	}
	m.Bias = float32(theta[len(theta)-1])
}

func labels01(labels []int, n int) ([]float64, error) {
	if len(labels) != n {
		return nil, fmt.Errorf("%d reviews but %d labels", n, len(labels))
	}
	if n == 0 {
		return nil, fmt.Errorf("no training reviews")
	}
	y := make([]float64, n)
	for i, l := range labels {
		if l != 0 && l != 1 {
			return nil, fmt.Errorf("label %d of review %d: want 0 (negative) or 1 (positive)", l, i)
		}
		y[i] = float64(l)
	}
	return y, nil
}

// vectorizeAll builds the TF-IDF rows of reviews under m.
func vectorizeAll(ctx context.Context, m *Model, reviews []string, progress func(done, total int)) (*rows, error) {
	x := &rows{idx: make([][]int32, 0, len(reviews)), val: make([][]float32, 0, len(reviews))}
	var v Vectorizer
	for i, r := range reviews {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if progress != nil {
				progress(i, len(reviews))
			}
		}
		idx, val := v.Row(m, r)
		x.add(idx, val)
	}
	if progress != nil {
		progress(len(reviews), len(reviews))
	}
	return x, nil
}
