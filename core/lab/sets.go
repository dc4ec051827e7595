package lab

import (
	"fmt"
	"strconv"

	"sentilab/core/compress"
	"sentilab/core/data"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/text"
	"sentilab/core/train"
)

// Metadata keys a trained model records its split under (with the seed in
// its provenance), so its compressed children fine-tune on the same
// training rows and every score uses the same test rows.
const (
	KeyPreset     = "preset"
	KeyTestFrac   = "test_frac"
	KeyTrainLimit = "train_limit"
	KeySplitRule  = "split_rule"
	// KeyWorkers is the worker count a model was trained with: beside the
	// seed it fixes the bits (core/train's chunk rule; `lab train --workers`).
	KeyWorkers = "workers"
)

// SplitMeta is the metadata that records sp (the seed goes in Provenance).
func SplitMeta(sp SplitSpec) map[string]string {
	return map[string]string{KeyTestFrac: fmt.Sprint(sp.TestFrac), KeyTrainLimit: fmt.Sprint(sp.TrainLimit), KeySplitRule: sp.rule()}
}

// SplitOf reads a model file's split: its provenance seed (0 = DefaultSeed),
// test_frac (default 0.2), train_limit (default 0: all) and split_rule
// (default permutation: files written before the rule was recorded used
// data.Split's).
func SplitOf(meta modelfile.Meta) (SplitSpec, error) {
	sp := SplitSpec{Seed: meta.Provenance.Seed, TestFrac: 0.2, Rule: data.RulePermutation}
	if sp.Seed == 0 {
		sp.Seed = DefaultSeed
	}
	var err error
	if s, ok := meta.Extra[KeyTestFrac]; ok {
		if sp.TestFrac, err = strconv.ParseFloat(s, 64); err != nil {
			return sp, fmt.Errorf("metadata %s %q: want a number: %v", KeyTestFrac, s, err)
		}
	}
	if s, ok := meta.Extra[KeyTrainLimit]; ok {
		if sp.TrainLimit, err = strconv.Atoi(s); err != nil {
			return sp, fmt.Errorf("metadata %s %q: want a whole number: %v", KeyTrainLimit, s, err)
		}
	}
	if s, ok := meta.Extra[KeySplitRule]; ok {
		if s != data.RulePermutation && s != data.RuleGrouped {
			return sp, fmt.Errorf("metadata %s %q: want %s or %s", KeySplitRule, s, data.RulePermutation, data.RuleGrouped)
		}
		sp.Rule = s
	}
	return sp, nil
}

// Sets rebuilds a stored model's split of c, encoded with its own
// tokenizer. dataHash, if not empty, is the provenance's hash of the
// training reviews, which must match: fine-tuning on other data, or
// testing on reviews the model trained on, would make every number
// meaningless.
func (c Corpus) Sets(sp SplitSpec, tok *text.Tokenizer, cfg nn.Config, dataHash string) (trainSet, testSet train.Set, err error) {
	t, err := c.Split(sp)
	if err != nil {
		return trainSet, testSet, err
	}
	if dataHash != "" && t.TrainHash() != dataHash {
		return trainSet, testSet, fmt.Errorf("the training reviews (seed %d, test_frac %v, train_limit %d, %s rule) hash to %s, the model's provenance says %s: not the data it was trained on",
			sp.Seed, sp.TestFrac, sp.TrainLimit, sp.rule(), t.TrainHash(), dataHash)
	}
	if trainSet, err = train.Encode(tok, t.TrainX, t.TrainY, cfg); err != nil {
		return trainSet, testSet, err
	}
	testSet, err = train.Encode(tok, t.TestX, t.TestY, cfg)
	return trainSet, testSet, err
}

// TestTexts are the raw texts of sp's test reviews, in the order of the
// test set Sets and Split make.
func (c Corpus) TestTexts(sp SplitSpec) ([]string, error) {
	t, err := c.SplitRows(sp)
	if err != nil {
		return nil, err
	}
	raw := make([]string, len(t.TestIndex))
	for k, i := range t.TestIndex {
		raw[k] = c.Reviews[i].Text
	}
	return raw, nil
}

// Encoding reads a file's storage back from its tensors' dtypes.
func Encoding(f *modelfile.File) compress.EncodeOptions {
	enc := compress.EncodeOptions{Values: compress.StoreF32}
	for _, t := range f.Tensors {
		switch t.DType {
		case "I8":
			enc.Values = compress.StoreInt8
		case "F16":
			enc.Values = compress.StoreF16
		}
		if len(t.Name) > 5 && t.Name[len(t.Name)-5:] == ".mask" {
			enc.Sparse = true
		}
	}
	return enc
}
