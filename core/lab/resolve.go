package lab

import (
	"errors"
	"fmt"
	"strconv"

	"sentilab/core/data"
	"sentilab/core/kernels"
	"sentilab/core/nn"
	"sentilab/protocol"
)

// DefaultSeed seeds the split, initialisation, shuffling and dropout when
// nothing else is asked for.
const DefaultSeed = 42

// Overrides change a preset's hyperparameters; nil keeps the preset's.
type Overrides struct {
	Vocab, Embed, Hidden, MaxLen *int
	Padding                      *string
	Masking                      *bool
	Dropout                      *float64
	Epochs, BatchSize, Patience  *int
	ValSplit, LR, TestFrac       *float64
	TrainLimit                   *int
	Seed                         *uint64
	SplitRule                    *string // data.RulePermutation or data.RuleGrouped
}

// Plan is a resolved, validated training run.
type Plan struct {
	Preset        // the preset's name, with every override applied
	Seed   uint64 // of the split, initialisation, shuffling and dropout
}

// Resolve applies the overrides to the named preset and checks every
// hyperparameter, naming the one out of range. Early stopping needs
// validation data: a validation split overridden to 0 turns the preset's
// patience off, and an explicit patience with it is refused.
func Resolve(name string, o Overrides) (Plan, error) {
	p, err := LookupPreset(name)
	if err != nil {
		return Plan{}, err
	}
	pl := Plan{Preset: p, Seed: DefaultSeed}
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	setF := func(dst *float64, v *float64) {
		if v != nil {
			*dst = *v
		}
	}
	set(&pl.Model.Vocab, o.Vocab)
	set(&pl.Model.Embed, o.Embed)
	set(&pl.Model.Hidden, o.Hidden)
	set(&pl.Model.MaxLen, o.MaxLen)
	if o.Padding != nil {
		pl.Model.Padding = *o.Padding
	}
	if o.Masking != nil {
		pl.Model.Masking = *o.Masking
	}
	if o.Dropout != nil {
		pl.Model.Dropout = float32(*o.Dropout)
	}
	set(&pl.Epochs, o.Epochs)
	set(&pl.BatchSize, o.BatchSize)
	setF(&pl.ValSplit, o.ValSplit)
	setF(&pl.LR, o.LR)
	setF(&pl.TestFrac, o.TestFrac)
	set(&pl.TrainLimit, o.TrainLimit)
	if o.ValSplit != nil && *o.ValSplit == 0 && o.Patience == nil {
		pl.Patience = 0
	}
	set(&pl.Patience, o.Patience)
	if o.Seed != nil {
		pl.Seed = *o.Seed
	}
	if o.SplitRule != nil {
		pl.SplitRule = *o.SplitRule
	}
	return pl, pl.Validate()
}

// Validate checks every hyperparameter of the plan.
func (p Plan) Validate() error {
	if err := p.Model.Validate(); err != nil {
		return err
	}
	// The model's size and its activations at this batch size, before any
	// data is read or any weight allocated (a header-sized typo must not
	// run for minutes and then die out of memory).
	b := nn.DefaultBudget
	b.Batch = max(b.Batch, p.BatchSize)
	if err := p.Model.CheckBudget(b); err != nil {
		return err
	}
	switch {
	case p.Epochs < 1 || p.Epochs > 1000:
		return fmt.Errorf("epochs %d out of range [1, 1000]", p.Epochs)
	case p.BatchSize < 1 || p.BatchSize > 65536:
		return fmt.Errorf("batch size %d out of range [1, 65536]", p.BatchSize)
	case !(p.LR > 0 && p.LR < 10):
		return fmt.Errorf("learning rate %v out of range (0, 10)", p.LR)
	case !(p.ValSplit >= 0 && p.ValSplit < 1):
		return fmt.Errorf("validation split %v out of range [0, 1)", p.ValSplit)
	case !(p.TestFrac > 0 && p.TestFrac < 1):
		return fmt.Errorf("test fraction %v out of range (0, 1)", p.TestFrac)
	case p.SplitRule != data.RulePermutation && p.SplitRule != data.RuleGrouped:
		return fmt.Errorf("split rule %q: want %s or %s", p.SplitRule, data.RulePermutation, data.RuleGrouped)
	case p.TrainLimit < 0:
		return fmt.Errorf("training subset size %d is negative", p.TrainLimit)
	case p.Patience < 0 || p.Patience > p.Epochs:
		return fmt.Errorf("patience %d out of range [0, epochs %d]", p.Patience, p.Epochs)
	case p.Patience > 0 && p.ValSplit == 0:
		return errors.New("early stopping (patience > 0) needs a validation split > 0")
	}
	return nil
}

// RequestOverrides reads a train request's overrides: a zero number keeps
// the preset's value (the page sends every field of its form), a pointer
// overrides when present, and seed 0 is DefaultSeed.
func RequestOverrides(r protocol.TrainRequest) Overrides {
	var o Overrides
	nz := func(v int) *int {
		if v == 0 {
			return nil
		}
		return &v
	}
	nzF := func(v float64) *float64 {
		if v == 0 {
			return nil
		}
		return &v
	}
	o.Vocab, o.Embed, o.Hidden, o.MaxLen = nz(r.Vocab), nz(r.Embed), nz(r.Hidden), nz(r.MaxLen)
	if r.Padding != "" {
		o.Padding = &r.Padding
	}
	o.Masking, o.Dropout = r.Masking, r.Dropout
	o.Epochs, o.BatchSize, o.Patience = nz(r.Epochs), nz(r.BatchSize), r.Patience
	o.ValSplit, o.LR, o.TestFrac = r.ValSplit, nzF(r.LR), nzF(r.TestFrac)
	o.TrainLimit = r.TrainLimit
	if r.SplitRule != "" {
		o.SplitRule = &r.SplitRule
	}
	if r.Seed != 0 {
		o.Seed = &r.Seed
	}
	return o
}

// ConfigJSON is the protocol's form of a model shape. Dropout goes through
// its shortest decimal form, so a float32 0.2 reads 0.2, not 0.2000000029.
func ConfigJSON(c nn.Config) protocol.ModelConfig {
	d, _ := strconv.ParseFloat(strconv.FormatFloat(float64(c.Dropout), 'g', -1, 32), 64)
	return protocol.ModelConfig{Vocab: c.Vocab, Embed: c.Embed, Hidden: c.Hidden, MaxLen: c.MaxLen, Padding: c.Padding,
		Masking: c.Masking, Dropout: d}
}

// ConfigOf is the model shape a protocol message describes.
func ConfigOf(c protocol.ModelConfig) nn.Config {
	return nn.Config{Vocab: c.Vocab, Embed: c.Embed, Hidden: c.Hidden, MaxLen: c.MaxLen, Padding: c.Padding,
		Masking: c.Masking, Dropout: float32(c.Dropout)}
}

// Kernels returns the matmul kernels called name: "portable" (the plain Go
// loops, the same bits in every build) or "native" / "" (the build's
// fastest: AVX-512/AVX2 natively, SIMD128 in a browser that has it).
func Kernels(name string) (kernels.Kernels, error) {
	switch name {
	case "", "native":
		return kernels.Default(), nil
	case "portable":
		return kernels.Portable, nil
	}
	return kernels.Kernels{}, fmt.Errorf("kernels %q: want portable or native", name)
}
