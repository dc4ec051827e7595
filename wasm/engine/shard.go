package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"

	"sentilab/core/nn"
	"sentilab/core/train"
)

// Data-parallel training. The engine that runs "train" (the leader) splits
// every batch into chunks (chunkFor), gives each of W workers a contiguous
// run of chunks, computes the first run itself and asks helper engines
// (Peers: other Web Workers running this same program) for the others.
// Helpers get the training set and the initial weights once ("shardInit")
// and, every step, the previous step's summed gradient ("shardStep"), which
// they apply with their own Adam, exactly as the leader does, so every
// engine holds the same weights without 10 MB of them crossing between
// workers at each step (sending the weights cost 30-70 ms a step at the
// thesis shape; the sparse gradient is ~1.4 MB). They answer with their
// gradient sum. The leader adds the shards' gradients in shard order —
// never in arrival order — sends the sum with the next step's request, and
// applies Adam while the helpers work. At each epoch's first step the
// helpers check their weights against the leader's hash. Dropout is seeded
// per (step, chunk), so every chunk's gradient is the same whichever worker
// computes it; only the grouping of the float sums depends on W, and
// nothing depends on timing.

// Peer is another engine the leader can send requests to.
type Peer interface {
	Call(typ string, payload any, buf []byte) <-chan PeerReply
}

// PeerReply is a peer's result (or error) for one request.
type PeerReply struct {
	Payload json.RawMessage
	Buf     []byte
	Err     error
}

// chunkBufs are a worker's per-chunk input buffers.
type chunkBufs struct {
	tokens []int32
	labels []float32
	dl     []float32
}

// gradRows accumulates into g the gradient of scale × the summed loss of
// the given set rows, in chunks; chunk k uses dropout seed (seed, step,
// chunkBase+k). It yields to JS between chunks.
func (e *Engine) gradRows(ctx context.Context, m *nn.Model, ws *nn.Workspace, g *nn.Grads, set train.Set, rows []int,
	chunk, chunkBase, step int, seed uint64, scale float32, b *chunkBufs) (loss float64, right int, err error) {
	T := m.Cfg.MaxLen
	if len(b.labels) < chunk {
		b.tokens, b.labels, b.dl = make([]int32, chunk*T), make([]float32, chunk), make([]float32, chunk)
	}
	for c, lo := chunkBase, 0; lo < len(rows); c, lo = c+1, lo+chunk {
		if err := e.tick(ctx); err != nil {
			return loss, right, err
		}
		sub := rows[lo:min(lo+chunk, len(rows))]
		n := len(sub)
		for k, r := range sub {
			copy(b.tokens[k*T:(k+1)*T], set.Tokens[r*T:(r+1)*T])
			b.labels[k] = set.Labels[r]
		}
		s := seed ^ uint64(step)<<20 ^ uint64(c)
		logits := ws.Forward(m, b.tokens[:n*T], n, rand.New(rand.NewPCG(s, 0xd20f)))
		l, r := nn.BCEWithLogits(logits, b.labels[:n], b.dl[:n], scale)
		ws.Backward(m, b.dl[:n], g)
		loss += l
		right += r
	}
	return loss, right, nil
}

// encodeWeights is every parameter, in Params order, as little-endian float32.
func encodeWeights(m *nn.Model) []byte {
	out := make([]byte, 0, 4*m.NumParams())
	for _, p := range m.Params() {
		out = appendLE(out, p.W)
	}
	return out
}

func decodeWeights(m *nn.Model, b []byte) error {
	if len(b) != 4*m.NumParams() {
		return fmt.Errorf("weights: %d bytes for %d parameters", len(b), m.NumParams())
	}
	for _, p := range m.Params() {
		b = readLE(p.W, b)
	}
	return nil
}

// encodeGrads writes g sparsely: the touched embedding rows (count, ids,
// values), then the dense tensors. A batch touches a few thousand of the
// 20,000 rows, so this is a fraction of the dense size.
func encodeGrads(g *nn.Grads) []byte {
	E := g.Cfg.Embed
	out := binary.LittleEndian.AppendUint32(nil, uint32(len(g.Touched)))
	out = appendLE(out, g.Touched)
	for _, r := range g.Touched {
		out = appendLE(out, g.Embedding[int(r)*E:int(r+1)*E])
	}
	for _, v := range [][]float32{g.Kernel, g.Recurrent, g.Bias, g.DenseW, g.DenseB} {
		out = appendLE(out, v)
	}
	return out
}

// decodeGrads reads an encodeGrads buffer into g, which must be zero (as
// after Reset): values are set, not added, so they keep their exact bits.
// g is then for reading (Adam) and Reset: its rows are listed in Touched
// but not marked seen, so nothing may be accumulated into it before Reset.
func decodeGrads(g *nn.Grads, b []byte) error {
	bad := errors.New("gradient buffer: truncated or malformed")
	if len(b) < 4 {
		return bad
	}
	n := int(binary.LittleEndian.Uint32(b))
	b = b[4:]
	E, V := g.Cfg.Embed, g.Cfg.Vocab
	dense := len(g.Kernel) + len(g.Recurrent) + len(g.Bias) + len(g.DenseW) + len(g.DenseB)
	if n > V || len(b) != 4*n+4*(n*E+dense) {
		return bad
	}
	rows := make([]int32, n)
	b = readLE(rows, b)
	for _, r := range rows {
		if r < 0 || int(r) >= V {
			return bad
		}
	}
	for _, r := range rows {
		b = readLE(g.Embedding[int(r)*E:int(r+1)*E], b)
	}
	for _, v := range [][]float32{g.Kernel, g.Recurrent, g.Bias, g.DenseW, g.DenseB} {
		b = readLE(v, b)
	}
	g.Touched = rows
	return nil
}

// addEncodedGrads adds an encodeGrads buffer into g, using scratch (zero on
// entry and on return) to hold it.
func addEncodedGrads(g, scratch *nn.Grads, b []byte) error {
	if err := decodeGrads(scratch, b); err != nil {
		return err
	}
	E := g.Cfg.Embed
	rows := scratch.Touched
	g.Add(scratch)
	for _, r := range rows {
		clear(scratch.Embedding[int(r)*E : int(r+1)*E])
	}
	scratch.Touched = nil
	clear(scratch.Kernel)
	clear(scratch.Recurrent)
	clear(scratch.Bias)
	clear(scratch.DenseW)
	clear(scratch.DenseB)
	return nil
}

// helperState is a helper engine's copy of the model and training set.
type helperState struct {
	m     *nn.Model
	adam  *nn.Adam
	ws    *nn.Workspace
	g     *nn.Grads
	set   train.Set
	chunk int
	seed  uint64
	bufs  chunkBufs
}

type shardInitReq struct {
	Config nn.Config `json:"config"`
	N      int       `json:"n"`
	Chunk  int       `json:"chunk"`
	Seed   uint64    `json:"seed"`
	LR     float64   `json:"lr"`
}

// encodeSet packs a set's tokens (int32) then labels (float32).
func encodeSet(s train.Set) []byte {
	out := make([]byte, 0, 4*(len(s.Tokens)+len(s.Labels)))
	return appendLE(appendLE(out, s.Tokens), s.Labels)
}

func (e *Engine) shardInit(p shardInitReq, buf []byte) (any, error) {
	if err := p.Config.Validate(); err != nil {
		return nil, err
	}
	T := p.Config.MaxLen
	m, err := nn.NewModel(p.Config)
	if err != nil {
		return nil, err
	}
	setBytes := 4 * (p.N*T + p.N)
	if p.N < 1 || p.Chunk < 1 || !(p.LR > 0) || len(buf) != setBytes+4*m.NumParams() {
		return nil, fmt.Errorf("shardInit: %d bytes for %d rows of %d tokens and %d weights (lr %v)", len(buf), p.N, T, m.NumParams(), p.LR)
	}
	if err := decodeWeights(m, buf[setBytes:]); err != nil {
		return nil, err
	}
	buf = buf[:setBytes]
	g, err := nn.NewGrads(p.Config)
	if err != nil {
		return nil, err
	}
	set := train.Set{Tokens: make([]int32, p.N*T), Labels: make([]float32, p.N), N: p.N}
	readLE(set.Labels, readLE(set.Tokens, buf))
	e.mu.Lock()
	e.helper = &helperState{m: m, adam: nn.NewAdam(p.LR), ws: nn.NewWorkspace(p.Config, nn.DefaultKernels()), g: g, set: set, chunk: p.Chunk, seed: p.Seed}
	e.mu.Unlock()
	return map[string]int{"rows": p.N}, nil
}

type shardStepReq struct {
	Step      int     `json:"step"`
	Rows      []int   `json:"rows"`
	ChunkBase int     `json:"chunk_base"`
	Scale     float32 `json:"scale"`
	// Update: the buffer is the previous step's summed gradient, to apply
	// (Adam) before computing. WeightsHash, if set, is the leader's
	// weightsHash after that update; the helper's must match.
	Update      bool   `json:"update"`
	WeightsHash string `json:"weights_hash,omitempty"`
}

type shardStepRes struct {
	Loss  float64 `json:"loss"`
	Right int     `json:"right"`
}

func (e *Engine) shardStep(ctx context.Context, p shardStepReq, update []byte) (any, []byte, error) {
	e.mu.Lock()
	h := e.helper
	e.mu.Unlock()
	if h == nil {
		return nil, nil, errors.New("shardStep before shardInit")
	}
	for _, r := range p.Rows {
		if r < 0 || r >= h.set.N {
			return nil, nil, fmt.Errorf("shardStep: row %d of %d", r, h.set.N)
		}
	}
	h.g.Reset()
	switch {
	case p.Update:
		if err := decodeGrads(h.g, update); err != nil {
			return nil, nil, err
		}
		h.adam.Update(h.m.Params(), h.g.Params())
		h.g.Reset()
	case len(update) > 0:
		return nil, nil, errors.New("shardStep: a buffer without update")
	}
	if p.WeightsHash != "" && weightsHash(h.m) != p.WeightsHash {
		return nil, nil, fmt.Errorf("shardStep %d: this helper's weights differ from the leader's", p.Step)
	}
	loss, right, err := e.gradRows(ctx, h.m, h.ws, h.g, h.set, p.Rows, h.chunk, p.ChunkBase, p.Step, h.seed, p.Scale, &h.bufs)
	if err != nil {
		return nil, nil, err
	}
	return shardStepRes{Loss: loss, Right: right}, encodeGrads(h.g), nil
}

// weightsHash is an FNV-1a hash of m's weights' bits.
func weightsHash(m *nn.Model) string {
	h := fnv.New64a()
	for _, p := range m.Params() {
		h.Write(appendLE(nil, p.W))
	}
	return fmt.Sprintf("%016x", h.Sum64())
}
