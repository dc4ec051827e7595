package main

import (
	"context"
	"fmt"

	"sentilab/core/lab"
	"sentilab/core/layers"
	"sentilab/core/nn"
	"sentilab/core/train"
	"sentilab/protocol"
)

// DefaultLayerReviews bounds the sensitivity table's cost: 1 + 2 × 4
// evaluations of this many test reviews.
const DefaultLayerReviews = 2000

// layers reports a variant's per-tensor statistics and, if asked, its
// sensitivity table on the first reviews of its test split, scored by
// core/lab's float32 evaluation (the int8 runtime would quantize every
// tensor, not the one under study).
func (e *Engine) layers(ctx context.Context, p protocol.LayersRequest, progress Progress) (*protocol.LayersResult, error) {
	v, err := e.variant(p.Variant)
	if err != nil {
		return nil, err
	}
	q, err := layers.Int8Weights(v.Model, v.Enc.Sparse)
	if err != nil {
		return nil, err
	}
	stats, err := layers.Stats(v.Model, q)
	if err != nil {
		return nil, err
	}
	out := &protocol.LayersResult{Variant: v.Name, Stats: stats}
	if !p.Sensitivity {
		return out, nil
	}
	n := p.Reviews
	if n == 0 {
		n = DefaultLayerReviews
	}
	if n < 1 {
		return nil, fmt.Errorf("layers: %d reviews, want at least 1 (0 = %d)", n, DefaultLayerReviews)
	}
	_, t, err := e.split(ctx, v.split, progress)
	if err != nil {
		return nil, err
	}
	n = min(n, len(t.TestX))
	set, err := train.Encode(v.Tok, t.TestX[:n], t.TestY[:n], v.Model.Cfg)
	if err != nil {
		return nil, err
	}
	// Progress counts reviews over all the evaluations.
	evals, k := 1, 0
	for _, s := range stats {
		if s.Int8Stored {
			evals += 2
		}
	}
	eo := lab.EvalOptions{Workers: 1, Pause: e.pause(ctx), Progress: func(done, total int) {
		progress(protocol.CountProgress{Phase: protocol.PhaseEvaluate, Done: k*n + done, Total: evals * n})
	}}
	tb, err := layers.Sensitivities(ctx, v.Model, layers.SensitivityOptions{Int8: q, PruneSparsity: p.PruneSparsity,
		Progress: func(done, _ int) { k = done },
		Eval: func(ctx context.Context, m *nn.Model) (*train.Metrics, error) {
			return lab.Evaluate(ctx, m, nil, set, eo)
		}})
	if err != nil {
		return nil, err
	}
	out.Table, out.MostSensitive = tb, layers.MostSensitive(tb)
	out.Data = fmt.Sprintf("the first %d reviews of %s", n, e.testData(v.split))
	return out, nil
}

// histograms bins two variants' weights over shared ranges.
func (e *Engine) histograms(p protocol.HistogramsRequest) (*protocol.HistogramsResult, error) {
	a, b, err := e.pair(p.A, p.B)
	if err != nil {
		return nil, err
	}
	bins := p.Bins
	if bins == 0 {
		bins = 40
	}
	hs, err := layers.Histograms(a.Model, b.Model, bins)
	if err != nil {
		return nil, err
	}
	return &protocol.HistogramsResult{A: a.Name, B: b.Name, Histograms: hs}, nil
}

// diff compares two variants of one shape tensor by tensor.
func (e *Engine) diff(p protocol.DiffRequest) (*protocol.DiffResult, error) {
	a, b, err := e.pair(p.A, p.B)
	if err != nil {
		return nil, err
	}
	ch, err := layers.Diff(a.Model, b.Model)
	if err != nil {
		return nil, fmt.Errorf("diff %s → %s: %w", a.Name, b.Name, err)
	}
	return &protocol.DiffResult{A: a.Name, B: b.Name, Changes: ch}, nil
}

func (e *Engine) pair(a, b string) (*variant, *variant, error) {
	va, err := e.variant(a)
	if err != nil {
		return nil, nil, err
	}
	vb, err := e.variant(b)
	return va, vb, err
}
