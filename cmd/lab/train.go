package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"sentilab/core/lab"
	"sentilab/core/train"
	"sentilab/protocol"
)

// hyper binds the hyperparameter flags; unset flags keep the preset's value.
type hyper struct {
	fs                                   *flag.FlagSet
	preset                               string
	vocab, embed, hidden, maxLen, batch  int
	epochs, patience, trainSize, workers int
	padding, kernels, splitRule          string
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
	fs.Uint64Var(&h.seed, "seed", lab.DefaultSeed, "seed of the split, initialisation, shuffling and dropout")
	fs.StringVar(&h.splitRule, "split-rule", "", "grouped (exact duplicate reviews on one side; fast, classroom) or permutation (the thesis's split)")
	fs.IntVar(&h.workers, "workers", 0, "goroutines that share each batch (default: all cores; the weights depend on it)")
	fs.StringVar(&h.kernels, "kernels", "native", "matmul kernels: native (the fastest this machine has) or portable (plain Go: the browser engine's bits)")
	return h
}

// overrides are the flags the user set.
func (h *hyper) overrides() lab.Overrides {
	var o lab.Overrides
	h.fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "vocab":
			o.Vocab = &h.vocab
		case "embed":
			o.Embed = &h.embed
		case "hidden":
			o.Hidden = &h.hidden
		case "maxlen":
			o.MaxLen = &h.maxLen
		case "padding":
			o.Padding = &h.padding
		case "masking":
			o.Masking = &h.masking
		case "dropout":
			o.Dropout = &h.dropout
		case "batch":
			o.BatchSize = &h.batch
		case "epochs":
			o.Epochs = &h.epochs
		case "patience":
			o.Patience = &h.patience
		case "val-split":
			o.ValSplit = &h.valSplit
		case "lr":
			o.LR = &h.lr
		case "test-frac":
			o.TestFrac = &h.testFrac
		case "train-size":
			o.TrainLimit = &h.trainSize
		case "seed":
			o.Seed = &h.seed
		case "split-rule":
			o.SplitRule = &h.splitRule
		}
	})
	return o
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
	if err := openOut(*out); err != nil {
		return err
	}
	defer closeOuts()
	plan, err := lab.Resolve(h.preset, h.overrides())
	if err != nil {
		return err
	}
	kernels, err := lab.Kernels(h.kernels)
	if err != nil {
		return fmt.Errorf("--kernels: %v", err)
	}
	workers := h.workers
	if workers == 0 {
		workers = defaultWorkers()
	}
	if workers < 1 || workers > 256 {
		return fmt.Errorf("--workers %d out of range [1, 256]", workers)
	}
	reviews, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	b := newBar()
	corpus := lab.NewCorpus(reviews, func(d, t int) { b.update(d, t, "cleaning", -1) })
	b.done()
	b = newBar()
	tr, err := lab.Train(ctx, corpus, plan, lab.RunOptions{Workers: workers, Kernels: kernels,
		Tokenize: func(trainRows, testRows int) {
			fmt.Fprintf(os.Stderr, "preset %s: %d training / %d test reviews, %d workers (%s kernels)\n", plan.Name, trainRows, testRows, workers, kernels.Name)
		},
		Progress: func(pr train.Progress) {
			b.update(pr.Done, pr.Total, fmt.Sprintf("epoch %d/%d batch %d/%d loss %.4f acc %.4f %.0f ex/s",
				pr.Epoch, pr.Epochs, pr.Batch, pr.Batches, pr.Loss, pr.Accuracy, pr.ExamplesPerSec), pr.ETA)
		}})
	b.done()
	if err != nil {
		return err
	}
	if n := tr.Model.Cfg.Vocab; n < plan.Model.Vocab {
		// Keras's num_words is a most, not a size: the saved config says
		// the vocabulary the file really holds.
		fmt.Fprintf(os.Stderr, "note: the training texts have %d distinct words, so the vocabulary is %d (padding and OOV included), not the %d asked for\n",
			tr.Tok.Distinct(), n, plan.Model.Vocab)
	}
	for _, e := range tr.Fit.History {
		fmt.Fprintf(os.Stderr, "epoch %2d  loss %.4f  acc %.4f  val_loss %.4f  val_acc %.4f  %.0fs\n", e.Epoch, e.Loss, e.Accuracy, e.ValLoss, e.ValAccuracy, e.Seconds)
	}
	if tr.Fit.BestEpoch > 0 {
		fmt.Fprintf(os.Stderr, "early stopping: kept epoch %d's weights\n", tr.Fit.BestEpoch)
	}
	fmt.Fprintf(os.Stderr, "test accuracy %.4f  loss %.4f  (%d reviews); weights %s\n", tr.Test.Accuracy, tr.Test.Loss, tr.Test.N, lab.WeightsHash(tr.Model))
	fmt.Fprintf(os.Stderr, "%s: %s\n", tr.TestEval.Data, tr.TestEval.Note)
	o := protocol.TrainOutput{Preset: plan.Name, Config: lab.ConfigJSON(tr.Model.Cfg), Params: tr.Model.NumParams(), TrainN: tr.TrainN, TestN: tr.TestN,
		TestAccuracy: tr.Test.Accuracy, TestLoss: tr.Test.Loss, Test: tr.Test, History: tr.Fit.History, BestEpoch: tr.Fit.BestEpoch,
		PrepSeconds: tr.PrepSeconds, TrainSeconds: tr.Fit.Seconds, EvalSeconds: tr.EvalSeconds,
		ExamplesPerSec: tr.Fit.ExamplesPerSec, Workers: tr.Workers, Kernels: tr.KernelsName, TestEval: tr.TestEval}
	if *out != "" {
		if err := saveModel(*out, tr, args); err != nil {
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
