package lab

import (
	"fmt"
	"sort"

	"sentilab/core/data"
	"sentilab/core/nn"
	"sentilab/protocol"
)

// Preset is a named set of hyperparameters: the model shape, the fit options
// and how much data to use.
type Preset struct {
	Name       string
	About      string
	Model      nn.Config
	Epochs     int
	BatchSize  int
	ValSplit   float64
	LR         float64
	Patience   int     // early stopping; 0 = run every epoch
	TestFrac   float64 // held-out test share of the whole dataset
	TrainLimit int     // use only the first N training reviews; 0 = all
	// SplitRule is data.RuleGrouped for the lab's presets: exact
	// duplicates (418 in the Kaggle CSV) stay on one side, so no test
	// review is one the model trained on. The thesis keeps its
	// permutation split, and its train result says how many leak.
	SplitRule string
}

// Presets are the three ways the lab trains. thesis is the reference thesis
// as it was (no masking, 12 epochs); fast is the same model with masking and
// early stopping; classroom is small enough for a browser in a lesson.
var presets = map[string]Preset{
	"thesis": {
		Name:   "thesis",
		About:  "the thesis's model and schedule: post padding without masking, 12 epochs",
		Model:  nn.Config{Vocab: 20000, Embed: 128, Hidden: 128, MaxLen: 170, Padding: "post", Masking: false, Dropout: 0.2},
		Epochs: 12, BatchSize: 64, ValSplit: 0.1, LR: 1e-3, TestFrac: 0.2, SplitRule: data.RulePermutation,
	},
	"fast": {
		Name:  "fast",
		About: "the thesis's model with masking of padded steps, early stopping on validation loss, and 'pre' truncation",
		// 'pre' keeps a long review's last 170 words, where the verdict
		// usually is. Seed 42 on the Kaggle CSV: 89.19% test accuracy
		// against 88.28% for 'post', and 72.37% against 71.41% out of
		// domain (rt-polarity, whose snippets are never truncated), so
		// the lab's presets truncate at the start; the thesis keeps 'post'.
		Model:  nn.Config{Vocab: 20000, Embed: 128, Hidden: 128, MaxLen: 170, Padding: "pre", Masking: true, Dropout: 0.2},
		Epochs: 8, BatchSize: 64, ValSplit: 0.1, LR: 1e-3, Patience: 1, TestFrac: 0.2, SplitRule: data.RuleGrouped,
	},
	"classroom": {
		Name:  "classroom",
		About: "a small masked model on 10,000 training reviews, 3 epochs: trains in a browser during a lesson",
		// 'pre' keeps a long review's last 100 words, where the verdict
		// usually is: 85.2% test accuracy against 83.4% for 'post' (seed 42).
		Model:  nn.Config{Vocab: 5000, Embed: 32, Hidden: 32, MaxLen: 100, Padding: "pre", Masking: true, Dropout: 0.2},
		Epochs: 3, BatchSize: 64, ValSplit: 0.1, LR: 1e-3, TestFrac: 0.2, TrainLimit: 10000, SplitRule: data.RuleGrouped,
	},
}

// LookupPreset returns the preset called name.
func LookupPreset(name string) (Preset, error) {
	p, ok := presets[name]
	if !ok {
		return Preset{}, fmt.Errorf("unknown preset %q (have %v)", name, PresetNames())
	}
	return p, nil
}

// Presets lists every preset, by name.
func Presets() []Preset {
	var out []Preset
	for _, n := range PresetNames() {
		out = append(out, presets[n])
	}
	return out
}

// Protocol is p flattened for the page's form.
func (p Preset) Protocol() protocol.Preset {
	return protocol.Preset{Name: p.Name, About: p.About, Epochs: p.Epochs, BatchSize: p.BatchSize, LR: p.LR, ValSplit: p.ValSplit,
		TestFrac: p.TestFrac, TrainLimit: p.TrainLimit, Patience: p.Patience, SplitRule: p.SplitRule, ModelConfig: ConfigJSON(p.Model)}
}

// PresetNames lists the presets in order.
func PresetNames() []string {
	var names []string
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
