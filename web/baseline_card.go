package web

import "fmt"

// BaselineCard is the baseline lesson's card in the Train step: the model
// in one formula, why it is hard to beat, and its training run
// (baseline.go).
type BaselineCard struct {
	Lab *Lab
}

// SplitNote says which reviews the baseline trains and tests on.
func (c *BaselineCard) SplitNote() string {
	s := c.Lab.S
	seed := s.Seed
	if seed == 0 {
		seed = 42
	}
	return fmt.Sprintf("It trains on every training review of the loaded data's split as the command line's lab baseline makes it "+
		"(seed %d, %g%% test, the grouped rule, as the LSTM presets): seconds for a few thousand reviews, about 20 s of computing for the 40,000 of the full data. "+
		"It becomes the variant %q: Compare and Try show it beside the LSTMs, Export downloads its file.",
		seed, 100*s.TestFrac, baselineName)
}
