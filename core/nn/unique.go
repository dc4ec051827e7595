package nn

// projectUnique is project's path without a table: bias + X·Kernel for
// each distinct token of rows [0, R&^3) once, copied to every row that has
// it, and the last R%4 rows alone, as Gemm computes them; false (nothing
// done) where that saves no rows. With a RowwiseGemm kernel a row's
// product has the same bits in every block of four rows (as InputTable
// relies on), so A is the one Gemm's to the bit. A batch repeats its
// tokens (IMDB's words follow Zipf's law, and padding is token 0), so this
// skips much of the forward pass's input product, a sixth of a training
// step's FLOPs: +8–10% a step under Node (BENCHMARKS.md, session 23).
//
// Its scratch is dZ and dX, which Backward overwrites whole after it: a
// training step holds them anyway, so this costs no memory. Outside
// training (validation, which borrows the trainer's workspaces) it runs
// only where they already have the room.
func (ws *Workspace) projectUnique(m *Model, R int, training bool) bool {
	c := ws.cfg
	E, G := c.Embed, Gates*c.Hidden
	m4 := R &^ 3
	if !training && cap(ws.dZ) == 0 {
		return false // a workspace that never trained: no room
	}
	if len(ws.slot) != c.Vocab {
		ws.slot = make([]int32, c.Vocab)
		for i := range ws.slot {
			ws.slot[i] = -1
		}
	}
	ws.uniq = ws.uniq[:0]
	for r, tok := range ws.rowTok[:m4] {
		if ws.slot[tok] < 0 {
			ws.slot[tok] = int32(len(ws.uniq))
			ws.uniq = append(ws.uniq, r)
		}
	}
	defer ws.freeSlots()
	n4 := (len(ws.uniq) + 3) &^ 3 // whole blocks of four: the padding rows are zero
	if n4 >= m4 || !training && (cap(ws.dX) < n4*E || cap(ws.dZ) < n4*G) {
		ws.freeSlots()
		ws.uniq = ws.uniq[:0] // none computed
		return false
	}
	if training { // Backward's sizes: nothing else is allocated
		ws.dX, ws.dZ = resize(ws.dX, R*E), resize(ws.dZ, R*G)
	}
	uX, uA := ws.dX[:n4*E], ws.dZ[:n4*G]
	for i, r := range ws.uniq {
		copy(uX[i*E:(i+1)*E], ws.X[r*E:(r+1)*E])
	}
	clear(uX[len(ws.uniq)*E:])
	ws.inputGates(m, nil, n4, uX, uA)
	for r, tok := range ws.rowTok[:m4] {
		s := int(ws.slot[tok])
		copy(ws.A[r*G:(r+1)*G], uA[s*G:(s+1)*G])
	}
	ws.inputGates(m, nil, R-m4, ws.X[m4*E:R*E], ws.A[m4*G:R*G])
	return true
}

// freeSlots sets the slots of ws.uniq's tokens back to −1.
func (ws *Workspace) freeSlots() {
	for _, r := range ws.uniq {
		ws.slot[ws.rowTok[r]] = -1
	}
}

// projectUniqueOn lets a test compare projectUnique with the one Gemm.
var projectUniqueOn = true
