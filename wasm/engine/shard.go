package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"sentilab/core/kernels"
	"sentilab/core/lab"
	"sentilab/core/nn"
	"sentilab/core/train"
	"sentilab/protocol"
)

// Data-parallel training. The engine that runs "train" (the leader) shares
// every batch among W workers by core/train's one rule (chunks.go: worker w
// gets rows [w·B/W, (w+1)·B/W), cut into chunks numbered across the batch),
// computes part 0 itself and asks helper engines (Peers: other Web Workers
// running this same program) for the others.
// Helpers get the initial weights once ("shardInit") and, every step, the
// token ids and labels of their rows of the batch ("shardStep": ~22 KB at
// the fast preset's shape), never the whole training set: a copy of it in
// every helper, and the 38 MB message that carried it, were what set the
// page's memory peak at training start (issue 11, BENCHMARKS.md). They
// answer with their gradient sum. The leader adds the parts' gradients in
// part order — never in arrival order — which is what core/train's
// goroutines do natively, so the browser with W workers gives the command
// line's bits with W workers. As soon as the sum is made the leader sends
// it to the helpers (a shardStep with Update and no rows), which apply it
// with their own Adam, exactly as the leader does, while the leader
// applies its own: every engine holds the same weights without 10 MB of
// them crossing between workers at each step (sending the weights cost
// 30-70 ms a step at the thesis shape; the sparse gradient is ~1.4 MB),
// and no engine waits for another's Adam (issue 12: the leader's Adam
// running alone cost the scaling of 2 workers). With one helper (the
// default 2 workers) the leader sends its own part instead, as soon as it
// has it (Update with Own), and each engine adds the other's part to its
// own (a sum of two has the same bits in either order), so the helper need
// not wait for the sum to come back; and it sends the next step's rows as
// soon as the helper's part is back, so the helper starts them as soon as
// its Adam ends.
// At each epoch's first step the helpers check their weights against the
// leader's hash. Dropout is seeded per (step, chunk), so nothing depends
// on timing. At each epoch's end the helpers also score a share of the
// validation rows (shardLogits, valLogits).

// Peer is another engine the leader can send requests to. Call copies
// payload and buf (as posting a message does): the caller may reuse buf
// as soon as Call returns. region is the shared area the bytes may travel
// in (peers_js.go), or NoRegion: the caller sends a region's next request
// only once the reply to its previous one has arrived.
type Peer interface {
	Call(region int, typ string, payload any, buf []byte) <-chan PeerReply
}

// The regions of the shard messages: a step's rows (and the helper's
// gradient in reply), the summed gradient applied by every helper.
const (
	NoRegion     = -1
	RegionRows   = 0
	RegionUpdate = 1
	regions      = 2
)

// PeerReply is a peer's result (or error) for one request. The Buf of a
// reply in a region may be reused by the region's next reply: read it
// before the region's next Call.
type PeerReply struct {
	Payload json.RawMessage
	Buf     []byte
	Err     error
}

// leader is the training engine's side: it implements lab.RunOptions's
// BeforeFit (send helpers the set and weights) and Grad (share a batch).
type leader struct {
	e     *Engine
	m     *nn.Model
	peers []Peer
	in    []bool // addEncodedGrads' scratch
	// updates are the helpers' replies to the last step's update, read
	// at the next step (a helper handles its messages in order).
	updates []<-chan PeerReply
	pause   func() error
	// update and rows are the step's message buffers, reused: Call copies
	// them into the messages.
	update, rows []byte
	// next is the helpers' replies to step nextStep's rows, sent early.
	next     []<-chan PeerReply
	nextStep int
}

func (l *leader) init(m *nn.Model, set train.Set, opt train.Options) error {
	peers, err := l.e.getPeers(opt.Workers - 1)
	if err != nil {
		return err
	}
	l.in = make([]bool, m.Cfg.Vocab)
	l.m, l.peers, l.pause, l.updates, l.next = m, peers, opt.Pause, nil, nil
	l.e.mu.Lock()
	l.e.helperModels = nil // shardInit drops a helper's scoring model
	l.e.mu.Unlock()
	chunk := opt.Chunk
	if chunk == 0 {
		chunk = train.ChunkSize(m.Cfg)
	}
	buf := encodeWeights(m)
	kernelName := ""
	if opt.Kernels.Name == kernels.Portable.Name {
		kernelName = "portable"
	}
	req := protocol.ShardInitRequest{Config: lab.ConfigJSON(m.Cfg), N: set.N, Chunk: chunk, Seed: opt.Seed, LR: opt.LR, Kernels: kernelName}
	var replies []<-chan PeerReply
	for _, p := range peers {
		replies = append(replies, p.Call(NoRegion, protocol.TypeShardInit, req, buf))
	}
	for _, r := range replies {
		if rep := <-r; rep.Err != nil {
			return fmt.Errorf("helper worker: %v", rep.Err)
		}
	}
	return nil
}

// grad computes part 0 here and the others in the helpers, leaves the
// sum, in part order, in local.G and sends it to the helpers to apply.
func (l *leader) grad(ctx context.Context, b train.Batch, local *train.Worker) (float64, int, error) {
	req := protocol.ShardStepRequest{Step: b.Step, Scale: b.Scale}
	if b.Index == 0 {
		req.WeightsHash = lab.WeightsHash(l.m)
	}
	pending := l.next
	if l.nextStep != b.Step || pending == nil {
		pending = l.postRows(b, req)
	}
	l.next = nil
	loss, right, err := local.Grad(l.m, b.Set, b.Parts[0], b.Chunk, b.Step, b.Seed, b.Scale, nil, l.pause)
	// A cancel does not wait for the helpers to finish their parts: their
	// late replies go to buffered channels nobody reads, and a next run's
	// shardInit queues behind them.
	for _, ch := range l.updates {
		rep, cerr := awaitReply(ctx, ch)
		if cerr != nil {
			return loss, right, cerr
		}
		if rep.Err != nil && err == nil {
			err = fmt.Errorf("helper worker: %v", rep.Err)
		}
	}
	l.updates = l.updates[:0]
	// With one helper the leader sends its own part now, while the helper
	// may still compute: each then adds the other's part to its own (a sum
	// of two has the same bits in either order) and runs Adam, and
	// the helper need not wait for the leader's sum to come back (issue 12:
	// ~2 ms of a 66 ms step at the fast preset's shape). With more helpers
	// the leader sums the parts and sends the sum.
	own := len(l.peers) == 1 && err == nil
	if own {
		l.sendUpdate(b.Step, true, local.G)
	}
	for s, ch := range pending { // part order, whatever order they finish in
		rep, cerr := awaitReply(ctx, ch)
		if cerr != nil {
			return loss, right, cerr
		}
		if err != nil {
			continue // drain the replies before giving up
		}
		if rep.Err != nil {
			err = fmt.Errorf("helper worker: %v", rep.Err)
			continue
		}
		var sr protocol.ShardStepResult
		if err = protocol.Decode("shardStep result", rep.Payload, &sr); err != nil {
			continue
		}
		if s+1 < len(b.Parts) {
			err = addEncodedGrads(local.G, l.in, rep.Buf)
		}
		if own && b.Next != nil && err == nil {
			// The next step's rows go now, while the helper applies this
			// step's update (it reads its messages in order): it starts
			// them when its Adam ends, not when the leader's does. Not
			// before this reply is read: the reply to these rows reuses
			// its buffer, and a small model's can come back during the
			// post's yield (a CI run hung on that).
			n := b.Next
			l.next, l.nextStep = l.postRows(*n, protocol.ShardStepRequest{Step: n.Step, Scale: n.Scale}), n.Step
		}
		loss += sr.Loss
		right += sr.Right
	}
	if err != nil {
		return loss, right, err
	}
	if !own {
		l.sendUpdate(b.Step, false, local.G)
	}
	return loss, right, nil
}

// postRows asks every helper for the gradient of its rows of b, even one
// with no rows this step (a batch smaller than the workers): its reply
// says its last update applied.
func (l *leader) postRows(b train.Batch, req protocol.ShardStepRequest) []<-chan PeerReply {
	var pending []<-chan PeerReply
	for s := 1; s <= len(l.peers); s++ {
		req.Rows, req.ChunkBase = nil, 0
		if s < len(b.Parts) {
			req.Rows, req.ChunkBase = b.Parts[s].Rows, b.Parts[s].ChunkBase
		}
		l.rows = encodeRows(l.rows[:0], b.Set, req.Rows, l.m.Cfg.MaxLen)
		pending = append(pending, l.peers[s-1].Call(RegionRows, protocol.TypeShardStep, req, l.rows))
	}
	l.e.flush() // the messages just posted leave now
	return pending
}

// sendUpdate sends every helper g, encoded: the step's summed gradient, or
// (own) the leader's part of it.
func (l *leader) sendUpdate(step int, own bool, g *nn.Grads) {
	l.update = encodeGrads(l.update, g)
	for _, p := range l.peers {
		l.updates = append(l.updates, p.Call(RegionUpdate, protocol.TypeShardStep, protocol.ShardStepRequest{Step: step, Update: true, Own: own}, l.update))
	}
	l.e.flush() // the messages just posted leave now
}

// valLogits scores the validation rows (train.Options.ValLogits) here and
// in the helpers, in rows order: the chunks the command line cuts with as
// many goroutines as there are engines (train.EvalChunks), a contiguous
// share of them each, so the losses keep the command line's bits (issue
// 12: the leader scoring them alone kept 2 workers' whole epochs at 1.69×
// one). A helper scores with the weights of the last update it applied,
// which are the leader's: it reads its requests in order, and the step's
// update went before this.
func (l *leader) valLogits(ctx context.Context, m *nn.Model, val train.Set, opt train.EvalOptions) ([]float32, error) {
	P := len(l.peers) + 1
	all := opt
	all.Workers = P
	chunks := train.EvalChunks(m.Cfg, val, all)
	if len(chunks) < P {
		opt.Chunks = chunks
		return train.Logits(ctx, m, val, opt)
	}
	T := m.Cfg.MaxLen
	share := func(k int) [][2]int { return chunks[k*len(chunks)/P : (k+1)*len(chunks)/P] }
	var pending []<-chan PeerReply
	for k := 1; k < P; k++ {
		cs := share(k)
		lo, hi := cs[0][0], cs[len(cs)-1][1]
		req := protocol.ShardLogitsRequest{N: hi - lo, Chunks: chunkSizes(cs)}
		// encodeRows's layout for the contiguous rows lo … hi−1.
		l.rows = appendLE(appendLE(l.rows[:0], val.Tokens[lo*T:hi*T]), val.Labels[lo:hi])
		pending = append(pending, l.peers[k-1].Call(RegionRows, protocol.TypeShardLogits, req, l.rows))
	}
	l.e.flush() // the messages just posted leave now
	opt.Chunks = share(0)
	hi0 := opt.Chunks[len(opt.Chunks)-1][1]
	z0, err := train.Logits(ctx, m, train.Set{N: hi0, Tokens: val.Tokens[:hi0*T], Labels: val.Labels[:hi0]}, opt)
	out := append(make([]float32, 0, val.N), z0...)
	for k, ch := range pending {
		rep, cerr := awaitReply(ctx, ch)
		if cerr != nil {
			return nil, cerr
		}
		if err != nil {
			continue // drain the replies before giving up
		}
		cs := share(k + 1)
		n := cs[len(cs)-1][1] - cs[0][0]
		var r protocol.ShardLogitsResult
		switch {
		case rep.Err != nil:
			err = fmt.Errorf("helper worker: %v", rep.Err)
		case protocol.Decode("shardLogits result", rep.Payload, &r) != nil || r.N != n || len(rep.Buf) != 4*n:
			err = fmt.Errorf("helper worker: %d logits (%d bytes) for %d validation rows", r.N, len(rep.Buf), n)
		default:
			z := make([]float32, n)
			readLE(z, rep.Buf)
			out = append(out, z...)
		}
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// encodeRows appends the rows' token ids (int32) then labels (float32).
func encodeRows(out []byte, set train.Set, rows []int, T int) []byte {
	for _, r := range rows {
		out = appendLE(out, set.Tokens[r*T:(r+1)*T])
	}
	for _, r := range rows {
		out = appendLE(out, set.Labels[r:r+1])
	}
	return out
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

// encodeGrads writes g sparsely into dst's storage: the touched embedding
// rows (count, ids, values), then the dense tensors. A batch touches a few
// thousand of the 20,000 rows, so this is a fraction of the dense size.
// The buffer is sized once and reused: appending row by row into a new one
// at each step cost ~1 ms of a 10 ms classroom step in wasm, with the
// collections its garbage brought (issue 9).
func encodeGrads(dst []byte, g *nn.Grads) []byte {
	E := g.Cfg.Embed
	dense := [][]float32{g.Kernel, g.Recurrent, g.Bias, g.DenseW, g.DenseB}
	n := 4 + 4*len(g.Touched)*(1+E)
	for _, v := range dense {
		n += 4 * len(v)
	}
	out := binary.LittleEndian.AppendUint32(slices.Grow(dst[:0], n), uint32(len(g.Touched)))
	out = appendLE(out, g.Touched)
	for _, r := range g.Touched {
		out = appendLE(out, g.Embedding[int(r)*E:int(r+1)*E])
	}
	for _, v := range dense {
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
	rows := slices.Grow(g.Touched[:0], n)[:n] // g.Touched is empty (g is zero)
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

// addEncodedGrads adds an encodeGrads buffer into g as g.Add would (the
// same additions in the same order, so the same bits), without decoding it
// into a second gradient buffer first (11 MB of the engine's memory at the
// fast preset's shape). in is scratch of Vocab flags. Rows new to g are
// appended to g.Touched but not marked seen (as decodeGrads leaves them):
// g is then for reading (Adam, encodeGrads) and Reset, nothing may be
// accumulated into it before Reset.
func addEncodedGrads(g *nn.Grads, in []bool, b []byte) error {
	bad := errors.New("gradient buffer: truncated or malformed")
	if len(b) < 4 {
		return bad
	}
	n := int(binary.LittleEndian.Uint32(b))
	b = b[4:]
	E, V := g.Cfg.Embed, g.Cfg.Vocab
	dense := len(g.Kernel) + len(g.Recurrent) + len(g.Bias) + len(g.DenseW) + len(g.DenseB)
	if n > V || len(b) != 4*n+4*(n*E+dense) || len(in) != V {
		return bad
	}
	rows, b := b[:4*n], b[4*n:]
	for i := 0; i < n; i++ {
		if r := int32(binary.LittleEndian.Uint32(rows[4*i:])); r < 0 || int(r) >= V {
			return bad
		}
	}
	clear(in)
	for _, r := range g.Touched {
		in[r] = true
	}
	for i := 0; i < n; i++ {
		if r := int32(binary.LittleEndian.Uint32(rows[4*i:])); !in[r] {
			in[r] = true
			g.Touched = append(g.Touched, r)
		}
	}
	// The rows in one call where the bytes allow it (AddRowsAt: the same
	// additions; one AddRows call per row ran as a Go loop, its rows being
	// shorter than the module's minVector, 0.7 ms of a step with 2 workers).
	ids, okIDs := viewLE[int32](rows, n)
	vals, okVals := viewLE[float32](b, n*E)
	if okIDs && okVals {
		kernels.AddRowsAt(g.Embedding, E, ids, vals)
		b = b[4*n*E:]
	} else {
		for i := 0; i < n; i++ {
			r := int(binary.LittleEndian.Uint32(rows[4*i:]))
			b = addLE(g.Embedding[r*E:(r+1)*E], b)
		}
	}
	for _, v := range [][]float32{g.Kernel, g.Recurrent, g.Bias, g.DenseW, g.DenseB} {
		b = addLE(v, b)
	}
	return nil
}

// addLE adds the first 4·len(dst) bytes of b, little-endian float32s, into
// dst and returns the rest.
func addLE(dst []float32, b []byte) []byte {
	if src, ok := viewLE[float32](b, len(dst)); ok {
		kernels.AddRows(dst, src, 1)
		return b[4*len(dst):]
	}
	for i := range dst {
		dst[i] += math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return b[4*len(dst):]
}

// helperState is a helper engine's copy of the model, and its rows of the
// current step (the training set stays with the leader).
// An update is added into w.G, applied and cleared before w computes its
// next part: a second gradient buffer would cost as much memory as the
// weights (11 MB at the fast preset's shape).
type helperState struct {
	m     *nn.Model
	adam  *nn.Adam
	w     *train.Worker
	n     int // rows in the leader's training set
	part  train.Set
	local []int // 0, 1, ... : the part's rows in part
	chunk int
	seed  uint64
	k     kernels.Kernels
	out   []byte // the reply's buffer, reused
	// held says w.G still holds the part this helper computed last, not
	// yet added to an update (ShardStepRequest.Own); in is
	// addEncodedGrads' scratch.
	held bool
	in   []bool
}

func (e *Engine) shardInit(p protocol.ShardInitRequest, buf []byte) (*protocol.ShardInitResult, error) {
	cfg := lab.ConfigOf(p.Config)
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// What shared evaluations left here (the last model sent and its
	// workspaces, tens of MB) goes before the training state is allocated
	// (issue 11); the leader forgets it sent that model.
	e.mu.Lock()
	e.scoring = nil
	e.mu.Unlock()
	e.evalWS.Drop()
	collect()
	m, err := nn.NewModel(cfg)
	if err != nil {
		return nil, err
	}
	if p.N < 1 || p.Chunk < 1 || !(p.LR > 0) || len(buf) != 4*m.NumParams() {
		return nil, fmt.Errorf("shardInit: %d bytes for %d weights (%d rows, chunk %d, lr %v)", len(buf), m.NumParams(), p.N, p.Chunk, p.LR)
	}
	if err := decodeWeights(m, buf); err != nil {
		return nil, err
	}
	k, err := lab.Kernels(p.Kernels)
	if err != nil {
		return nil, err
	}
	w, err := train.NewWorker(cfg, k)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.helper = &helperState{m: m, adam: nn.NewAdam(p.LR), w: w, n: p.N, chunk: p.Chunk, seed: p.Seed, k: k, in: make([]bool, cfg.Vocab)}
	e.mu.Unlock()
	return &protocol.ShardInitResult{Rows: p.N}, nil
}

// helperFor is this engine's helper state for a request of type typ, which
// needs a shardInit first.
func (e *Engine) helperFor(typ string) (*helperState, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.helper == nil {
		return nil, fmt.Errorf("%s before shardInit", typ)
	}
	return e.helper, nil
}

// shardStep applies an update (the buffer's first part) and computes the
// gradient of the request's rows (their tokens and labels end the buffer).
func (e *Engine) shardStep(ctx context.Context, p protocol.ShardStepRequest, buf []byte) (*protocol.ShardStepResult, []byte, error) {
	h, err := e.helperFor(protocol.TypeShardStep)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range p.Rows {
		if r < 0 || r >= h.n {
			return nil, nil, fmt.Errorf("shardStep: row %d of %d", r, h.n)
		}
	}
	T := h.m.Cfg.MaxLen
	n := len(p.Rows)
	rowBytes := 4 * n * (T + 1)
	if len(buf) < rowBytes {
		return nil, nil, fmt.Errorf("shardStep: %d bytes for %d rows of %d tokens", len(buf), n, T)
	}
	update, rows := buf[:len(buf)-rowBytes], buf[len(buf)-rowBytes:]
	own := p.Update && p.Own && h.held
	h.held = false
	if !own {
		h.w.G.Reset() // zero, even after a failed step
	}
	switch {
	case p.Update:
		// The leader's part is added to this helper's, still in w.G: the
		// leader's sum is its part plus this one, and a + b is b + a in
		// floating point, so these are its bits. (A row only the leader
		// touched is x there and +0 + x here: they differ only for x = −0,
		// and Adam's result is the same for −0 and +0.) It saves decoding
		// the leader's part and reading this one back from out.
		var err error
		if own {
			err = addEncodedGrads(h.w.G, h.in, update)
		} else {
			err = decodeGrads(h.w.G, update)
		}
		if err != nil {
			return nil, nil, err
		}
		h.adam.Update(h.m.Params(), h.w.G.Params())
		h.w.G.Reset()
	case len(update) > 0:
		return nil, nil, errors.New("shardStep: a buffer without update")
	}
	if p.WeightsHash != "" && lab.WeightsHash(h.m) != p.WeightsHash {
		return nil, nil, fmt.Errorf("shardStep %d: this helper's weights differ from the leader's", p.Step)
	}
	if n == 0 {
		return &protocol.ShardStepResult{}, nil, nil
	}
	h.part.N = n
	h.part.Tokens = slices.Grow(h.part.Tokens[:0], n*T)[:n*T]
	h.part.Labels = slices.Grow(h.part.Labels[:0], n)[:n]
	readLE(h.part.Labels, readLE(h.part.Tokens, rows))
	for len(h.local) < n {
		h.local = append(h.local, len(h.local))
	}
	part := train.Part{Rows: h.local[:n], ChunkBase: p.ChunkBase}
	loss, right, err := h.w.Grad(h.m, h.part, part, h.chunk, p.Step, h.seed, p.Scale, nil, e.pause(ctx))
	if err != nil {
		return nil, nil, err
	}
	h.out = encodeGrads(h.out, h.w.G) // posted (copied) before the next request is read
	h.held = true
	return &protocol.ShardStepResult{Loss: loss, Right: right}, h.out, nil
}

// shardLogits scores a leader's share of the validation rows (the buffer:
// their tokens, then labels) with this helper's weights, in the leader's
// chunks, in the gradient's workspace (a second one would be tens of MB of
// the page's memory, issue 11).
func (e *Engine) shardLogits(ctx context.Context, p protocol.ShardLogitsRequest, buf []byte) (*protocol.ShardLogitsResult, []byte, error) {
	h, err := e.helperFor(protocol.TypeShardLogits)
	if err != nil {
		return nil, nil, err
	}
	T := h.m.Cfg.MaxLen
	if p.N < 1 || len(buf) != 4*p.N*(T+1) {
		return nil, nil, fmt.Errorf("shardLogits: %d bytes for %d rows of %d tokens", len(buf), p.N, T)
	}
	set := train.Set{N: p.N, Tokens: make([]int32, p.N*T), Labels: make([]float32, p.N)}
	readLE(set.Labels, readLE(set.Tokens, buf))
	chunks, err := chunkRanges("shardLogits", p.Chunks, p.N)
	if err != nil {
		return nil, nil, err
	}
	z, err := train.Logits(ctx, h.m, set, train.EvalOptions{Workers: 1, Kernels: h.k, Pause: e.pause(ctx), Reuse: h.w.Workspaces(), Chunks: chunks})
	if err != nil {
		return nil, nil, err
	}
	h.out = appendLE(h.out[:0], z)
	h.held = false // w.G is cleared at the next step
	return &protocol.ShardLogitsResult{N: p.N}, h.out, nil
}

// chunkRanges turns a request's chunk sizes into row ranges, which must
// cover its n rows (Logits refuses ranges that do not).
func chunkRanges(what string, sizes []int, n int) ([][2]int, error) {
	var chunks [][2]int
	lo := 0
	for _, k := range sizes {
		chunks = append(chunks, [2]int{lo, lo + k})
		lo += k
	}
	if len(chunks) == 0 || chunks[len(chunks)-1][1] != n {
		return nil, fmt.Errorf("%s: chunks %v for %d rows", what, sizes, n)
	}
	return chunks, nil
}

// chunkSizes is chunkRanges's inverse: the sizes of contiguous ranges.
func chunkSizes(chunks [][2]int) []int {
	out := make([]int, len(chunks))
	for i, c := range chunks {
		out[i] = c[1] - c[0]
	}
	return out
}

// awaitReply waits for a helper's reply, or for ctx to end.
func awaitReply(ctx context.Context, ch <-chan PeerReply) (PeerReply, error) {
	select {
	case rep := <-ch:
		return rep, nil
	case <-ctx.Done():
		return PeerReply{}, ctx.Err()
	}
}
