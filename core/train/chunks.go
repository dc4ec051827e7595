package train

import (
	"math/rand/v2"
	"slices"

	"sentilab/core/kernels"
	"sentilab/core/nn"
)

// The one rule for computing a batch's gradient, natively and in the
// browser alike, so the same seed, data, worker count and kernel give the
// same bits everywhere:
//
//   - a batch of B rows is shared by W workers (goroutines natively, Web
//     Workers in the browser): worker w gets rows [w·B/W, (w+1)·B/W);
//   - each worker cuts its rows into chunks of at most ChunkSize examples,
//     numbered across the batch in order; chunk j draws its dropout masks
//     from (Seed, step, j);
//   - a worker sums its chunks' gradients in chunk order, and the workers'
//     sums are added in worker order, never in the order they finish.
//
// Chunks exist for the browser, where Go cannot be preempted: the engine
// gives JS a turn between chunks (and between a chunk's forward and
// backward pass), so a cancel lands within part of one chunk.

// ChunkSize is the most examples whose gradient is computed in one piece:
// about 100 ms of work for the browser's SIMD kernel (~40 GFLOP/s; an
// example costs 6·T·(E+H)·4H FLOPs forward and backward), but never fewer
// than 32. Natively small chunks cost speed: at the masked thesis shape
// chunks of 8 ran 30% slower than one of 64 (AVX-512), chunks of 32 3%.
// Small models get one chunk per worker.
func ChunkSize(c nn.Config) int {
	flops := 6 * float64(c.MaxLen) * float64(c.Embed+c.Hidden) * 4 * float64(c.Hidden)
	if !(flops > 0) {
		return 1 << 16
	}
	return max(32, int(min(4e9/flops, 1<<16)))
}

// EvalBatch is the batch size of evaluation: two chunks (a batch of
// inference costs about a third of a training chunk), at most 256.
func EvalBatch(c nn.Config) int { return min(256, 2*ChunkSize(c)) }

// Part is one worker's share of a batch.
type Part struct {
	Rows      []int // rows of the training set
	ChunkBase int   // the batch-wide number of its first chunk
}

// Partition shares a batch's rows among workers (at most one per row) as
// the rule above says.
func Partition(rows []int, workers, chunk int) []Part {
	B := len(rows)
	W := max(1, min(workers, B))
	parts := make([]Part, W)
	base := 0
	for w := range parts {
		lo, hi := w*B/W, (w+1)*B/W
		parts[w] = Part{Rows: rows[lo:hi], ChunkBase: base}
		base += (hi - lo + chunk - 1) / chunk
	}
	return parts
}

// LossFunc turns logits into a loss and its gradient: it writes
// dlogits = scale·∂loss/∂z and returns the summed loss and the number of
// correct answers. idx are the examples' rows in the training set (for
// per-example teacher logits). nil means BCE on the labels.
type LossFunc func(logits, labels, dlogits []float32, idx []int, scale float32) (float64, int)

// Worker computes gradients of chunks into its own G.
type Worker struct {
	G      *nn.Grads
	ws     *nn.Workspace
	tokens []int32 // a chunk's rows, gathered (reused across chunks)
	labels []float32
	dl     []float32
}

// NewWorker makes a worker for models of shape cfg.
func NewWorker(cfg nn.Config, k kernels.Kernels) (*Worker, error) {
	g, err := nn.NewGrads(cfg)
	if err != nil {
		return nil, err
	}
	return &Worker{G: g, ws: nn.NewWorkspace(cfg, k)}, nil
}

// Grad adds into w.G the gradient of scale × the summed loss of part's
// rows of set, chunk by chunk (chunk j uses dropout seed (seed, step, j)).
// pause, if not nil, runs between chunks and between a chunk's forward
// and backward pass; its error stops the work.
func (w *Worker) Grad(m *nn.Model, set Set, part Part, chunk, step int, seed uint64, scale float32, loss LossFunc, pause func() error) (float64, int, error) {
	T := m.Cfg.MaxLen
	var sum float64
	var right int
	for j, lo := part.ChunkBase, 0; lo < len(part.Rows); j, lo = j+1, lo+chunk {
		if pause != nil && lo > 0 {
			if err := pause(); err != nil {
				return sum, right, err
			}
		}
		sub := part.Rows[lo:min(lo+chunk, len(part.Rows))]
		n := len(sub)
		w.tokens = slices.Grow(w.tokens[:0], n*T)[:n*T]
		w.labels = slices.Grow(w.labels[:0], n)[:n]
		w.dl = slices.Grow(w.dl[:0], n)[:n]
		for k, r := range sub {
			copy(w.tokens[k*T:(k+1)*T], set.Tokens[r*T:(r+1)*T])
			w.labels[k] = set.Labels[r]
		}
		s := seed ^ uint64(step)<<20 ^ uint64(j)
		logits := w.ws.Forward(m, w.tokens, n, rand.New(rand.NewPCG(s, 0xd20f)))
		// And between a chunk's forward and backward pass: a chunk at the
		// thesis shape is ~120 ms in the browser, too long a wait for a
		// cancel (BENCHMARKS.md). The gradient does not depend on it.
		if pause != nil {
			if err := pause(); err != nil {
				return sum, right, err
			}
		}
		var l float64
		var r int
		if loss != nil {
			l, r = loss(logits, w.labels, w.dl, sub, scale)
		} else {
			l, r = nn.BCEWithLogits(logits, w.labels, w.dl, scale)
		}
		w.ws.Backward(m, w.dl, w.G)
		sum += l
		right += r
	}
	return sum, right, nil
}
