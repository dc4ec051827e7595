package compress

import (
	"fmt"
	"math"
)

// Schedule says, for an optimiser step, whether the pruning masks are
// recomputed at that step and to what sparsity: TF-MOT's PruningSchedule.
type Schedule interface {
	At(step int) (update bool, sparsity float64)
	Validate() error
}

// PolynomialDecay is tfmot.sparsity.keras.PolynomialDecay: sparsity rises
// from Initial at Begin to Final at End as
//
//	final + (initial − final)·(1 − p)^power,  p = clip((step − begin)/(end − begin), 0, 1)
//
// and masks are recomputed only at steps begin, begin+frequency, ... ≤ end
// (so with end not a multiple of the frequency the last update stops just
// short of Final, as in TF-MOT). End < 0 keeps updating forever.
type PolynomialDecay struct {
	Initial   float64 `json:"initial_sparsity"`
	Final     float64 `json:"final_sparsity"`
	Begin     int     `json:"begin_step"`
	End       int     `json:"end_step"`
	Power     float64 `json:"power"`
	Frequency int     `json:"frequency"`
}

// ConstantSparsity is tfmot.sparsity.keras.ConstantSparsity: Target from
// Begin on, masks recomputed every Frequency steps up to End.
type ConstantSparsity struct {
	Target    float64 `json:"target_sparsity"`
	Begin     int     `json:"begin_step"`
	End       int     `json:"end_step"`
	Frequency int     `json:"frequency"`
}

// shouldPrune is TF-MOT's _should_prune_in_step.
func shouldPrune(step, begin, end, freq int) bool {
	return step >= begin && (step <= end || end < 0) && (step-begin)%freq == 0
}

func (s PolynomialDecay) At(step int) (bool, float64) {
	p := float64(step-s.Begin) / float64(s.End-s.Begin)
	p = math.Min(1, math.Max(0, p))
	return shouldPrune(step, s.Begin, s.End, s.Frequency), s.Final + (s.Initial-s.Final)*math.Pow(1-p, s.Power)
}

func (s PolynomialDecay) Validate() error {
	switch {
	case !(s.Initial >= 0 && s.Initial < 1), !(s.Final >= 0 && s.Final < 1):
		return fmt.Errorf("polynomial decay: sparsities %v → %v, want each in [0, 1)", s.Initial, s.Final)
	case s.Begin < 0 || s.End <= s.Begin:
		return fmt.Errorf("polynomial decay: begin step %d, end step %d: want 0 ≤ begin < end", s.Begin, s.End)
	case s.Frequency < 1:
		return fmt.Errorf("polynomial decay: frequency %d, want ≥ 1", s.Frequency)
	case !(s.Power > 0):
		return fmt.Errorf("polynomial decay: power %v, want > 0", s.Power)
	}
	return nil
}

func (s ConstantSparsity) At(step int) (bool, float64) {
	return shouldPrune(step, s.Begin, s.End, s.Frequency), s.Target
}

func (s ConstantSparsity) Validate() error {
	switch {
	case !(s.Target >= 0 && s.Target < 1):
		return fmt.Errorf("constant sparsity: target %v, want in [0, 1)", s.Target)
	case s.Begin < 0 || (s.End >= 0 && s.End < s.Begin):
		return fmt.Errorf("constant sparsity: begin step %d, end step %d", s.Begin, s.End)
	case s.Frequency < 1:
		return fmt.Errorf("constant sparsity: frequency %d, want ≥ 1", s.Frequency)
	}
	return nil
}
