package lab

import (
	"context"
	"time"

	"sentilab/core/fingerprint"
	"sentilab/core/kernels"
	"sentilab/core/nn"
	"sentilab/core/text"
	"sentilab/core/train"
	"sentilab/protocol"
)

// RunOptions say how a shell runs a plan. Of them only Workers, Kernels
// and MaxBatches change the weights; the rest are the shell's world.
type RunOptions struct {
	Workers  int             // workers sharing each batch (core/train's chunk rule)
	Kernels  kernels.Kernels // zero = kernels.Default()
	Progress func(train.Progress)
	EpochEnd func(history []train.Epoch)
	// Tokenize runs when the split is made, before the tokenizer is fitted.
	Tokenize func(trainRows, testRows int)
	// EvalProgress reports the test evaluation.
	EvalProgress func(done, total int)
	// Pause runs before every batch and between gradient chunks and
	// evaluation batches (the browser gives JS a turn there); its error
	// stops the run.
	Pause func() error
	// Grad computes each batch's gradient instead of local goroutines
	// (train.Trainer.Grad): the browser shares it with helper engines.
	Grad func(ctx context.Context, b train.Batch, local *train.Worker) (float64, int, error)
	// ValLogits scores the validation rows instead of local goroutines
	// (train.Options.ValLogits): the browser shares them with its helpers.
	ValLogits func(ctx context.Context, m *nn.Model, val train.Set, opt train.EvalOptions) ([]float32, error)
	// BeforeFit runs once the model is initialised (the browser sends
	// helpers the set and the weights here).
	BeforeFit func(m *nn.Model, set train.Set, opt train.Options) error
	// AfterFit runs when the fit has ended, before the test split is
	// scored (the browser collects the fit's garbage there).
	AfterFit func()
	// MaxBatches stops every epoch after this many batches (benchmarks).
	MaxBatches int
	// EvalWorkers scores the validation rows and the test split with this
	// many goroutines (0 = Workers). The browser engine evaluates alone on
	// its one thread: a second workspace there is ~50 MB of wasm memory for
	// no speed.
	EvalWorkers int
}

// Trained is a finished training run.
type Trained struct {
	Plan      Plan // with Vocab cut to the corpus's words
	Model     *nn.Model
	Tok       *text.Tokenizer
	Fit       *train.Result
	Test      *train.Metrics
	TrainN    int
	TestN     int
	TrainHash string
	// Fingerprints are the training reviews' (the whole training split,
	// validation rows included), for the model file.
	Fingerprints *fingerprint.Set
	// TestEval is Test split by the training reviews: under the thesis's
	// permutation split, repeated reviews leak into the test set (133 of
	// 10,000 at seed 42 on the Kaggle CSV); under the grouped rule none.
	TestEval    *protocol.Evaluation
	PrepSeconds float64
	EvalSeconds float64
	Workers     int
	KernelsName string
}

// Split is the plan's data split.
func (p Plan) Split() SplitSpec {
	return SplitSpec{Seed: p.Seed, TestFrac: p.TestFrac, TrainLimit: p.TrainLimit, Rule: p.SplitRule}
}

// FitOptions are the plan's fit options for a run.
func (p Plan) FitOptions(o RunOptions) train.Options {
	k := o.Kernels
	if k.Gemm == nil {
		k = kernels.Default()
	}
	return train.Options{Epochs: p.Epochs, BatchSize: p.BatchSize, ValSplit: p.ValSplit, Seed: p.Seed, LR: p.LR,
		Workers: max(1, o.Workers), EvalWorkers: o.EvalWorkers, Patience: p.Patience, Kernels: k, Progress: o.Progress, EpochEnd: o.EpochEnd,
		Pause: o.Pause, MaxBatches: o.MaxBatches, ValLogits: o.ValLogits}
}

// Train runs a plan on a corpus: split, tokenize, initialise the model
// from the seed, fit (early stopping restores the best epoch's weights)
// and score the test split.
func Train(ctx context.Context, c Corpus, p Plan, o RunOptions) (*Trained, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	opt := p.FitOptions(o)
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	t0 := time.Now()
	texts, err := c.Split(p.Split())
	if err != nil {
		return nil, err
	}
	if o.Tokenize != nil {
		o.Tokenize(len(texts.TrainX), len(texts.TestX))
	}
	prep, err := Prepare(texts, p.Model)
	if err != nil {
		return nil, err
	}
	// Encoded now: the cleaned texts (≈41 MB for 50,000 reviews) are garbage
	// from here, before the fit allocates the model and its buffers.
	texts.TrainX, texts.TestX = nil, nil
	p.Model = prep.Config
	m, err := nn.NewModel(p.Model)
	if err != nil {
		return nil, err
	}
	nn.Init(m, p.Seed)
	prepSec := time.Since(t0).Seconds()
	if o.BeforeFit != nil {
		if err := o.BeforeFit(m, prep.Train, opt); err != nil {
			return nil, err
		}
	}
	tr, err := train.NewTrainer(m, opt)
	if err != nil {
		return nil, err
	}
	tr.Grad = o.Grad
	res, err := tr.Fit(ctx, prep.Train)
	if err != nil {
		return nil, err
	}
	// The test split reuses the trainer's workspaces; the rest of it (Adam,
	// gradients) is garbage from here, which AfterFit may collect.
	scratch := tr.Workspaces()
	if o.AfterFit != nil {
		o.AfterFit()
	}
	t1 := time.Now()
	ew := opt.Workers
	if o.EvalWorkers > 0 {
		ew = o.EvalWorkers
	}
	z, err := Logits(ctx, m, nil, prep.Test, EvalOptions{Workers: ew, Kernels: opt.Kernels, Pause: o.Pause, Progress: o.EvalProgress,
		Reuse: scratch})
	if err != nil {
		return nil, err
	}
	raw := make([]string, len(texts.TestIndex))
	for k, i := range texts.TestIndex {
		raw[k] = c.Reviews[i].Text
	}
	ev, err := ScoreSeen(z, prep.Test.Labels, raw, TrainingTexts(c, texts.TrainIndex), p.Split().Describe(len(c.Reviews)))
	if err != nil {
		return nil, err
	}
	return &Trained{Plan: p, Model: m, Tok: prep.Tok, Fit: res, Test: ev.Metrics, TestEval: ev, TrainN: prep.Train.N, TestN: prep.Test.N,
		TrainHash: prep.TrainHash, Fingerprints: Fingerprints(c, texts.TrainIndex), PrepSeconds: prepSec,
		EvalSeconds: time.Since(t1).Seconds(), Workers: opt.Workers, KernelsName: opt.Kernels.Name}, nil
}
