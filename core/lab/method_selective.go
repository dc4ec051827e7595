package lab

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"sentilab/core/compress"
	"sentilab/core/layers"
	"sentilab/core/nn"
	"sentilab/core/train"
)

// SelectiveRankReviews is how many of the source's training reviews the
// selective method ranks tensors on when none is named.
const SelectiveRankReviews = 2000

// selective: int8 storage for every weight matrix except the ones named,
// which stay float32 (a sensitive tensor keeps its precision, the rest
// shrink four times). It computes in float32 on the dequantized weights,
// like int8-weights: the int8 runtime would quantize the kept tensor too.
func init() {
	Register(Method{Name: "selective", Storage: compress.StoreInt8, Float: selectFloat,
		About: "int8 for every weight matrix but the named ones (default: the most sensitive), kept float32; float32 compute"})
}

// selectFloat checks the named tensors or, with none named, ranks the
// weight matrices by the accuracy lost when each alone is int8, on the
// first SelectiveRankReviews reviews of the training split (not the test
// split: the choice must not peek at the score it is judged by).
func selectFloat(ctx context.Context, st *State, in ChainInput) ([]string, map[string]any, error) {
	var matrices []string
	for _, p := range st.Model.Params() {
		if len(p.Shape) == 2 {
			matrices = append(matrices, p.Name)
		}
	}
	names := in.Params.KeepFloat
	if len(names) > 0 {
		for _, n := range names {
			if !slices.Contains(matrices, n) {
				return nil, nil, fmt.Errorf("keep-float tensor %q: want one of %s (biases are float32 in every int8 file)", n, strings.Join(matrices, ", "))
			}
		}
		return names, map[string]any{"float32": names, "chosen": "named"}, nil
	}
	n := min(st.Train.N, SelectiveRankReviews)
	if n == 0 {
		return nil, nil, fmt.Errorf("no training reviews to rank the tensors on: name the tensors to keep in float32")
	}
	T := st.Model.Cfg.MaxLen
	set := train.Set{Tokens: st.Train.Tokens[:n*T], Labels: st.Train.Labels[:n], N: n}
	tb, err := layers.Sensitivities(ctx, st.Model, layers.SensitivityOptions{Sparse: st.Sparse,
		Eval: func(ctx context.Context, m *nn.Model) (*train.Metrics, error) {
			return Evaluate(ctx, m, nil, set, in.Eval)
		}})
	if err != nil {
		return nil, nil, err
	}
	keep := layers.MostSensitive(tb)
	return []string{keep}, map[string]any{"float32": []string{keep}, "chosen": fmt.Sprintf("most sensitive on %d training reviews", n)}, nil
}
