package lab

import (
	"context"
	"fmt"
	"strings"

	"sentilab/core/compress"
	"sentilab/core/kernels"
	"sentilab/core/nn"
	"sentilab/core/train"
)

// Runtimes a variant computes with.
const (
	RuntimeFloat32 = "float32"
	RuntimeInt8    = "int8" // compress.QModel: int8 weights, int8 products
)

// Runtime is the runtime of a variant made by chain ("base",
// "prune+distill+int8"): a chain ending in int8 runs the int8 runtime;
// int8-weights and everything else run float32 (int8-weights on the
// dequantized weights).
func Runtime(chain string) string {
	parts := strings.Split(chain, "+")
	if parts[len(parts)-1] == "int8" {
		return RuntimeInt8
	}
	return RuntimeFloat32
}

// EvalOptions control scoring.
type EvalOptions struct {
	Workers  int
	Kernels  kernels.Kernels // zero = kernels.Default()
	Progress func(done, total int)
	Pause    func() error
	Reuse    *train.Workspaces // the float model's workspaces, kept between calls (nil: not kept)
	// Chunks, if set, are the row ranges the float runtime scores in
	// (train.EvalOptions.Chunks: a share of another engine's cut). The
	// int8 runtime's blocks are fixed: train.ChunkSize rows from row 0.
	Chunks [][2]int
	// Act7 runs the int8 runtime with its 7-bit hidden state
	// (core/compress/act7.go); the float runtime ignores it.
	Act7 bool
}

// Evaluate scores a model on set with the runtime it ships with: q, the
// int8 runtime, when not nil; else the float model m.
func Evaluate(ctx context.Context, m *nn.Model, q *compress.QModel, set train.Set, o EvalOptions) (*train.Metrics, error) {
	z, err := Logits(ctx, m, q, set, o)
	if err != nil {
		return nil, err
	}
	return train.MetricsOf(z, set.Labels), nil
}

// Logits are the scores of Evaluate.
func Logits(ctx context.Context, m *nn.Model, q *compress.QModel, set train.Set, o EvalOptions) ([]float32, error) {
	if o.Kernels.Gemm == nil {
		o.Kernels = kernels.Default()
	}
	cfg := m.Cfg
	if q == nil {
		return train.Logits(ctx, m, set, train.EvalOptions{BatchSize: train.EvalBatch(cfg), Workers: max(1, o.Workers), Kernels: o.Kernels,
			Progress: o.Progress, Pause: o.Pause, Reuse: o.Reuse, Chunks: o.Chunks})
	}
	if o.Pause == nil {
		if o.Act7 {
			return compress.QLogitsAct7(ctx, q, set, train.EvalBatch(cfg), max(1, o.Workers))
		}
		return compress.QLogits(ctx, q, set, train.EvalBatch(cfg), max(1, o.Workers))
	}
	// In the browser: one batch at a time, JS's turn in between.
	T := cfg.MaxLen
	if len(set.Tokens) != set.N*T || len(set.Labels) != set.N {
		return nil, fmt.Errorf("evaluation set: %d rows, %d tokens, %d labels (want tokens = rows × max length %d)", set.N, len(set.Tokens), len(set.Labels), T)
	}
	bs := train.ChunkSize(cfg)
	out := make([]float32, set.N)
	ws := compress.QWorkspace{Act7: o.Act7}
	for lo := 0; lo < set.N; lo += bs {
		if err := o.Pause(); err != nil {
			return nil, err
		}
		hi := min(lo+bs, set.N)
		copy(out[lo:hi], q.Logits(set.Tokens[lo*T:hi*T], hi-lo, &ws))
		if o.Progress != nil {
			o.Progress(hi, set.N)
		}
	}
	return out, nil
}
