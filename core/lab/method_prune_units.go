package lab

import (
	"context"

	"sentilab/core/compress"
)

// prune-units: structured pruning of whole LSTM units (the least
// important by weight magnitude), then fine-tuning: a really smaller model.
func init() {
	Register(Method{Name: "prune-units", About: "remove the least important LSTM units, then fine-tune", Run: runPruneUnits})
}

func runPruneUnits(ctx context.Context, st *State, p Params) (map[string]any, error) {
	keep := p.KeepUnits
	if keep == 0 {
		keep = max(1, st.Model.Cfg.Hidden/2)
	}
	small, kept, err := compress.PruneUnits(st.Model, keep)
	if err != nil {
		return nil, err
	}
	res, err := compress.FineTune(ctx, small, st.Train, p.Tune)
	if err != nil {
		return nil, err
	}
	params := tuneParams(p.Tune)
	params["hidden_before"], params["hidden"], params["kept_units"] = st.Model.Cfg.Hidden, keep, kept
	st.Model, st.Fit = small, res
	return params, nil
}
