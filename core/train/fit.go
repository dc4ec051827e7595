package train

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

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
	Patience  int // early stopping on validation loss after this many epochs without improvement; 0 = off
	Kernels   nn.Kernels
	Progress  func(Progress) // after every batch; may be nil
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
	case o.Patience > 0 && o.ValSplit == 0:
		return errors.New("early stopping (patience > 0) needs a validation split")
	case o.Kernels.Gemm == nil:
		return errors.New("no matmul kernels set (use nn.DefaultKernels())")
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

// Epoch is one row of the history, like Keras's History.history.
type Epoch struct {
	Epoch       int     `json:"epoch"`
	Loss        float64 `json:"loss"`
	Accuracy    float64 `json:"accuracy"`
	ValLoss     float64 `json:"val_loss,omitempty"`
	ValAccuracy float64 `json:"val_accuracy,omitempty"`
	Seconds     float64 `json:"seconds"`
}

// Result is what Fit did.
type Result struct {
	History        []Epoch `json:"history"`
	BestEpoch      int     `json:"best_epoch,omitempty"` // with early stopping: the restored weights' epoch
	Seconds        float64 `json:"train_seconds"`
	ExamplesPerSec float64 `json:"examples_per_second"`
}

// Trainer owns the per-worker state of a fit; it is reusable for several fits
// of the same model shape (the compression fine-tunes use it).
type Trainer struct {
	Model  *nn.Model
	Opt    Options
	Adam   *nn.Adam
	shards []*shard
	total  *nn.Grads
	// Loss turns logits into a loss and its gradient; nil is BCE on the labels.
	// Distillation supplies its own. It must write dlogits = scale·∂loss/∂z and
	// return the summed loss and number correct. idx are the examples' row
	// numbers in the training set (for per-example teacher logits).
	Loss func(logits, labels, dlogits []float32, idx []int, scale float32) (float64, int)
	// AfterStep runs after each optimiser step (pruning holds masks here).
	AfterStep func(step int)
}

type shard struct {
	ws     *nn.Workspace
	g      *nn.Grads
	tokens []int32 // the shard's rows, gathered (reused across steps)
	labels []float32
	dl     []float32
	loss   float64
	right  int
}

// NewTrainer prepares training of m with opt.
func NewTrainer(m *nn.Model, opt Options) (*Trainer, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	tr := &Trainer{Model: m, Opt: opt, Adam: nn.NewAdam(opt.LR)}
	for w := 0; w < opt.Workers; w++ {
		g, err := nn.NewGrads(m.Cfg)
		if err != nil {
			return nil, err
		}
		tr.shards = append(tr.shards, &shard{ws: nn.NewWorkspace(m.Cfg, opt.Kernels), g: g})
	}
	tr.total = tr.shards[0].g
	return tr, nil
}

// Step trains on one batch (rows idx of set) and returns its summed loss and
// number of correct answers. step numbers the optimiser steps from 0.
func (tr *Trainer) Step(set Set, idx []int, step int) (float64, int) {
	T := tr.Model.Cfg.MaxLen
	B := len(idx)
	W := len(tr.shards)
	if W > B {
		W = B
	}
	scale := 1 / float32(B) // Keras averages the loss over the batch
	var wg sync.WaitGroup
	for w := 0; w < W; w++ {
		lo, hi := w*B/W, (w+1)*B/W
		sh := tr.shards[w]
		wg.Add(1)
		go func() {
			defer wg.Done()
			sub := idx[lo:hi]
			sh.tokens = slices.Grow(sh.tokens[:0], len(sub)*T)[:len(sub)*T]
			sh.labels = slices.Grow(sh.labels[:0], len(sub))[:len(sub)]
			tokens, labels := sh.tokens, sh.labels
			for k, r := range sub {
				copy(tokens[k*T:(k+1)*T], set.Tokens[r*T:(r+1)*T])
				labels[k] = set.Labels[r]
			}
			seed := tr.Opt.Seed ^ uint64(step)<<20 ^ uint64(w)
			logits := sh.ws.Forward(tr.Model, tokens, len(sub), rand.New(rand.NewPCG(seed, 0xd20f)))
			if cap(sh.dl) < len(sub) {
				sh.dl = make([]float32, len(sub))
			}
			dl := sh.dl[:len(sub)]
			if tr.Loss != nil {
				sh.loss, sh.right = tr.Loss(logits, labels, dl, sub, scale)
			} else {
				sh.loss, sh.right = nn.BCEWithLogits(logits, labels, dl, scale)
			}
			sh.ws.Backward(tr.Model, dl, sh.g)
		}()
	}
	wg.Wait()
	var loss float64
	var right int
	for w := 0; w < W; w++ {
		if w > 0 {
			tr.total.Add(tr.shards[w].g)
			tr.shards[w].g.Reset()
		}
		loss += tr.shards[w].loss
		right += tr.shards[w].right
	}
	tr.Adam.Update(tr.Model.Params(), tr.total.Params())
	tr.total.Reset()
	if tr.AfterStep != nil {
		tr.AfterStep(step)
	}
	return loss, right
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
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5aff1e))
	perm := make([]int, nTrain)
	for i := range perm {
		perm[i] = i
	}
	res := &Result{}
	start := time.Now()
	total := nTrain * opt.Epochs
	done := 0
	bestLoss, best := 0.0, []nn.Param(nil)
	step := tr.Adam.Step
	for ep := 1; ep <= opt.Epochs; ep++ {
		t0 := time.Now()
		rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		var lossSum float64
		var right, seen int
		for b := 0; b < batches; b++ {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			idx := perm[b*opt.BatchSize : min((b+1)*opt.BatchSize, nTrain)]
			l, r := tr.Step(set, idx, step)
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
			vm, err := Evaluate(ctx, m, val, EvalOptions{BatchSize: 256, Workers: opt.Workers, Kernels: opt.Kernels})
			if err != nil {
				return res, err
			}
			e.ValLoss, e.ValAccuracy = vm.Loss, vm.Accuracy
		}
		e.Seconds = time.Since(t0).Seconds()
		res.History = append(res.History, e)
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
