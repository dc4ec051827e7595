package train

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"sentilab/core/kernels"
	"sentilab/core/nn"
)

// Set is a padded, tokenized dataset: N rows of MaxLen token ids and labels.
type Set struct {
	Tokens []int32   // [N, T]
	Labels []float32 // [N], 0 or 1 (or soft targets)
	N      int
}

// Row returns examples [i, j).
func (s Set) Rows(i, j, T int) Set {
	return Set{Tokens: s.Tokens[i*T : j*T], Labels: s.Labels[i:j], N: j - i}
}

// Options are fit's hyperparameters; Validate names any out of range.
type Options struct {
	Epochs    int
	BatchSize int
	ValSplit  float64 // last fraction of the training set held out (Keras validation_split)
	Seed      uint64  // shuffling and dropout
	LR        float64
	Workers   int // shards per batch, each on its own goroutine natively
	// EvalWorkers scores the validation rows with this many goroutines
	// (0 = Workers): the browser's engine has one thread.
	EvalWorkers int
	Patience    int // early stopping on validation loss after this many epochs without improvement; 0 = off
	Kernels     kernels.Kernels
	Progress    func(Progress) // after every batch; may be nil
	// EpochEnd runs after every epoch with the history so far; may be nil.
	EpochEnd func(history []Epoch)
	// Chunk is the most examples per gradient chunk (chunks.go); 0 =
	// ChunkSize of the model. The result depends on it.
	Chunk int
	// MaxBatches stops every epoch after this many batches (0 = all): for
	// benchmarks at a full shape without a full epoch.
	MaxBatches int
	// Pause runs before every batch, between gradient chunks and between
	// evaluation batches; its error (a canceled context) stops the fit. The
	// browser engine gives JS a turn there, so a cancel message is read. nil
	// natively.
	Pause func() error
	// ValLogits, if set, scores the validation rows instead of Logits with
	// opt (the browser shares them with its helper engines). To give
	// Logits's bits it scores them in the chunks Logits would cut
	// (EvalChunks): with the portable and SIMD128 kernels a logit depends
	// in its last bits on its place in a chunk.
	ValLogits func(ctx context.Context, m *nn.Model, val Set, opt EvalOptions) ([]float32, error)
}

func (o Options) Validate() error {
	switch {
	case o.Epochs < 1 || o.Epochs > 1000:
		return fmt.Errorf("epochs %d out of range [1, 1000]", o.Epochs)
	case o.BatchSize < 1 || o.BatchSize > 65536:
		return fmt.Errorf("batch size %d out of range [1, 65536]", o.BatchSize)
	case !(o.ValSplit >= 0 && o.ValSplit < 1):
		return fmt.Errorf("validation split %v out of range [0, 1)", o.ValSplit)
	case !(o.LR > 0 && o.LR < 10):
		return fmt.Errorf("learning rate %v out of range (0, 10)", o.LR)
	case o.Workers < 1 || o.Workers > 256:
		return fmt.Errorf("workers %d out of range [1, 256]", o.Workers)
	case o.Patience < 0:
		return fmt.Errorf("patience %d is negative", o.Patience)
	case o.Chunk < 0 || o.MaxBatches < 0:
		return fmt.Errorf("chunk %d and max batches %d must not be negative", o.Chunk, o.MaxBatches)
	case o.Patience > 0 && o.ValSplit == 0:
		return errors.New("early stopping (patience > 0) needs a validation split")
	case o.Kernels.Gemm == nil:
		return errors.New("no matmul kernels set (use kernels.Default())")
	}
	return nil
}

// Progress is reported after every training batch.
type Progress struct {
	Epoch, Epochs  int // 1-based
	Batch, Batches int // 1-based, within the epoch
	Done, Total    int // examples trained so far / planned for the whole fit
	ExamplesPerSec float64
	ETA            time.Duration // for the planned epochs
	Loss, Accuracy float64       // running means over the epoch so far
	BatchLoss      float64
	Phase          string // "train" or "validate"
}

// Trainer owns the per-worker state of a fit; it is reusable for several fits
// of the same model shape (the compression fine-tunes use it).
type Trainer struct {
	Model   *nn.Model
	Opt     Options
	Adam    *nn.Adam
	Chunk   int // examples per gradient chunk
	workers []*Worker
	// Loss turns logits into a loss and its gradient; nil is BCE on the
	// labels. Distillation supplies its own.
	Loss LossFunc
	// AfterStep runs after each optimiser step (pruning holds masks here).
	AfterStep func(step int)
	// Grad, if set, computes each batch's gradient in place of the
	// trainer's goroutines: it must leave in local.G (zero on entry) the
	// sum of the parts' gradients, part 0 computed with local, in part
	// order. The browser engine sends the other parts to helper engines.
	Grad func(ctx context.Context, b Batch, local *Worker) (loss float64, right int, err error)
}

// Batch is one optimiser step's work.
type Batch struct {
	Set          Set
	Step         int // optimiser steps before this one
	Epoch, Index int // 1-based epoch, 0-based batch within it
	Parts        []Part
	Chunk        int
	Seed         uint64
	Scale        float32 // 1 / batch size: Keras averages the loss over the batch
	// Next is the epoch's next batch, nil after its last: a Grad may send
	// a helper engine its rows early (wasm/engine/shard.go).
	Next *Batch
}

// NewTrainer prepares training of m with opt.
func NewTrainer(m *nn.Model, opt Options) (*Trainer, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	tr := &Trainer{Model: m, Opt: opt, Adam: nn.NewAdam(opt.LR), Chunk: opt.Chunk}
	if tr.Chunk == 0 {
		tr.Chunk = ChunkSize(m.Cfg)
	}
	// Worker 0 only: the others are made when a batch first runs on
	// goroutines (with Grad set they never are: the browser's other parts
	// are computed by helper engines, and each worker's gradient buffer is
	// as large as the weights).
	if err := tr.grow(1); err != nil {
		return nil, err
	}
	return tr, nil
}

// grow makes local workers up to n.
func (tr *Trainer) grow(n int) error {
	for len(tr.workers) < n {
		wk, err := NewWorker(tr.Model.Cfg, tr.Opt.Kernels)
		if err != nil {
			return err
		}
		tr.workers = append(tr.workers, wk)
	}
	return nil
}

// Workspaces lends the workers' workspaces to an evaluation (Logits's
// Reuse): scoring after a batch grows one of them instead of allocating
// another (in wasm, whose memory never shrinks, the validation's 48 MB
// workspace beside the trainer's 37 MB one set the page's peak, issue 11).
// The trainer must not step meanwhile.
func (tr *Trainer) Workspaces() *Workspaces {
	p := &Workspaces{}
	for _, w := range tr.workers {
		p.free = append(p.free, w.ws)
	}
	return p
}

// Workspaces lends w's workspace to an evaluation (Logits's Reuse), as
// Trainer.Workspaces does; w must not compute a gradient meanwhile.
func (w *Worker) Workspaces() *Workspaces { return &Workspaces{free: []*nn.Workspace{w.ws}} }

// Step trains on one batch (rows idx of set) and returns its summed loss and
// number of correct answers. step numbers the optimiser steps from 0.
func (tr *Trainer) Step(ctx context.Context, set Set, idx []int, step int) (float64, int, error) {
	b := Batch{Set: set, Step: step, Parts: Partition(idx, tr.Opt.Workers, tr.Chunk), Chunk: tr.Chunk, Seed: tr.Opt.Seed,
		Scale: 1 / float32(len(idx))}
	return tr.step(ctx, b)
}

func (tr *Trainer) step(ctx context.Context, b Batch) (float64, int, error) {
	total := tr.workers[0].G
	var loss float64
	var right int
	var err error
	if tr.Grad != nil {
		loss, right, err = tr.Grad(ctx, b, tr.workers[0])
	} else {
		loss, right, err = tr.grad(b)
	}
	if err != nil {
		total.Reset()
		return loss, right, err
	}
	tr.Adam.Update(tr.Model.Params(), total.Params())
	total.Reset()
	if tr.AfterStep != nil {
		tr.AfterStep(b.Step)
	}
	return loss, right, nil
}

// grad computes the parts on goroutines and sums them into worker 0's G.
func (tr *Trainer) grad(b Batch) (float64, int, error) {
	type out struct {
		loss  float64
		right int
		err   error
	}
	if err := tr.grow(len(b.Parts)); err != nil {
		return 0, 0, err
	}
	outs := make([]out, len(b.Parts))
	var wg sync.WaitGroup
	for w, part := range b.Parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := &outs[w]
			o.loss, o.right, o.err = tr.workers[w].Grad(tr.Model, b.Set, part, b.Chunk, b.Step, b.Seed, b.Scale, tr.Loss, tr.Opt.Pause)
		}()
	}
	wg.Wait()
	var loss float64
	var right int
	for w, o := range outs {
		if w > 0 {
			tr.workers[0].G.Add(tr.workers[w].G)
			tr.workers[w].G.Reset()
		}
		if o.err != nil {
			return loss, right, o.err
		}
		loss += o.loss
		right += o.right
	}
	return loss, right, nil
}

// Fit trains m on set, holding out the last ValSplit of it for validation.
// Batches are reshuffled every epoch (Keras shuffle=True). With Patience the
// best weights (lowest validation loss) are restored at the end.
func Fit(ctx context.Context, m *nn.Model, set Set, opt Options) (*Result, error) {
	tr, err := NewTrainer(m, opt)
	if err != nil {
		return nil, err
	}
	return tr.Fit(ctx, set)
}

// rows are batch b's rows of an epoch whose training rows are in perm's
// order.
func (tr *Trainer) rows(perm []int, b int) []int {
	return perm[b*tr.Opt.BatchSize : min((b+1)*tr.Opt.BatchSize, len(perm))]
}

// batch is batch b of that epoch, optimiser step step.
func (tr *Trainer) batch(set Set, perm []int, ep, b, step int) *Batch {
	idx := tr.rows(perm, b)
	return &Batch{Set: set, Step: step, Epoch: ep, Index: b, Parts: Partition(idx, tr.Opt.Workers, tr.Chunk),
		Chunk: tr.Chunk, Seed: tr.Opt.Seed, Scale: 1 / float32(len(idx))}
}

// Fit runs the epochs with the trainer's options.
func (tr *Trainer) Fit(ctx context.Context, set Set) (*Result, error) {
	opt, m := tr.Opt, tr.Model
	T := m.Cfg.MaxLen
	if set.N < 1 || len(set.Tokens) != set.N*T || len(set.Labels) != set.N {
		return nil, fmt.Errorf("training set: %d rows, %d tokens, %d labels (want tokens = rows × max length %d)", set.N, len(set.Tokens), len(set.Labels), T)
	}
	nTrain := set.N - int(float64(set.N)*opt.ValSplit)
	if nTrain < 1 {
		return nil, fmt.Errorf("validation split %v leaves no training rows of %d", opt.ValSplit, set.N)
	}
	val := set.Rows(nTrain, set.N, T)
	batches := (nTrain + opt.BatchSize - 1) / opt.BatchSize
	if opt.MaxBatches > 0 && opt.MaxBatches < batches {
		batches = opt.MaxBatches
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5aff1e))
	perm := make([]int, nTrain)
	for i := range perm {
		perm[i] = i
	}
	res := &Result{}
	start := time.Now()
	total := min(nTrain, batches*opt.BatchSize) * opt.Epochs
	done := 0
	bestLoss, best := 0.0, []nn.Param(nil)
	step := tr.Adam.Step
	for ep := 1; ep <= opt.Epochs; ep++ {
		t0 := time.Now()
		rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		var lossSum float64
		var right, seen int
		var next *Batch
		for b := 0; b < batches; b++ {
			if opt.Pause != nil {
				if err := opt.Pause(); err != nil {
					return res, err
				}
			}
			if err := ctx.Err(); err != nil {
				return res, err
			}
			cur := next
			if cur == nil {
				cur = tr.batch(set, perm, ep, b, step)
			}
			if b+1 < batches {
				cur.Next = tr.batch(set, perm, ep, b+1, step+1)
			}
			next = cur.Next
			idx := tr.rows(perm, b)
			l, r, err := tr.step(ctx, *cur)
			if err != nil {
				return res, err
			}
			step++
			lossSum += l
			right += r
			seen += len(idx)
			done += len(idx)
			if opt.Progress != nil {
				el := time.Since(start).Seconds()
				eps := float64(done) / el
				opt.Progress(Progress{
					Epoch: ep, Epochs: opt.Epochs, Batch: b + 1, Batches: batches,
					Done: done, Total: total, ExamplesPerSec: eps,
					ETA:  time.Duration(float64(total-done) / eps * float64(time.Second)),
					Loss: lossSum / float64(seen), Accuracy: float64(right) / float64(seen),
					BatchLoss: l / float64(len(idx)), Phase: "train",
				})
			}
		}
		e := Epoch{Epoch: ep, Loss: lossSum / float64(seen), Accuracy: float64(right) / float64(seen)}
		if val.N > 0 {
			ew := opt.Workers
			if opt.EvalWorkers > 0 {
				ew = opt.EvalWorkers
			}
			eo := EvalOptions{BatchSize: EvalBatch(m.Cfg), Workers: ew, Kernels: opt.Kernels, Pause: opt.Pause, Reuse: tr.Workspaces()}
			logits := Logits
			if opt.ValLogits != nil {
				logits = opt.ValLogits
			}
			z, err := logits(ctx, m, val, eo)
			if err != nil {
				return res, err
			}
			vm := MetricsOf(z, val.Labels)
			e.ValLoss, e.ValAccuracy = vm.Loss, vm.Accuracy
		}
		e.Seconds = time.Since(t0).Seconds()
		res.History = append(res.History, e)
		if opt.EpochEnd != nil {
			opt.EpochEnd(res.History)
		}
		if opt.Patience > 0 {
			if best == nil || e.ValLoss < bestLoss {
				bestLoss, res.BestEpoch = e.ValLoss, ep
				best = snapshot(m, best)
			} else if ep-res.BestEpoch >= opt.Patience {
				break
			}
		}
	}
	if best != nil {
		for k, p := range m.Params() {
			copy(p.W, best[k].W)
		}
	}
	res.Seconds = time.Since(start).Seconds()
	res.ExamplesPerSec = float64(done) / res.Seconds
	return res, nil
}

func snapshot(m *nn.Model, into []nn.Param) []nn.Param {
	ps := m.Params()
	if into == nil {
		into = make([]nn.Param, len(ps))
		for k, p := range ps {
			into[k] = nn.Param{Name: p.Name, Shape: p.Shape, W: make([]float32, len(p.W))}
		}
	}
	for k, p := range ps {
		copy(into[k].W, p.W)
	}
	return into
}
