package lab

import (
	"context"
	"fmt"

	"sentilab/core/compress"
)

// prune: magnitude pruning as TF-MOT does it, fine-tuning while the mask
// grows to its schedule; the file stores the zeros as a mask.
func init() {
	Register(Method{Name: "prune", About: "magnitude pruning to a sparsity schedule while fine-tuning", Run: runPrune})
}

func runPrune(ctx context.Context, st *State, p Params) (map[string]any, error) {
	tune := p.Tune
	tune.Patience = 0 // compress.Prune refuses it: an earlier epoch had a lower sparsity
	steps := tune.Epochs * tune.StepsPerEpoch(st.Train.N)
	freq := p.Frequency
	if freq == 0 {
		freq = max(1, min(100, steps/10))
	}
	opt := compress.PruneOptions{Tensors: p.Tensors, Tune: tune}
	switch p.Schedule {
	case "polynomial", "":
		opt.Schedule = compress.PolynomialDecay{Initial: p.InitialSparsity, Final: p.FinalSparsity, Begin: 0, End: steps, Power: p.Power, Frequency: freq}
	case "constant":
		opt.Schedule = compress.ConstantSparsity{Target: p.TargetSparsity, Begin: 0, End: steps, Frequency: freq}
	default:
		return nil, fmt.Errorf("schedule %q: want polynomial or constant", p.Schedule)
	}
	res, err := compress.Prune(ctx, st.Model, st.Train, opt)
	if err != nil {
		return nil, err
	}
	st.Fit, st.Sparsity, st.Sparse = res.Fit, res.Sparsities, true
	params := tuneParams(tune)
	params["schedule"], params["tensors"], params["end_step"], params["final_target_sparsity"] = opt.Schedule, opt.Tensors, steps, res.Target
	return params, nil
}
