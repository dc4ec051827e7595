package train

import (
	"context"
	"fmt"
	"sync"

	"sentilab/core/nn"
)

// EvalOptions control batched inference.
type EvalOptions struct {
	BatchSize int
	Workers   int
	Kernels   nn.Kernels
	Progress  func(done, total int) // after every batch; may be nil
	Pause     func() error          // between batches (the browser's turn to JS); its error stops; may be nil
}

// Logits runs the model over set (no dropout) and returns one logit per row.
func Logits(ctx context.Context, m *nn.Model, set Set, opt EvalOptions) ([]float32, error) {
	if opt.BatchSize < 1 {
		opt.BatchSize = 256
	}
	if opt.Workers < 1 {
		opt.Workers = 1
	}
	if opt.Kernels.Gemm == nil {
		opt.Kernels = nn.DefaultKernels()
	}
	T := m.Cfg.MaxLen
	if len(set.Tokens) != set.N*T || len(set.Labels) != set.N {
		return nil, fmt.Errorf("evaluation set: %d rows, %d tokens, %d labels (want tokens = rows × max length %d)", set.N, len(set.Tokens), len(set.Labels), T)
	}
	out := make([]float32, set.N)
	wss := make([]*nn.Workspace, opt.Workers)
	for w := range wss {
		wss[w] = nn.NewWorkspace(m.Cfg, opt.Kernels)
	}
	for lo := 0; lo < set.N; lo += opt.BatchSize * opt.Workers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if opt.Pause != nil && lo > 0 {
			if err := opt.Pause(); err != nil {
				return nil, err
			}
		}
		var wg sync.WaitGroup
		for w := 0; w < opt.Workers; w++ {
			a := lo + w*opt.BatchSize
			b := min(a+opt.BatchSize, set.N)
			if a >= b {
				break
			}
			wg.Add(1)
			go func(ws *nn.Workspace) {
				defer wg.Done()
				copy(out[a:b], ws.Forward(m, set.Tokens[a*T:b*T], b-a, nil))
			}(wss[w])
		}
		wg.Wait()
		if opt.Progress != nil {
			opt.Progress(min(lo+opt.BatchSize*opt.Workers, set.N), set.N)
		}
	}
	return out, nil
}

// Evaluate returns the loss, accuracy, confusion matrix and classification
// report of m on set.
func Evaluate(ctx context.Context, m *nn.Model, set Set, opt EvalOptions) (*Metrics, error) {
	logits, err := Logits(ctx, m, set, opt)
	if err != nil {
		return nil, err
	}
	return MetricsOf(logits, set.Labels), nil
}
