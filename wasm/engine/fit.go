package main

import (
	"context"
	"encoding/json"
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
	Workers           int // engines sharing each batch (see shard.go)
	MaxBatches        int // per epoch; 0 = all
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
	W := max(1, opt.Workers)
	// Every worker needs at least one chunk of each batch. (The chunk size
	// picks the dropout seeds, so a run depends on W; never on timing.)
	chunk := max(1, min(chunkFor(m.Cfg, opt.Chunk), (opt.BatchSize+W-1)/W))
	ws := nn.NewWorkspace(m.Cfg, nn.DefaultKernels())
	g, err := nn.NewGrads(m.Cfg)
	if err != nil {
		return nil, err
	}
	adam := nn.NewAdam(opt.LR)
	batches := (nTrain + opt.BatchSize - 1) / opt.BatchSize
	if opt.MaxBatches > 0 && opt.MaxBatches < batches {
		batches = opt.MaxBatches
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5aff1e))
	perm := make([]int, nTrain)
	for i := range perm {
		perm[i] = i
	}
	var bufs chunkBufs
	var peers []Peer
	var scratch *nn.Grads
	var update []byte
	updatePending := false
	applyUpdate := func() {
		adam.Update(m.Params(), g.Params())
		g.Reset()
		updatePending = false
	}
	if W > 1 {
		if peers, err = e.getPeers(W - 1); err != nil {
			return nil, err
		}
		if scratch, err = nn.NewGrads(m.Cfg); err != nil {
			return nil, err
		}
		data := append(encodeSet(set), encodeWeights(m)...)
		var replies []<-chan PeerReply
		for _, p := range peers {
			replies = append(replies, p.Call("shardInit", shardInitReq{Config: m.Cfg, N: set.N, Chunk: chunk, Seed: opt.Seed, LR: opt.LR}, data))
		}
		for _, r := range replies {
			if rep := <-r; rep.Err != nil {
				return nil, fmt.Errorf("helper worker: %v", rep.Err)
			}
		}
	}
	res := &train.Result{}
	start := time.Now()
	total, done, step := min(nTrain, batches*opt.BatchSize)*opt.Epochs, 0, 0
	for ep := 1; ep <= opt.Epochs; ep++ {
		t0 := time.Now()
		rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		var lossSum float64
		var right, seen int
		for b := 0; b < batches; b++ {
			if err := e.tick(ctx); err != nil {
				return res, err
			}
			idx := perm[b*opt.BatchSize : min((b+1)*opt.BatchSize, nTrain)]
			scale := 1 / float32(len(idx))
			// Shard s gets chunks [s·C/W, (s+1)·C/W) of the batch's C chunks.
			C := (len(idx) + chunk - 1) / chunk
			rowsOf := func(s int) ([]int, int) {
				lo, hi := s*C/W, (s+1)*C/W
				return idx[min(lo*chunk, len(idx)):min(hi*chunk, len(idx))], lo
			}
			var pending []<-chan PeerReply
			if W > 1 {
				req := shardStepReq{Step: step, Scale: scale, Update: update != nil}
				if b == 0 {
					req.WeightsHash = weightsHash(m)
				}
				for s := 1; s < W; s++ {
					req.Rows, req.ChunkBase = rowsOf(s)
					pending = append(pending, peers[s-1].Call("shardStep", req, update))
				}
			}
			if updatePending {
				applyUpdate()
			}
			rows, _ := rowsOf(0)
			bl, r, err := e.gradRows(ctx, m, ws, g, set, rows, chunk, 0, step, opt.Seed, scale, &bufs)
			if err != nil {
				return res, err
			}
			right += r
			for _, ch := range pending { // shard order, whatever order they finish in
				rep := <-ch
				if rep.Err != nil {
					return res, fmt.Errorf("helper worker: %v", rep.Err)
				}
				var sr shardStepRes
				if err := json.Unmarshal(rep.Payload, &sr); err != nil {
					return res, err
				}
				if err := addEncodedGrads(g, scratch, rep.Buf); err != nil {
					return res, err
				}
				bl += sr.Loss
				right += sr.Right
			}
			if W > 1 {
				// The helpers apply this at the next step; the leader too,
				// but only after sending it (applyUpdate), so its Adam
				// runs while they work.
				update, updatePending = encodeGrads(g), true
			} else {
				applyUpdate()
			}
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
		if updatePending {
			applyUpdate()
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
