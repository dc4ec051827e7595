package compress

import "context"

// A review read alone (batch 1) in the browser: its steps' input sides are
// mostly rows of the table (qinputs.go), and project would copy each, 2 KB
// a step at H = 128, into ws.proj for Kernels.QSteps to read once.
// Kernels.QStepsRows reads them where they are instead: ws.rowIdx names
// each step's row, of the table (≥ 0) or of ws.missG (−1 − i, the rows
// computed for tokens past the table). The same float32 operations, so
// the same bits as the copy (TestQLogitsSameOnEveryPath, under wasm).

// byRows says whether LogitsContext reads the input rows in place:
// batch 1, the int16 path (not Act7), a backend with QStepsRows.
func (q *QModel) byRows(ws *QWorkspace, B int) bool {
	return B == 1 && !ws.Act7 && q.Kernels.QStepsRows != nil && q.Cfg.Hidden%8 == 0
}

// rowSteps runs the recurrence of the one review in ws (byRows), its input
// rows named in ws.rowIdx, checkEvery steps per call into the kernel,
// looking at ctx in between.
func (q *QModel) rowSteps(ctx context.Context, ws *QWorkspace, tab []float32, rows int) error {
	H := q.Cfg.Hidden
	G := 4 * H
	L := min(ws.lens[0], q.Cfg.MaxLen)
	ws.rowIdx = grow(ws.rowIdx, L)
	ws.missToks = ws.missToks[:0]
	for t, tok := range ws.toks[:L] {
		if int(tok) < rows {
			ws.rowIdx[t] = tok
			continue
		}
		ws.rowIdx[t] = int32(-1 - len(ws.missToks))
		ws.missToks = append(ws.missToks, tok)
	}
	m := len(ws.missToks)
	ws.missG = growF(ws.missG, m*G)
	q.computeInputs(ws, ws.missToks, ws.missG)
	ws.hw = grow(ws.hw, H/2)
	for t0 := 0; t0 < L; t0 += checkEvery {
		if err := ctx.Err(); err != nil {
			return err
		}
		t1 := min(t0+checkEvery, L)
		q.Kernels.QStepsRows(tab, ws.missG, ws.rowIdx[t0:t1], ws.gates[:G], ws.h, ws.hw, ws.hs,
			q.Recurrent.pairs(), q.Recurrent.Scale, ws.c, ws.tc, t1-t0, H, t0)
	}
	return nil
}
