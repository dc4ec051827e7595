package nn

import (
	"math/rand/v2"
	"sentilab/core/kernels"
)

// Workspace holds one shard's activations between Forward and Backward. One
// per goroutine (or Web Worker); buffers are reused across batches.
//
// Layout: the LSTM runs on "rows". Examples are sorted by length, longest
// first, so at step t the active examples are a prefix of n[t] rows; the rows
// of all steps are stored one after another (off[t] is step t's first row).
// Without masking every example has length T and this is plain time-major
// [T, B]. With masking, padded steps are never computed at all (Keras's
// mask_zero carries the state through them unchanged, so skipping them is the
// same result at a fraction of the FLOPs).
type Workspace struct {
	cfg    Config
	kern   kernels.Kernels
	B      int
	batch  BatchOrder
	order  []int   // sorted position → example index
	lens   []int   // by sorted position
	n, off []int   // active rows per step, first row per step (len T+1)
	rowTok []int32 // [R] token id of each row

	X      []float32 // [R, E] embedded inputs
	A      []float32 // [R, 4H] gate activations i, f, g, o
	C      []float32 // [R, H] cell state
	TC     []float32 // [R, H] tanh(cell state)
	Hs     []float32 // [R, H] hidden state
	Hprev  []float32 // [R, H] hidden state entering each row's step
	hf     []float32 // [B, H] final hidden state after dropout (sorted order)
	drop   []float32 // [B, H] dropout multipliers (0 or 1/(1-p)); nil when off
	logits []float32 // [B] (example order)

	dZ, dX, dh, dc, dhf []float32
	rt                  []float32 // [4H, H] Recurrent transposed, for Kernels.GemmBT
	ns                  []int32   // n as int32, for Kernels.Steps
	table               *InputTable
	miss                []int     // rows not in the table (project)
	missX, missA        []float32 // their inputs and gates
	slot                []int32   // [Vocab] a token's distinct row in projectUnique, or −1
	uniq                []int     // projectUnique's first row of each distinct token
}

// NewWorkspace makes a workspace for models of shape cfg using kernels k.
func NewWorkspace(cfg Config, k kernels.Kernels) *Workspace {
	return &Workspace{cfg: cfg, kern: k}
}

// Kernels are the kernels ws computes with.
func (ws *Workspace) Kernels() kernels.Kernels { return ws.kern }

// grow returns s resized to n zeroed elements, reusing its storage.
func grow(s []float32, n int) []float32 {
	s = resize(s, n)
	clear(s)
	return s
}

// resize is grow without the zeroing, for buffers the caller overwrites
// whole: at the thesis shape, clearing them cost ~5% of a native step.
func resize(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// Forward computes the logits of B examples. tokens is [B, T], padded as the
// config says (0 = padding); ids ≥ Vocab are read as OOV (1), as Keras's
// tokenizer does. With rng non-nil, dropout is applied (training).
// The returned slice is owned by the workspace.
func (ws *Workspace) Forward(m *Model, tokens []int32, B int, rng *rand.Rand) []float32 {
	c := m.Cfg
	T, E, H := c.MaxLen, c.Embed, c.Hidden
	G := Gates * H
	ws.cfg, ws.B = c, B
	ws.layout(tokens, B)
	R := ws.off[T]

	// Embedding: gather rows.
	ws.X = resize(ws.X, R*E)
	for r, tok := range ws.rowTok {
		copy(ws.X[r*E:(r+1)*E], m.Embedding[int(tok)*E:int(tok+1)*E])
	}

	// Input projection for every step at once: A = X·W + b (from the
	// table, if set, where it has the rows: table.go; else once per
	// distinct token, where the workspace has the room: unique.go).
	ws.A = resize(ws.A, R*G)
	ws.project(m, R, rng != nil)

	ws.C = resize(ws.C, R*H)
	ws.TC = resize(ws.TC, R*H)
	ws.Hs = resize(ws.Hs, R*H)
	ws.Hprev = resize(ws.Hprev, R*H)
	clear(ws.Hprev[:ws.n[0]*H]) // the zero state entering step 0
	if ws.kern.Steps != nil && H%4 == 0 {
		// The loop below in one call (the browser's SIMD module).
		ws.ns = ws.ns[:0]
		for _, n := range ws.n[:T] {
			ws.ns = append(ws.ns, int32(n))
		}
		var packed []float32
		if ws.table != nil && ws.table.m == m {
			packed = ws.table.packedRecurrent(ws.kern)
		}
		ws.kern.Steps(ws.A, ws.C, ws.TC, ws.Hs, ws.Hprev, m.Recurrent, packed, ws.ns, T, H)
	} else {
		ws.steps(m)
	}
	return ws.head(m, B, rng)
}

// steps runs the recurrence on the rows of ws.A (see Workspace): for each
// step, Hprev·Recurrent added to the gates, then the gate math.
func (ws *Workspace) steps(m *Model) {
	T, H, G := ws.cfg.MaxLen, ws.cfg.Hidden, Gates*ws.cfg.Hidden
	cells := ws.kern.CellsOrGo()
	for t := 0; t < T; t++ {
		nt, r0 := ws.n[t], ws.off[t]
		if nt == 0 {
			break
		}
		var cprev []float32
		if t > 0 {
			p0 := ws.off[t-1]
			copy(ws.Hprev[r0*H:(r0+nt)*H], ws.Hs[p0*H:(p0+nt)*H])
			ws.kern.Gemm(false, false, nt, G, H, ws.Hprev[r0*H:(r0+nt)*H], m.Recurrent, ws.A[r0*G:(r0+nt)*G])
			cprev = ws.C[p0*H : (p0+nt)*H]
		}
		cells(ws.A[r0*G:(r0+nt)*G], cprev, ws.C[r0*H:(r0+nt)*H], ws.TC[r0*H:(r0+nt)*H], ws.Hs[r0*H:(r0+nt)*H], nt, H)
	}
}

// head is the final hidden state (at each example's last real step),
// dropout when rng is not nil, and the dense layer: the logits.
func (ws *Workspace) head(m *Model, B int, rng *rand.Rand) []float32 {
	c, H := m.Cfg, m.Cfg.Hidden

	// Final hidden state (at each example's last real step), dropout, dense.
	ws.hf = grow(ws.hf, B*H)
	for i := 0; i < B; i++ {
		if L := ws.lens[i]; L > 0 {
			r := ws.off[L-1] + i
			copy(ws.hf[i*H:(i+1)*H], ws.Hs[r*H:(r+1)*H])
		}
	}
	ws.drop = nil
	if rng != nil && c.Dropout > 0 {
		ws.drop = grow(ws.drop, B*H)
		keep := 1 / (1 - c.Dropout)
		for i := range ws.drop {
			if rng.Float32() >= c.Dropout {
				ws.drop[i] = keep
				ws.hf[i] *= keep
			} else {
				ws.hf[i] = 0
			}
		}
	}
	ws.logits = grow(ws.logits, B)
	for i := 0; i < B; i++ {
		s := m.DenseB[0]
		h := ws.hf[i*H : (i+1)*H]
		for j, w := range m.DenseW[:H] {
			s += h[j] * w
		}
		ws.logits[ws.order[i]] = s
	}
	return ws.logits
}

// layout sorts the examples by length and lays out the rows (see Workspace).
func (ws *Workspace) layout(tokens []int32, B int) {
	T := ws.cfg.MaxLen
	ws.batch.Sort(ws.cfg, tokens, B)
	ws.order, ws.lens = ws.batch.Order, ws.batch.Lens
	ws.n = append(ws.n[:0], make([]int, T+1)...)
	ws.off = append(ws.off[:0], make([]int, T+1)...)
	R := 0
	for t := 0; t < T; t++ {
		nt := 0
		for nt < B && ws.lens[nt] > t {
			nt++
		}
		ws.n[t], ws.off[t] = nt, R
		R += nt
	}
	ws.off[T] = R
	if cap(ws.rowTok) < R {
		ws.rowTok = make([]int32, R)
	}
	ws.rowTok = ws.rowTok[:R]
	for i, L := range ws.lens {
		for t, tok := range ws.batch.Toks[i*T : i*T+L] {
			ws.rowTok[ws.off[t]+i] = tok
		}
	}
}
