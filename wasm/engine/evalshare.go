package main

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"

	"sentilab/core/compress"
	"sentilab/core/kernels"
	"sentilab/core/lab"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/train"
	"sentilab/protocol"
)

// An evaluation shared with helper engines (other Web Workers): a large
// test split is cut into the chunks one engine alone scores it in, the
// leader keeps the first share of the chunks and each helper gets the
// next with the model's file (once per model), so every logit has the bits
// one engine gives it. Scoring 10,000 reviews with the fast preset's
// model takes ~7 s in one worker. A cancel stops this engine's share; a
// helper finishes its own (a few seconds at most) before its next request.

// logits scores set with v in workers engines (this one and helpers) when
// the set is large, else alone.
func (e *Engine) logits(ctx context.Context, v *variant, set train.Set, workers int, act7 bool, progress Progress) ([]float32, error) {
	opt := e.evalOptions(ctx, progress)
	opt.Act7 = act7
	if workers < 2 || set.N < protocol.SharedEvalRows || e.NewPeers == nil {
		return lab.Logits(ctx, v.Model, v.Q, set, opt)
	}
	peers, err := e.getPeers(workers - 1)
	if err != nil {
		return nil, err
	}
	chunks := scoreChunks(v, set)
	P := len(peers) + 1
	if len(chunks) < P {
		return lab.Logits(ctx, v.Model, v.Q, set, opt)
	}
	T := v.Model.Cfg.MaxLen
	bounds := shareBounds(chunks, set, v.Model.Cfg, P)
	share := func(k int) [][2]int { return chunks[bounds[k]:bounds[k+1]] }
	key := e.scoreKey(v)
	var pending []<-chan PeerReply
	for k, p := range peers {
		cs := share(k + 1)
		lo, hi := cs[0][0], cs[len(cs)-1][1]
		req := protocol.ScoreRowsRequest{Model: key, N: hi - lo, Chunks: chunkSizes(cs), Act7: act7}
		var buf []byte
		if e.mustSend(k, key) {
			if buf, err = v.encoded(); err != nil {
				return nil, err
			}
			req.FileBytes = len(buf)
		}
		buf = appendLE(buf, set.Tokens[lo*T:hi*T])
		pending = append(pending, p.Call(NoRegion, protocol.TypeScoreRows, req, buf))
	}
	e.flush() // the helpers start now, not at this engine's first pause
	// This engine's share; its progress stands for all of them.
	mine := share(0)
	n0 := mine[len(mine)-1][1]
	opt.Chunks = mine
	opt.Progress = func(done, _ int) {
		progress(protocol.CountProgress{Phase: protocol.PhaseEvaluate, Done: done * set.N / n0, Total: set.N})
	}
	z, err := lab.Logits(ctx, v.Model, v.Q, set.Rows(0, n0, T), opt)
	if err != nil {
		return nil, err
	}
	out := append(make([]float32, 0, set.N), z...)
	for k, ch := range pending {
		rep, err := awaitReply(ctx, ch)
		if err != nil {
			return nil, err
		}
		cs := share(k + 1)
		lo, hi := cs[0][0], cs[len(cs)-1][1]
		var r protocol.ShardLogitsResult
		if rep.Err != nil || protocol.Decode("scoreRows result", rep.Payload, &r) != nil || r.N != hi-lo || len(rep.Buf) != 4*r.N {
			// A helper that failed (its worker died, or it answered
			// wrong): this engine scores its share.
			e.forgetSent(k)
			opt.Chunks, opt.Progress = shifted(cs, -lo), nil
			zk, err := lab.Logits(ctx, v.Model, v.Q, set.Rows(lo, hi, T), opt)
			if err != nil {
				return nil, err
			}
			out = append(out, zk...)
			continue
		}
		zk := make([]float32, r.N)
		readLE(zk, rep.Buf)
		out = append(out, zk...)
	}
	progress(protocol.CountProgress{Phase: protocol.PhaseEvaluate, Done: set.N, Total: set.N})
	return out, nil
}

// scoreChunks is the row ranges one engine scores set in with v: the
// float runtime's chunks (train.EvalChunks), the int8 runtime's blocks of
// train.ChunkSize rows (lab.Logits in the browser).
func scoreChunks(v *variant, set train.Set) [][2]int {
	cfg := v.Model.Cfg
	if v.Q == nil {
		return train.EvalChunks(cfg, set, train.EvalOptions{BatchSize: train.EvalBatch(cfg), Workers: 1, Kernels: kernels.Default()})
	}
	var out [][2]int
	for lo, bs := 0, train.ChunkSize(cfg); lo < set.N; lo += bs {
		out = append(out, [2]int{lo, min(lo+bs, set.N)})
	}
	return out
}

// shareBounds cuts chunks into p contiguous runs of about the same work,
// and returns where each starts (and, last, len(chunks)): a review costs
// its LSTM steps (train.LiveSteps: padding aside when the model is masked)
// and one more, so a split sorted by length (the peer benchmark's, a
// user's file) does not leave one engine the long reviews. Every run gets
// at least one chunk; the chunks, so every logit's bits, stay the same.
func shareBounds(chunks [][2]int, set train.Set, cfg nn.Config, p int) []int {
	T := cfg.MaxLen
	work := make([]int, len(chunks)+1) // work[i]: the chunks before i
	for i, c := range chunks {
		w := 0
		for r := c[0]; r < c[1]; r++ {
			w += train.LiveSteps(cfg, set.Tokens[r*T:(r+1)*T]) + 1
		}
		work[i+1] = work[i] + w
	}
	bounds := make([]int, p+1)
	bounds[p] = len(chunks)
	for k := 1; k < p; k++ {
		target := work[len(chunks)] * k / p
		i := bounds[k-1] + 1
		for i < len(chunks) && work[i] < target {
			i++
		}
		bounds[k] = min(i, len(chunks)-(p-k))
	}
	return bounds
}

// shifted is chunks moved by d rows.
func shifted(chunks [][2]int, d int) [][2]int {
	out := make([][2]int, len(chunks))
	for i, c := range chunks {
		out[i] = [2]int{c[0] + d, c[1] + d}
	}
	return out
}

// scoreKeys numbers the variants sent to helpers: a name can come back
// for another model after a delete.
var scoreKeys atomic.Int64

// scoreKey is v's key for helpers, made on first use.
func (e *Engine) scoreKey(v *variant) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if v.scoreKey == "" {
		v.scoreKey = fmt.Sprintf("%s#%d", v.Name, scoreKeys.Add(1))
	}
	return v.scoreKey
}

// mustSend says whether helper k must be sent the model of key (it was
// not the last it was sent), and notes that it will have it.
func (e *Engine) mustSend(k int, key string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for len(e.helperModels) <= k {
		e.helperModels = append(e.helperModels, "")
	}
	if e.helperModels[k] == key {
		return false
	}
	e.helperModels[k] = key
	return true
}

// forgetSent makes the next shared evaluation send helper k its model.
func (e *Engine) forgetSent(k int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if k < len(e.helperModels) {
		e.helperModels[k] = ""
	}
}

// scoring is the model a helper scores rows with (scoreRows).
type scoring struct {
	key string
	m   *nn.Model
	q   *compress.QModel
}

// scoreRows is a helper's share of a shared evaluation: the logits of
// p.N rows in p.Chunks, with the model of p.Model, sent in the buffer
// before the rows or kept from an earlier request.
func (e *Engine) scoreRows(ctx context.Context, p protocol.ScoreRowsRequest, buf []byte) (*protocol.ShardLogitsResult, []byte, error) {
	if p.FileBytes < 0 || p.FileBytes > len(buf) {
		return nil, nil, fmt.Errorf("scoreRows: a %d-byte model file in a %d-byte buffer", p.FileBytes, len(buf))
	}
	var s *scoring
	if p.FileBytes > 0 {
		// A new model: the last one, and a training run's state (model,
		// Adam, gradients, workspaces: tens of MB), are garbage, collected
		// before this one is decoded into the heap they leave (a wasm
		// memory never shrinks; issue 11). A next run sends shardInit.
		e.mu.Lock()
		e.scoring, e.helper = nil, nil
		e.mu.Unlock()
		collect()
		var err error
		if s, err = readScoring(p.Model, buf[:p.FileBytes]); err != nil {
			return nil, nil, err
		}
	}
	e.mu.Lock()
	if s != nil {
		e.scoring = s
	}
	s = e.scoring
	e.mu.Unlock()
	if s == nil || s.key != p.Model {
		return nil, nil, fmt.Errorf("scoreRows: no model %q was sent", p.Model)
	}
	T := s.m.Cfg.MaxLen
	rows := buf[p.FileBytes:]
	if p.N < 1 || len(rows) != 4*p.N*T {
		return nil, nil, fmt.Errorf("scoreRows: %d bytes for %d rows of %d tokens", len(rows), p.N, T)
	}
	set := train.Set{N: p.N, Tokens: make([]int32, p.N*T), Labels: make([]float32, p.N)}
	readLE(set.Tokens, rows)
	chunks, err := chunkRanges("scoreRows", p.Chunks, p.N)
	if err != nil {
		return nil, nil, err
	}
	opt := e.evalOptions(ctx, func(any) {})
	opt.Progress, opt.Chunks, opt.Act7 = nil, chunks, p.Act7
	z, err := lab.Logits(ctx, s.m, s.q, set, opt)
	if err != nil {
		return nil, nil, err
	}
	return &protocol.ShardLogitsResult{N: p.N}, appendLE(nil, z), nil
}

// readScoring reads a model file into what scoreRows needs: the float
// model, and the int8 runtime if its chain ends in int8 (as importModel).
func readScoring(key string, b []byte) (*scoring, error) {
	f, err := modelfile.Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	ld, err := modelfile.Decode(f)
	if err != nil {
		return nil, err
	}
	s := &scoring{key: key, m: ld.Model}
	if lab.Runtime(ld.Meta.Variant) == lab.RuntimeInt8 {
		if s.q, err = compress.NewQModel(ld); err != nil {
			return nil, err
		}
	}
	return s, nil
}
