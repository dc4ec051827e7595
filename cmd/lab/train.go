package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"sentilab/core/lab"
	"sentilab/core/nn"
	"sentilab/core/train"
)

// hyper binds the hyperparameter flags; unset flags keep the preset's value.
type hyper struct {
	fs                                   *flag.FlagSet
	preset                               string
	vocab, embed, hidden, maxLen, batch  int
	epochs, patience, trainSize, workers int
	padding                              string
	masking                              bool
	dropout, valSplit, lr, testFrac      float64
	seed                                 uint64
}

func hyperFlags(fs *flag.FlagSet) *hyper {
	h := &hyper{fs: fs}
	fs.StringVar(&h.preset, "preset", "fast", "preset: thesis, fast or classroom (flags below override it)")
	fs.IntVar(&h.vocab, "vocab", 0, "tokenizer num_words, padding and OOV included")
	fs.IntVar(&h.embed, "embed", 0, "embedding width")
	fs.IntVar(&h.hidden, "hidden", 0, "LSTM units")
	fs.IntVar(&h.maxLen, "maxlen", 0, "steps after padding/truncation")
	fs.StringVar(&h.padding, "padding", "", "pad and truncate at the end (post) or start (pre)")
	fs.BoolVar(&h.masking, "masking", false, "skip padded steps (Keras mask_zero)")
	fs.Float64Var(&h.dropout, "dropout", 0, "dropout rate before the dense layer")
	fs.IntVar(&h.batch, "batch", 0, "batch size")
	fs.IntVar(&h.epochs, "epochs", 0, "epochs (the most, with --patience)")
	fs.IntVar(&h.patience, "patience", 0, "early stopping: epochs without a better validation loss (0 = off)")
	fs.Float64Var(&h.valSplit, "val-split", 0, "last share of the training set held out for validation")
	fs.Float64Var(&h.lr, "lr", 0, "Adam learning rate")
	fs.Float64Var(&h.testFrac, "test-frac", 0, "share of the dataset held out for the test")
	fs.IntVar(&h.trainSize, "train-size", 0, "use only the first N training reviews (0 = all)")
	fs.Uint64Var(&h.seed, "seed", 42, "seed of the split, initialisation, shuffling and dropout")
	fs.IntVar(&h.workers, "workers", 0, "goroutines that share each batch (default: all cores)")
	return h
}

// resolve applies the flags the user set over the preset.
func (h *hyper) resolve() (lab.Preset, error) {
	p, err := lab.LookupPreset(h.preset)
	if err != nil {
		return p, err
	}
	h.fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "vocab":
			p.Model.Vocab = h.vocab
		case "embed":
			p.Model.Embed = h.embed
		case "hidden":
			p.Model.Hidden = h.hidden
		case "maxlen":
			p.Model.MaxLen = h.maxLen
		case "padding":
			p.Model.Padding = h.padding
		case "masking":
			p.Model.Masking = h.masking
		case "dropout":
			p.Model.Dropout = float32(h.dropout)
		case "batch":
			p.BatchSize = h.batch
		case "epochs":
			p.Epochs = h.epochs
		case "patience":
			p.Patience = h.patience
		case "val-split":
			p.ValSplit = h.valSplit
		case "lr":
			p.LR = h.lr
		case "test-frac":
			p.TestFrac = h.testFrac
		case "train-size":
			p.TrainLimit = h.trainSize
		}
	})
	if err := p.Model.Validate(); err != nil {
		return p, err
	}
	if !(p.TestFrac > 0 && p.TestFrac < 1) {
		return p, fmt.Errorf("--test-frac %v out of range (0, 1)", p.TestFrac)
	}
	return p, nil
}

func (h *hyper) options(p lab.Preset) train.Options {
	w := h.workers
	if w == 0 {
		w = defaultWorkers()
	}
	return train.Options{Epochs: p.Epochs, BatchSize: p.BatchSize, ValSplit: p.ValSplit, Seed: h.seed,
		LR: p.LR, Workers: w, Patience: p.Patience, Kernels: nn.DefaultKernels()}
}

// trainOutput is `lab train --json`.
type trainOutput struct {
	Preset         string         `json:"preset"`
	Config         nn.Config      `json:"config"`
	Params         int            `json:"params"`
	TrainN         int            `json:"train_n"`
	TestN          int            `json:"test_n"`
	TestAccuracy   float64        `json:"test_accuracy"`
	TestLoss       float64        `json:"test_loss"`
	Test           *train.Metrics `json:"test"`
	History        []train.Epoch  `json:"history"`
	BestEpoch      int            `json:"best_epoch,omitempty"`
	PrepSeconds    float64        `json:"prep_seconds"`
	TrainSeconds   float64        `json:"train_seconds"`
	EvalSeconds    float64        `json:"eval_seconds"`
	ExamplesPerSec float64        `json:"examples_per_second"`
	Workers        int            `json:"workers"`
	Kernels        string         `json:"kernels"`
	Model          string         `json:"model,omitempty"`
}

func runTrain(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	h := hyperFlags(fs)
	dataPath := dataFlag(fs)
	out := fs.String("out", "", "write the trained model file here")
	asJSON := fs.Bool("json", false, "print the results as JSON on stdout")
	if err := parse(fs, args); err != nil {
		return err
	}
	p, err := h.resolve()
	if err != nil {
		return err
	}
	opt := h.options(p)
	if err := opt.Validate(); err != nil {
		return err
	}
	reviews, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	t0 := time.Now()
	b := newBar()
	prep, err := train.Prepare(reviews, p.Model, p.TestFrac, p.TrainLimit, h.seed, func(d, t int) { b.update(d, t, "cleaning and tokenizing", -1) })
	b.done()
	if err != nil {
		return err
	}
	prepSec := time.Since(t0).Seconds()
	m, err := nn.NewModel(p.Model)
	if err != nil {
		return err
	}
	nn.Init(m, h.seed)
	fmt.Fprintf(os.Stderr, "preset %s: %d training / %d test reviews, %d parameters, %d workers (%s kernels)\n",
		p.Name, prep.Train.N, prep.Test.N, m.NumParams(), opt.Workers, opt.Kernels.Name)

	b = newBar()
	opt.Progress = func(pr train.Progress) {
		b.update(pr.Done, pr.Total, fmt.Sprintf("epoch %d/%d batch %d/%d loss %.4f acc %.4f %.0f ex/s",
			pr.Epoch, pr.Epochs, pr.Batch, pr.Batches, pr.Loss, pr.Accuracy, pr.ExamplesPerSec), pr.ETA)
	}
	res, err := train.Fit(ctx, m, prep.Train, opt)
	b.done()
	if err != nil {
		return err
	}
	for _, e := range res.History {
		fmt.Fprintf(os.Stderr, "epoch %2d  loss %.4f  acc %.4f  val_loss %.4f  val_acc %.4f  %.0fs\n", e.Epoch, e.Loss, e.Accuracy, e.ValLoss, e.ValAccuracy, e.Seconds)
	}
	t1 := time.Now()
	test, err := train.Evaluate(ctx, m, prep.Test, train.EvalOptions{BatchSize: 256, Workers: opt.Workers, Kernels: opt.Kernels})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "test accuracy %.4f  loss %.4f  (%d reviews)\n", test.Accuracy, test.Loss, test.N)
	o := trainOutput{Preset: p.Name, Config: p.Model, Params: m.NumParams(), TrainN: prep.Train.N, TestN: prep.Test.N,
		TestAccuracy: test.Accuracy, TestLoss: test.Loss, Test: test, History: res.History, BestEpoch: res.BestEpoch,
		PrepSeconds: prepSec, TrainSeconds: res.Seconds, EvalSeconds: time.Since(t1).Seconds(),
		ExamplesPerSec: res.ExamplesPerSec, Workers: opt.Workers, Kernels: opt.Kernels.Name}
	if *out != "" {
		if err := saveModel(*out, m, prep, p, h.seed, test, res, args); err != nil {
			return err
		}
		o.Model = *out
		fmt.Fprintf(os.Stderr, "wrote %s\n", *out)
	}
	if *asJSON {
		return printJSON(o)
	}
	return nil
}
