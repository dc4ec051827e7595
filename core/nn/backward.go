package nn

import "sentilab/core/kernels"

// Grads accumulates the gradient of a loss with respect to every weight. The
// embedding gradient is dense, but only the rows of tokens seen since the last
// Reset are non-zero, and Touched lists them so resetting and reducing cost
// what the batch used, not the vocabulary.
type Grads struct {
	*Model
	Touched []int32 // embedding rows with a non-zero gradient, first-touch order
	seen    []bool
}

// NewGrads returns zero gradients for models of shape c.
func NewGrads(c Config) (*Grads, error) {
	m, err := NewModel(c)
	if err != nil {
		return nil, err
	}
	return &Grads{Model: m, seen: make([]bool, c.Vocab)}, nil
}

func (g *Grads) touch(row int32) {
	if !g.seen[row] {
		g.seen[row] = true
		g.Touched = append(g.Touched, row)
	}
}

// Reset zeroes the gradients.
func (g *Grads) Reset() {
	E := g.Cfg.Embed
	for _, r := range g.Touched {
		clear(g.Embedding[int(r)*E : int(r+1)*E])
		g.seen[r] = false
	}
	g.Touched = g.Touched[:0]
	clear(g.Kernel)
	clear(g.Recurrent)
	clear(g.Bias)
	clear(g.DenseW)
	clear(g.DenseB)
}

// Add accumulates o into g (g += o), in a fixed order so that a sum over
// shards does not depend on which finished first.
func (g *Grads) Add(o *Grads) {
	E := g.Cfg.Embed
	for _, r := range o.Touched {
		g.touch(r)
		addTo(g.Embedding[int(r)*E:int(r+1)*E], o.Embedding[int(r)*E:int(r+1)*E])
	}
	addTo(g.Kernel, o.Kernel)
	addTo(g.Recurrent, o.Recurrent)
	addTo(g.Bias, o.Bias)
	addTo(g.DenseW, o.DenseW)
	addTo(g.DenseB, o.DenseB)
}

// addTo adds src into dst (dst += src[:len(dst)]).
func addTo(dst, src []float32) { kernels.AddRows(dst, src, 1) }

// Backward accumulates into g the gradient of a loss whose derivative with
// respect to the logits of the last Forward is dlogits [B] (example order).
func (ws *Workspace) Backward(m *Model, dlogits []float32, g *Grads) {
	c := ws.cfg
	B, T, E, H := ws.B, c.MaxLen, c.Embed, c.Hidden
	G := Gates * H
	R := ws.off[T]

	// Dense: logit = hf·w + b.
	ws.dhf = grow(ws.dhf, B*H)
	for i := 0; i < B; i++ {
		d := dlogits[ws.order[i]]
		g.DenseB[0] += d
		h, dh := ws.hf[i*H:(i+1)*H], ws.dhf[i*H:(i+1)*H]
		for j := range dh {
			g.DenseW[j] += d * h[j]
			dh[j] = d * m.DenseW[j]
		}
	}
	if ws.drop != nil {
		for i, k := range ws.drop {
			ws.dhf[i] *= k
		}
	}

	// Backpropagation through time. dh and dc are [B, H] by sorted position;
	// at step t rows [0, n[t]) are live; rows [n[t+1], n[t]) end at step t and
	// receive the gradient of the final hidden state there.
	ws.dZ = resize(ws.dZ, R*G) // every row is written by the cells' backward
	ws.dh = grow(ws.dh, B*H)
	ws.dc = grow(ws.dc, B*H)
	cellsBackward := ws.kern.CellsBackwardOrGo()
	if ws.kern.GemmBT != nil {
		ws.rt = resize(ws.rt, H*G)
		for i := 0; i < H; i++ { // rt [G, H] = Recurrent [H, G] transposed
			for j, v := range m.Recurrent[i*G : (i+1)*G] {
				ws.rt[j*H+i] = v
			}
		}
	}
	for t := T - 1; t >= 0; t-- {
		nt, r0 := ws.n[t], ws.off[t]
		if nt == 0 {
			continue
		}
		next := 0
		if t+1 < T {
			next = ws.n[t+1]
		}
		for i := next; i < nt; i++ {
			addTo(ws.dh[i*H:(i+1)*H], ws.dhf[i*H:(i+1)*H])
		}
		var cprev []float32
		if t > 0 {
			p0 := ws.off[t-1]
			cprev = ws.C[p0*H : (p0+nt)*H]
		}
		cellsBackward(ws.A[r0*G:(r0+nt)*G], cprev, ws.TC[r0*H:(r0+nt)*H], ws.dh[:nt*H], ws.dc[:nt*H], ws.dZ[r0*G:(r0+nt)*G], nt, H)
		if t > 0 {
			clear(ws.dh[:nt*H])
			if ws.kern.GemmBT != nil {
				ws.kern.GemmBT(nt, H, G, ws.dZ[r0*G:(r0+nt)*G], ws.rt, ws.dh[:nt*H])
			} else {
				ws.kern.Gemm(false, true, nt, H, G, ws.dZ[r0*G:(r0+nt)*G], m.Recurrent, ws.dh[:nt*H])
			}
		}
	}

	// Weight gradients for all steps at once.
	if ws.kern.GemmTNPair != nil {
		ws.kern.GemmTNPair(E, H, G, R, ws.X, ws.Hprev, ws.dZ, g.Kernel, g.Recurrent)
	} else {
		ws.kern.Gemm(true, false, E, G, R, ws.X, ws.dZ, g.Kernel)
		ws.kern.Gemm(true, false, H, G, R, ws.Hprev, ws.dZ, g.Recurrent)
	}
	kernels.AddRows(g.Bias, ws.dZ[:R*G], R)
	ws.dX = grow(ws.dX, R*E)
	ws.kern.Gemm(false, true, R, E, G, ws.dZ, m.Kernel, ws.dX)
	for _, tok := range ws.rowTok {
		g.touch(tok)
	}
	kernels.AddRowsAt(g.Embedding, E, ws.rowTok, ws.dX[:R*E])
}
