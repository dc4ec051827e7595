package compress

import (
	"context"
	"fmt"

	"sentilab/core/kernels"
	"sentilab/core/nn"
	"sentilab/core/train"
)

// Tune are the fine-tuning hyperparameters of the steps that train (prune,
// prune-units, distill). Fine-tuning sees the training split only; like
// Keras's fit it holds out its last ValSplit for validation.
type Tune struct {
	Epochs    int
	BatchSize int
	ValSplit  float64
	LR        float64
	Seed      uint64
	Workers   int
	Kernels   kernels.Kernels
	Progress  func(train.Progress)
	// Patience stops early on validation loss and restores the best
	// epoch's weights (as the fast preset trains its base); 0 runs every
	// epoch. Pruning refuses it: an earlier epoch had a lower sparsity.
	Patience int
}

// DefaultTune is the thesis's fine-tuning: 3 epochs, batch 64, Adam 1e-3,
// validation split 0.1.
func DefaultTune() Tune {
	return Tune{Epochs: 3, BatchSize: 64, ValSplit: 0.1, LR: 1e-3, Seed: 42, Workers: 1, Kernels: kernels.Default()}
}

func (t Tune) options() train.Options {
	return train.Options{Epochs: t.Epochs, BatchSize: t.BatchSize, ValSplit: t.ValSplit, Seed: t.Seed, LR: t.LR,
		Workers: t.Workers, Kernels: t.Kernels, Progress: t.Progress, Patience: t.Patience}
}

// StepsPerEpoch is the number of optimiser steps of one epoch over n
// examples: what TF-MOT users write as ceil(n·(1−val)/batch)·epochs for
// the end step (the held-out rows counted as train.Fit counts them).
func (t Tune) StepsPerEpoch(n int) int {
	nTrain := n - int(float64(n)*t.ValSplit)
	return (nTrain + t.BatchSize - 1) / t.BatchSize
}

// FineTune trains m on set with the labels (plain BCE).
func FineTune(ctx context.Context, m *nn.Model, set train.Set, t Tune) (*train.Result, error) {
	return train.Fit(ctx, m, set, t.options())
}

// PruneOptions configure magnitude pruning.
type PruneOptions struct {
	// Schedule; nil is the thesis's PolynomialDecay(0.2 → 0.8, begin 0,
	// end = the fine-tune's steps, power 3, frequency 100).
	Schedule Schedule
	Tensors  []string // nil = DefaultPruneTensors
	Tune     Tune
}

// ThesisSchedule is the thesis's PolynomialDecay over `steps` steps.
func ThesisSchedule(steps int) PolynomialDecay {
	return PolynomialDecay{Initial: 0.2, Final: 0.8, Begin: 0, End: steps, Power: 3, Frequency: 100}
}

// PruneResult is what Prune did.
type PruneResult struct {
	Fit        *train.Result    `json:"fit"`
	Steps      int              `json:"steps"`
	Updates    int              `json:"mask_updates"`
	Target     float64          `json:"final_target_sparsity"` // of the last mask update
	Sparsities []TensorSparsity `json:"sparsity"`
}

// Prune fine-tunes m on set while pruning it to the schedule; m ends with
// its masked weights exactly zero.
func Prune(ctx context.Context, m *nn.Model, set train.Set, opt PruneOptions) (*PruneResult, error) {
	if opt.Tune.Patience > 0 {
		return nil, fmt.Errorf("prune: early stopping would restore an epoch pruned less than the last; run every epoch (patience 0)")
	}
	steps := opt.Tune.Epochs * opt.Tune.StepsPerEpoch(set.N)
	s := opt.Schedule
	if s == nil {
		s = ThesisSchedule(steps)
	}
	p, err := NewPruner(m, s, opt.Tensors)
	if err != nil {
		return nil, err
	}
	tr, err := train.NewTrainer(m, opt.Tune.options())
	if err != nil {
		return nil, err
	}
	p.BeforeStep(0)
	tr.AfterStep = p.AfterStep
	res, err := tr.Fit(ctx, set)
	if err != nil {
		return nil, err
	}
	p.Apply()
	return &PruneResult{Fit: res, Steps: steps, Updates: p.Updates, Target: p.Sparsity, Sparsities: Sparsities(m)}, nil
}

// checkSameData refuses a teacher whose inputs differ from the student's.
func checkSameData(a, b nn.Config) error {
	if a.Vocab != b.Vocab || a.MaxLen != b.MaxLen || a.Padding != b.Padding || a.Masking != b.Masking {
		return fmt.Errorf("teacher reads vocab %d, max length %d, %s padding, masking %v; student %d, %d, %s, %v: they must read the same sequences",
			a.Vocab, a.MaxLen, a.Padding, a.Masking, b.Vocab, b.MaxLen, b.Padding, b.Masking)
	}
	return nil
}
