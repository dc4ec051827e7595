package compress

import (
	"context"
	"fmt"
	"sync"

	"sentilab/core/kernels"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/train"
)

// QModel is the classifier with int8 weights, run as TFLite runs a
// dynamic-range quantized model: weights stay int8; at every timestep the
// inputs and the hidden state are quantized per row, the products run as
// int8×int8 → int32 sums, are rescaled to float32, and the gates, the cell
// and the state are float32.
type QModel struct {
	Cfg       nn.Config
	Emb       []int8    // [V, E]
	EmbScale  []float32 // [V], per row
	Kernel    *QMatrix  // [E, 4H], per column
	Recurrent *QMatrix  // [H, 4H], per column
	Dense     *QMatrix  // [H, 1]
	Bias      []float32 // [4H]
	DenseB    float32
	// Kernels runs the int8 products, the quantizers and the gate math:
	// kernels.Default() from Quantize and NewQModel. Every choice gives the
	// same bits (kernels.Portable: core/compress's Go loops).
	Kernels kernels.Kernels

	sumOnce sync.Once
	embSum  []int32    // [V], Σ of each embedding row's int8 values (QDot8's correction)
	inputs  inputTable // bias + x·Kernel of the most frequent tokens (qinputs.go)
}

// embSums returns embSum, computed on first use.
func (q *QModel) embSums() []int32 {
	q.sumOnce.Do(func() {
		E := q.Cfg.Embed
		q.embSum = make([]int32, q.Cfg.Vocab)
		for v := range q.embSum {
			var s int32
			for _, x := range q.Emb[v*E : (v+1)*E] {
				s += int32(x)
			}
			q.embSum[v] = s
		}
	})
	return q.embSum
}

// Quantize builds the int8 model of m (the same int8 values EncodeInt8
// stores).
func Quantize(m *nn.Model) *QModel {
	t := m.Cfg.Tensors()
	q := &QModel{Cfg: m.Cfg, Bias: append([]float32(nil), m.Bias...), DenseB: m.DenseB[0], Kernels: kernels.Default()}
	q.Emb, q.EmbScale = QuantizeRows(m.Embedding, t.Embedding.Rows, t.Embedding.Cols)
	q.Kernel = quantizeMatrix(m.Kernel, t.Kernel)
	q.Recurrent = quantizeMatrix(m.Recurrent, t.Recurrent)
	q.Dense = quantizeMatrix(m.DenseW, t.DenseW)
	return q
}

// quantizeMatrix quantizes weights w of shape t per column.
func quantizeMatrix(w []float32, t nn.Tensor) *QMatrix {
	qq, s := QuantizeCols(w, t.Rows, t.Cols)
	return NewQMatrix(qq, s, t.Rows, t.Cols)
}

// NewQModel builds the int8 model of a loaded file from the int8 values the
// file stores (so what runs is bit for bit what was written): I8 tensors
// with a per-row/per-column or single scale, or sparse tensors whose values
// are I8. A weight stored as floats is quantized here.
func NewQModel(ld *modelfile.Loaded) (*QModel, error) {
	m := ld.Model
	c := m.Cfg
	E, H := c.Embed, c.Hidden
	if E > maxK || H > maxK {
		return nil, fmt.Errorf("compress: int8 model: embed %d / hidden %d beyond the exact int8 product's %d", E, H, maxK)
	}
	q := Quantize(m) // the fallback for float-stored weights
	var err error
	get := func(t nn.Tensor, perRow bool) ([]int8, []float32) {
		if err != nil {
			return nil, nil
		}
		var qq []int8
		var s []float32
		qq, s, err = storedInt8(ld.File, t.Name, t.Rows, t.Cols, perRow)
		return qq, s
	}
	t := c.Tensors()
	if eq, es := get(t.Embedding, true); eq != nil {
		q.Emb, q.EmbScale = eq, es
	}
	for _, w := range []struct {
		t   nn.Tensor
		dst **QMatrix
	}{{t.Kernel, &q.Kernel}, {t.Recurrent, &q.Recurrent}, {t.DenseW, &q.Dense}} {
		if wq, ws := get(w.t, false); wq != nil {
			*w.dst = NewQMatrix(wq, ws, w.t.Rows, w.t.Cols)
		}
	}
	return q, err
}

// storedInt8 returns the int8 values of weight name [rows, cols] and one
// scale per row (perRow) or per column, or nil when the file stores the
// weight some other way.
func storedInt8(f *modelfile.File, name string, rows, cols int, perRow bool) ([]int8, []float32, error) {
	groups := cols
	if perRow {
		groups = rows
	}
	if t := f.Tensor(name); t != nil {
		if t.DType != "I8" {
			return nil, nil, nil
		}
		q, err := t.Int8s()
		if err != nil {
			return nil, nil, err
		}
		s, err := scaleOf(f, name+".scale", groups)
		if s == nil || err != nil {
			return nil, nil, err
		}
		return q, s, nil
	}
	mt, vt := f.Tensor(name+".mask"), f.Tensor(name+".values")
	if mt == nil || vt == nil || vt.DType != "I8" {
		return nil, nil, nil
	}
	vals, err := vt.Int8s()
	if err != nil {
		return nil, nil, err
	}
	s, err := scaleOf(f, name+".values.scale", groups)
	if s == nil || err != nil {
		return nil, nil, err
	}
	q := make([]int8, rows*cols)
	k := 0
	for i := range q {
		if i/8 < len(mt.Data) && mt.Data[i/8]&(1<<(i%8)) != 0 {
			if k >= len(vals) {
				return nil, nil, fmt.Errorf("compress: %s: mask has more bits than %d values", name, len(vals))
			}
			q[i] = vals[k]
			k++
		}
	}
	return q, s, nil
}

// scaleOf returns the scale tensor broadcast to n groups, or nil if its
// shape is neither one scale nor one per group (the caller then
// requantizes from the decoded floats).
func scaleOf(f *modelfile.File, name string, n int) ([]float32, error) {
	t := f.Tensor(name)
	if t == nil {
		return nil, fmt.Errorf("compress: missing %s", name)
	}
	s, err := t.Float32s()
	if err != nil {
		return nil, err
	}
	switch len(s) {
	case n:
		return s, nil
	case 1:
		out := make([]float32, n)
		for i := range out {
			out[i] = s[0]
		}
		return out, nil
	}
	return nil, nil
}

// QWorkspace holds one goroutine's buffers for QModel.Logits.
type QWorkspace struct {
	// Act7 quantizes the hidden state to 7 bits for the recurrent product
	// (act7.go): the opt-in that relaxed SIMD runs fast. Not the default:
	// the logits differ a little from the 8-bit ones.
	Act7 bool

	batch       nn.BatchOrder
	order, lens []int
	toks        []int32   // [B, T] by sorted position, real steps first
	hq          []int8    // h quantized
	hs          []float32 // its scales
	hsum        []int32   // Σ of each row's int8 values
	gates       []float32
	h, c        []float32
	logits      []float32
	sc          qScratch
	tc          []float32 // tanh(c), written by the gate kernel
	hw          []int32   // h as int16 pairs (kernels.QStep)
	// computeInputs' rows: int8 x, scales, sums
	px    []int8
	pxs   []float32
	pxsum []int32
	// project's tokens not in the table: their rows, ids and products
	missRows []int
	missToks []int32
	missG    []float32
	// the tokens of one step, or of all steps in step order, and the gates'
	// pre-activations bias + x·Kernel of all steps [R, 4H] when hoisted
	stepToks []int32
	proj     []float32
	ns       []int32 // rows per step, for Kernels.QSteps
	rowIdx   []int32 // each step's input row at batch 1 (qrows.go)
	hb       []int8  // h as Act7's bytes (Kernels.QSteps7)
}

func growF(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// Logits computes the logits of B examples (tokens [B, T], padded as the
// config says). Examples are sorted by length, longest first, so the rows
// still running at step t are a prefix; with masking padded steps are never
// computed, as in nn.Workspace. The result is owned by ws.
func (q *QModel) Logits(tokens []int32, B int, ws *QWorkspace) []float32 {
	z, _ := q.LogitsContext(context.Background(), tokens, B, ws)
	return z
}

// checkEvery is how many time steps LogitsContext runs between looks at its
// context: at the thesis shape a step of 256 rows is ~0.1 ms, and at the
// widest config the budget allows ~10 ms.
const checkEvery = 8

// LogitsContext is Logits that stops within checkEvery time steps of ctx
// ending, with ctx's error.
func (q *QModel) LogitsContext(ctx context.Context, tokens []int32, B int, ws *QWorkspace) ([]float32, error) {
	c := q.Cfg
	T, H := c.MaxLen, c.Hidden
	G := nn.Gates * H
	q.layout(tokens, B, ws)
	ws.h = growF(ws.h, B*H)
	ws.c = growF(ws.c, B*H)
	clear(ws.h)
	clear(ws.c)
	ws.hq = grow(ws.hq, B*H)
	ws.hs = growF(ws.hs, B)
	ws.hsum = grow(ws.hsum, B)
	ws.gates = growF(ws.gates, B*G)
	ws.tc = growF(ws.tc, B*H)
	tab, rows := q.table()
	R := 0 // rows over all steps
	for _, L := range ws.lens[:B] {
		R += min(L, T)
	}
	hoisted := R*G <= hoistFloats
	if hoisted && q.byRows(ws, B) {
		if err := q.rowSteps(ctx, ws, tab, rows); err != nil {
			return nil, err
		}
		hoisted, T = false, 0 // straight to the dense layer
	}
	if hoisted {
		// Every step's tokens in step order (the rows running at step t
		// are a prefix), their inputs in one go.
		ws.stepToks = grow(ws.stepToks, R)
		i := 0
		for t := 0; t < T; t++ {
			for r := 0; r < B && ws.lens[r] > t; r++ {
				ws.stepToks[i] = ws.toks[r*T+t]
				i++
			}
		}
		ws.proj = growF(ws.proj, R*G)
		q.project(ws, ws.stepToks, ws.proj, tab, rows)
	}
	if hoisted {
		done, err := q.allSteps(ctx, ws, B)
		if err != nil {
			return nil, err
		}
		if done {
			T = 0 // straight to the dense layer
		}
	}
	off := 0 // the first row of step t in ws.proj
	for t := 0; t < T; t++ {
		n := 0
		for n < B && ws.lens[n] > t {
			n++
		}
		if n == 0 {
			break
		}
		if t%checkEvery == checkEvery-1 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		var g []float32
		if hoisted {
			g = ws.proj[off*G : (off+n)*G]
			off += n
		} else {
			ws.stepToks = grow(ws.stepToks, n)
			for r := 0; r < n; r++ {
				ws.stepToks[r] = ws.toks[r*T+t]
			}
			g = ws.gates[:n*G]
			q.project(ws, ws.stepToks[:n], g, tab, rows)
		}
		if q.fusedStep(ws, n, t, g) {
			continue
		}
		if t > 0 {
			q.recurrent(ws, n, g)
		}
		q.cells(g, ws.c, ws.tc, ws.h, n, H, t == 0)
	}
	quantize(&q.Kernels, ws.h, B, H, ws.hq, ws.hs, ws.hsum)
	ws.logits = growF(ws.logits, B)
	out := ws.gates[:B]
	for i := range out {
		out[i] = q.DenseB
	}
	qmatmul(&q.Kernels, &ws.sc, B, ws.hq, ws.hs, ws.hsum, q.Dense, out)
	for i, b := range ws.order {
		ws.logits[b] = out[i]
	}
	return ws.logits, nil
}

// hoistFloats bounds the input projections computed for all steps at once
// (project): rows × 4H floats, 4 MB. A few reviews (batch 1) fit, and their
// products then run in blocks of rows instead of one row per step; a batch
// of 256 keeps one step at a time. (A variable for tests: 0 never hoists.)
var hoistFloats = 1 << 20

// fusedStep runs step t's recurrent product and gate math in one call
// into the browser's SIMD module (Kernels.QStep: the kernels of the
// separate calls, so the same bits); false, having done nothing, where
// there is none. g already holds bias + x·Kernel (project).
func (q *QModel) fusedStep(ws *QWorkspace, n, t int, g []float32) bool {
	H := q.Cfg.Hidden
	if ws.Act7 {
		if !q.has7() {
			return false
		}
		ws.ns = append(ws.ns[:0], int32(n))
		q.steps7(ws, g, ws.ns, t)
		return true
	}
	if H%8 != 0 || q.Kernels.QStep == nil {
		return false
	}
	ws.hw = grow(ws.hw, n*H/2)
	var cprev []float32
	if t > 0 {
		cprev = ws.c[:n*H]
	}
	q.Kernels.QStep(nil, nil, nil, nil, ws.h, ws.hw, ws.hs,
		q.Recurrent.pairs(), q.Recurrent.Scale, g, cprev, ws.c, ws.tc, n, 0, H)
	return true
}

// allSteps runs the whole recurrence on ws.proj through the browser's SIMD
// module (Kernels.QSteps: fusedStep's call for every step, so the same
// bits), checkEvery steps per call, looking at ctx in between; false,
// having done nothing, where there is none. A review read alone (batch 1)
// then crosses into the module once every checkEvery steps instead of at
// every step.
func (q *QModel) allSteps(ctx context.Context, ws *QWorkspace, B int) (bool, error) {
	T, H, G := q.Cfg.MaxLen, q.Cfg.Hidden, nn.Gates*q.Cfg.Hidden
	if ws.Act7 && !q.has7() || !ws.Act7 && (H%8 != 0 || q.Kernels.QSteps == nil) {
		return false, nil
	}
	ws.ns = ws.ns[:0]
	for t := 0; t < T; t++ {
		n := 0
		for n < B && ws.lens[n] > t {
			n++
		}
		if n == 0 {
			break
		}
		ws.ns = append(ws.ns, int32(n))
	}
	if !ws.Act7 { // Act7's bytes are steps7's
		ws.hw = grow(ws.hw, B*H/2)
	}
	off := 0 // the first row of step t0 in ws.proj
	for t0 := 0; t0 < len(ws.ns); t0 += checkEvery {
		if err := ctx.Err(); err != nil {
			return true, err
		}
		ns := ws.ns[t0:min(t0+checkEvery, len(ws.ns))]
		if ws.Act7 {
			q.steps7(ws, ws.proj[off*G:], ns, t0)
		} else {
			q.Kernels.QSteps(ws.proj[off*G:], ws.h, ws.hw, ws.hs, q.Recurrent.pairs(), q.Recurrent.Scale, ws.c, ws.tc, ns, len(ns), H, t0)
		}
		for _, n := range ns {
			off += int(n)
		}
	}
	return true, nil
}

// recurrent adds the product of the n running rows of h, quantized, and
// the recurrent weights to g. In the browser h is quantized straight into
// QDot's int16 pairs (Kernels.QuantizePairs: one SIMD pass, the same values).
func (q *QModel) recurrent(ws *QWorkspace, n int, g []float32) {
	H, m, k := q.Cfg.Hidden, q.Recurrent, &q.Kernels
	if ws.Act7 {
		q.recurrent7(ws, n, g)
		return
	}
	if k.QuantizePairs != nil && k.QDot != nil && m.N%4 == 0 && H%8 == 0 {
		ws.sc.x = grow(ws.sc.x, n*H/2)
		k.QuantizePairs(ws.h, n, H, ws.sc.x, ws.hs)
		k.QDot(ws.sc.x, m.pairs(), ws.hs[:n], m.Scale, g, n, H/2, m.N/4)
		return
	}
	quantize(k, ws.h, n, H, ws.hq, ws.hs, ws.hsum)
	qmatmul(k, &ws.sc, n, ws.hq, ws.hs, ws.hsum, m, g)
}

// cells applies the LSTM gates (i, f, g, o: Keras's order) to n rows of
// pre-activations and updates the cell c and hidden state h in place, in
// float32 with the int8 runtime's rational tanh and sigmoid
// (Kernels.QCells: SIMD in the browser, AVX natively, the same bits;
// core/kernels/cells_q.go). tc receives tanh(c).
func (q *QModel) cells(g, c, tc, h []float32, n, H int, first bool) {
	cprev := c[:n*H]
	if first {
		cprev = nil
	}
	q.Kernels.QCellsOrGo()(g[:n*nn.Gates*H], cprev, c[:n*H], tc[:n*H], h[:n*H], n, H)
}

// layout sorts the examples by length, longest first, and lists each one's
// tokens, exactly as the float model does (nn.BatchOrder).
func (q *QModel) layout(tokens []int32, B int, ws *QWorkspace) {
	ws.batch.Sort(q.Cfg, tokens, B)
	ws.order, ws.lens, ws.toks = ws.batch.Order, ws.batch.Lens, ws.batch.Toks
}

// QLogits runs q over set in chunks of at most batch reviews, bounded as
// train.Logits bounds its chunks, on `workers` goroutines; it stops within a
// few time steps of ctx ending. A config over nn.DefaultBudget is refused.
func QLogits(ctx context.Context, q *QModel, set train.Set, batch, workers int) ([]float32, error) {
	return qLogits(ctx, q, set, batch, workers, false)
}

// QLogitsAct7 is QLogits with the 7-bit hidden state of Act7 (act7.go).
func QLogitsAct7(ctx context.Context, q *QModel, set train.Set, batch, workers int) ([]float32, error) {
	return qLogits(ctx, q, set, batch, workers, true)
}

func qLogits(ctx context.Context, q *QModel, set train.Set, batch, workers int, act7 bool) ([]float32, error) {
	if err := q.Cfg.CheckBudget(nn.DefaultBudget); err != nil {
		return nil, fmt.Errorf("int8 evaluation: %v", err)
	}
	T := q.Cfg.MaxLen
	if len(set.Tokens) != set.N*T || len(set.Labels) != set.N {
		return nil, fmt.Errorf("evaluation set: %d rows, %d tokens, %d labels (want tokens = rows × max length %d)", set.N, len(set.Tokens), len(set.Labels), T)
	}
	batch, workers = max(batch, 1), max(workers, 1)
	out := make([]float32, set.N)
	wss := make([]QWorkspace, workers)
	for i := range wss {
		wss[i].Act7 = act7
	}
	chunks := train.Chunks(q.Cfg, set.Tokens, set.N, batch, train.DefaultChunkBytes, train.DefaultChunkFLOPs)
	for lo := 0; lo < len(chunks); lo += workers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		round := chunks[lo:min(lo+workers, len(chunks))]
		errs := make([]error, len(round))
		var wg sync.WaitGroup
		for w, ch := range round {
			wg.Add(1)
			go func(ws *QWorkspace, a, b int) {
				defer wg.Done()
				z, err := q.LogitsContext(ctx, set.Tokens[a*T:b*T], b-a, ws)
				copy(out[a:b], z)
				errs[w] = err
			}(&wss[w], ch[0], ch[1])
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
