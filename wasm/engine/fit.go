package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"sentilab/core/nn"
	"sentilab/core/train"
)

type fitOptions struct {
	Epochs, BatchSize int
	ValSplit, LR      float64
	Seed              uint64
	Chunk             int // examples per gradient chunk; 0 = chunkFor
}

// fit is train.Fit with the batch's gradient computed in chunks of a few
// examples, yielding to JS between chunks: one thesis-shape batch of 64 takes
// seconds in wasm, far longer than the 200 ms a cancel may wait. The summed
// chunk gradients are the batch gradient (the loss is a sum over examples,
// scaled by 1/B as Keras's mean); dropout draws from a seed per (step, chunk).
// Same seed and chunk size ⇒ same weights.
func (e *Engine) fit(ctx context.Context, m *nn.Model, set train.Set, opt fitOptions, progress Progress) (*train.Result, error) {
	T := m.Cfg.MaxLen
	nTrain := set.N - int(float64(set.N)*opt.ValSplit)
	if nTrain < 1 {
		return nil, fmt.Errorf("validation split %v leaves no training rows of %d", opt.ValSplit, set.N)
	}
	if opt.Epochs < 1 || opt.BatchSize < 1 {
		return nil, fmt.Errorf("epochs %d and batch size %d must be ≥ 1", opt.Epochs, opt.BatchSize)
	}
	val := set.Rows(nTrain, set.N, T)
	chunk := chunkFor(m.Cfg, opt.Chunk)
	ws := nn.NewWorkspace(m.Cfg, nn.DefaultKernels())
	g, err := nn.NewGrads(m.Cfg)
	if err != nil {
		return nil, err
	}
	adam := nn.NewAdam(opt.LR)
	batches := (nTrain + opt.BatchSize - 1) / opt.BatchSize
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5aff1e))
	perm := make([]int, nTrain)
	for i := range perm {
		perm[i] = i
	}
	tokens := make([]int32, chunk*T)
	labels := make([]float32, chunk)
	dl := make([]float32, chunk)
	res := &train.Result{}
	start := time.Now()
	total, done, step := nTrain*opt.Epochs, 0, 0
	for ep := 1; ep <= opt.Epochs; ep++ {
		t0 := time.Now()
		rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		var lossSum float64
		var right, seen int
		for b := 0; b < batches; b++ {
			idx := perm[b*opt.BatchSize : min((b+1)*opt.BatchSize, nTrain)]
			scale := 1 / float32(len(idx))
			var bl float64
			for c, lo := 0, 0; lo < len(idx); c, lo = c+1, lo+chunk {
				if err := e.tick(ctx); err != nil {
					return res, err
				}
				sub := idx[lo:min(lo+chunk, len(idx))]
				n := len(sub)
				for k, r := range sub {
					copy(tokens[k*T:(k+1)*T], set.Tokens[r*T:(r+1)*T])
					labels[k] = set.Labels[r]
				}
				seed := opt.Seed ^ uint64(step)<<20 ^ uint64(c)
				logits := ws.Forward(m, tokens[:n*T], n, rand.New(rand.NewPCG(seed, 0xd20f)))
				l, r := nn.BCEWithLogits(logits, labels[:n], dl[:n], scale)
				ws.Backward(m, dl[:n], g)
				bl += l
				right += r
			}
			adam.Update(m.Params(), g.Params())
			g.Reset()
			step++
			lossSum += bl
			seen += len(idx)
			done += len(idx)
			el := time.Since(start).Seconds()
			eps := float64(done) / el
			progress(map[string]any{
				"phase": "train", "epoch": ep, "epochs": opt.Epochs, "batch": b + 1, "batches": batches,
				"done": done, "total": total, "examples_per_sec": eps,
				"eta_sec": float64(total-done) / eps,
				"loss":    lossSum / float64(seen), "accuracy": float64(right) / float64(seen),
				"batch_loss": bl / float64(len(idx)),
			})
		}
		row := train.Epoch{Epoch: ep, Loss: lossSum / float64(seen), Accuracy: float64(right) / float64(seen)}
		if val.N > 0 {
			vm, err := e.metrics(ctx, m, val, nil)
			if err != nil {
				return res, err
			}
			row.ValLoss, row.ValAccuracy = vm.Loss, vm.Accuracy
		}
		row.Seconds = time.Since(t0).Seconds()
		res.History = append(res.History, row)
		progress(map[string]any{"phase": "epoch", "history": res.History})
	}
	res.Seconds = time.Since(start).Seconds()
	res.ExamplesPerSec = float64(done) / res.Seconds
	return res, nil
}
