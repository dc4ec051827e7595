package compress

import (
	"sync"

	"sentilab/core/nn"
)

// The input side of the int8 LSTM, bias + x·Kernel, depends on the token
// alone: the embedding row is int8 with its own scale, so the product and
// its rescaling are the same every time a token comes back. QModel keeps
// them for the most frequent tokens (the tokenizer numbers words by
// frequency, so these are the lowest ids) and copies a row instead of
// computing it: on the IMDB test reviews ids below 4,096 are 85% of the
// tokens (2,048: 75%). A row of the table is computed with the same
// float32 operations as the step loop's (the bias, then += the rescaled
// exact sum), so the logits keep their bits.

// tableFloats bounds the table: rows × 4H floats, 8 MB (4,096 tokens at
// H = 128). A variable for tests: 0 turns the table off.
var tableFloats = 1 << 21

// inputTable holds a QModel's table, built on first use.
type inputTable struct {
	mu   sync.Mutex
	rows int       // tokens 0 … rows−1 have a row
	g    []float32 // [rows, 4H]
}

// table returns the table and its row count for the current tableFloats.
func (q *QModel) table() ([]float32, int) {
	G := nn.Gates * q.Cfg.Hidden
	rows := min(q.Cfg.Vocab, tableFloats/G)
	t := &q.inputs
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rows != rows || (rows > 0 && t.g == nil) {
		t.g, t.rows = make([]float32, rows*G), rows
		var ws QWorkspace
		ids := make([]int32, rows)
		for i := range ids {
			ids[i] = int32(i)
		}
		q.computeInputs(&ws, ids, t.g)
	}
	return t.g, t.rows
}

// project writes bias + x·Kernel of tokens toks to g [len(toks), 4H]:
// copied from tab (rows tokens) where it has them, the others computed in
// one product.
func (q *QModel) project(ws *QWorkspace, toks []int32, g, tab []float32, rows int) {
	G := nn.Gates * q.Cfg.Hidden
	ws.missRows = ws.missRows[:0]
	ws.missToks = ws.missToks[:0]
	for r, tok := range toks {
		if int(tok) < rows {
			copy(g[r*G:(r+1)*G], tab[int(tok)*G:(int(tok)+1)*G])
			continue
		}
		ws.missRows = append(ws.missRows, r)
		ws.missToks = append(ws.missToks, tok)
	}
	m := len(ws.missRows)
	if m == 0 {
		return
	}
	if m == len(toks) {
		q.computeInputs(ws, toks, g)
		return
	}
	ws.missG = growF(ws.missG, m*G)
	q.computeInputs(ws, ws.missToks, ws.missG)
	for i, r := range ws.missRows {
		copy(g[r*G:(r+1)*G], ws.missG[i*G:(i+1)*G])
	}
}

// computeInputs writes bias + x·Kernel of tokens toks to g [len(toks), 4H]
// with the int8 product. The embedding rows are already int8 with a
// per-row scale: exactly what quantizing their dequantized values per row
// would give back.
func (q *QModel) computeInputs(ws *QWorkspace, toks []int32, g []float32) {
	E, G, n := q.Cfg.Embed, nn.Gates*q.Cfg.Hidden, len(toks)
	if n == 0 {
		return
	}
	ws.px = grow(ws.px, n*E)
	ws.pxs = growF(ws.pxs, n)
	ws.pxsum = grow(ws.pxsum, n)
	embSum := q.embSums()
	for i, t := range toks {
		tok := int(t)
		copy(ws.px[i*E:(i+1)*E], q.Emb[tok*E:(tok+1)*E])
		ws.pxs[i], ws.pxsum[i] = q.EmbScale[tok], embSum[tok]
		copy(g[i*G:(i+1)*G], q.Bias)
	}
	qmatmul(&q.Kernels, &ws.sc, n, ws.px, ws.pxs, ws.pxsum, q.Kernel, g[:n*G])
}
