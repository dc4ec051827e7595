package nn

import (
	"sync"

	"sentilab/core/kernels"
)

// InputTable holds the input side of the gates, bias + embedding·Kernel,
// for the most frequent tokens of a model that no longer changes (the
// tokenizer numbers words by frequency, so these are the lowest ids: below
// 4,096 are 85% of the IMDB test tokens). Forward, given it (SetTable),
// copies those rows instead of computing them. A row of the input product
// comes out the same in every block of four rows with a RowwiseGemm kernel
// (Portable, SIMD128), so the table's rows are Forward's bits, and the last
// rows of a batch (R%4, which Gemm computes another way) are still
// computed. It holds the model's weights as they were: build a new table
// after changing them.
//
// A row is computed the first time Forward needs it (in the block of four
// it computes anyway), not all 4,096 at once: building the whole table made
// a model's first prediction cost 10–20 ms in wasm, 8× an old one (issue 9).
type InputTable struct {
	m    *Model
	rows int       // tokens 0 … rows−1
	a    []float32 // [rows, 4H]
	mu   sync.Mutex
	have []bool // [rows]: row computed

	// The recurrent and input weights as kern reads them (Kernels.Pack),
	// laid out on the first Forward (nil until then, or where kern has no
	// layout of its own): a review read alone would otherwise lay out the
	// recurrent ones again, a pass over 256 KB at H = 128, about as long
	// as 25 of its steps, and the input ones for its rows missing here.
	kern              kernels.Kernels
	recurrent, kernel []float32
}

// inputTableFloats bounds a table: rows × 4H floats, 8 MB (4,096 tokens at
// H = 128).
const inputTableFloats = 1 << 21

// NewInputTable makes m's (empty) table for kernel k, or returns nil where
// k's rows depend on their block (natively Fast, Gonum).
func NewInputTable(m *Model, k kernels.Kernels) *InputTable {
	c := m.Cfg
	G := Gates * c.Hidden
	rows := min(c.Vocab, inputTableFloats/max(G, 1))
	if !k.RowwiseGemm || rows == 0 {
		return nil
	}
	return &InputTable{m: m, rows: rows, a: make([]float32, rows*G), have: make([]bool, rows), kern: k}
}

// packedRecurrent is t's model's recurrent weights laid out for Steps of
// kernel k, or nil (k is not the table's kernel, or lays out nothing).
func (t *InputTable) packedRecurrent(k kernels.Kernels) []float32 {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	recurrent, _ := t.laidOut(k)
	return recurrent
}

// laidOut is t's model's recurrent [H, 4H] and input [E, 4H] weights laid
// out by kernel k, made on first use, or nils (k is not the table's kernel,
// or lays out nothing). t.mu is held.
func (t *InputTable) laidOut(k kernels.Kernels) (recurrent, kernel []float32) {
	c := t.m.Cfg
	if k.Name != t.kern.Name || t.kern.Pack == nil || c.Hidden%2 != 0 {
		return nil, nil
	}
	if t.recurrent == nil {
		t.recurrent = t.kern.Pack(t.m.Recurrent, c.Hidden, Gates*c.Hidden)
		t.kernel = t.kern.Pack(t.m.Kernel, c.Embed, Gates*c.Hidden)
	}
	return t.recurrent, t.kernel
}

// SetTable makes Forward use t for its model (nil: none).
func (ws *Workspace) SetTable(t *InputTable) { ws.table = t }

// project fills ws.A [R, 4H] with bias + X·Kernel, as one Gemm over all
// rows would: rows in Gemm's blocks of four from the table where it has
// their token, the others of those in one Gemm (padded to whole blocks),
// and the last R%4 rows alone, as Gemm computes them. Without a table,
// each distinct token's rows are computed once where the workspace has
// the room (projectUnique).
func (ws *Workspace) project(m *Model, R int, training bool) {
	E, G := ws.cfg.Embed, Gates*ws.cfg.Hidden
	t := ws.table
	if t == nil || t.m != m || !ws.kern.RowwiseGemm {
		if ws.kern.RowwiseGemm && projectUniqueOn && ws.projectUnique(m, R, training) {
			return
		}
		ws.inputGates(m, nil, R, ws.X, ws.A)
		return
	}
	m4 := R &^ 3
	t.mu.Lock()
	defer t.mu.Unlock()
	_, kernel := t.laidOut(ws.kern)
	ws.miss = ws.miss[:0]
	for r, tok := range ws.rowTok[:m4] {
		if int(tok) < t.rows && t.have[tok] {
			copy(ws.A[r*G:(r+1)*G], t.a[int(tok)*G:int(tok+1)*G])
		} else {
			ws.miss = append(ws.miss, r)
		}
	}
	if n := len(ws.miss); n > 0 {
		n4 := (n + 3) &^ 3
		ws.missX = grow(ws.missX, n4*E) // the padding rows stay zero
		ws.missA = resize(ws.missA, n4*G)
		for i, r := range ws.miss {
			copy(ws.missX[i*E:(i+1)*E], ws.X[r*E:(r+1)*E])
		}
		ws.inputGates(m, kernel, n4, ws.missX, ws.missA)
		for i, r := range ws.miss {
			row := ws.missA[i*G : (i+1)*G]
			copy(ws.A[r*G:(r+1)*G], row)
			if tok := int(ws.rowTok[r]); tok < t.rows && !t.have[tok] {
				copy(t.a[tok*G:(tok+1)*G], row)
				t.have[tok] = true
			}
		}
	}
	ws.inputGates(m, kernel, R-m4, ws.X[m4*E:R*E], ws.A[m4*G:R*G])
}

// inputGates sets the first rows of a to bias + x·Kernel, on kernel
// (m.Kernel laid out by the table's kernel) when there is one: the same
// bits, without laying the weights out at each call.
func (ws *Workspace) inputGates(m *Model, kernel []float32, rows int, x, a []float32) {
	E, G := ws.cfg.Embed, Gates*ws.cfg.Hidden
	for r := 0; r < rows; r++ {
		copy(a[r*G:(r+1)*G], m.Bias)
	}
	if kernel != nil {
		ws.kern.GemmPacked(rows, G, E, x, kernel, a)
		return
	}
	ws.kern.Gemm(false, false, rows, G, E, x, m.Kernel, a)
}
