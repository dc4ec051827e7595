package compress

// Act7 (QWorkspace.Act7) is an opt-in of the int8 runtime: the hidden state
// is quantized to 7 bits (−63 … 63, scale max|h|/63) instead of 8 for the
// recurrent product, everything else unchanged. It exists for relaxed SIMD:
// i32x4.relaxed_dot_i8x16_i7x16_add_s does 16 multiply-adds an instruction
// (twice i32x4.dot_i16x8_s's) but gives the same result on every machine
// only when its second operand lies in 0 … 127, which x + 64 does for 7-bit
// x. The recurrent product is most of a review's time at batch 1 (the input
// side comes from a table, qinputs.go). The integer sums stay exact, so the
// browser's relaxed kernel (Kernels.QSteps7) and the Go loops give the same
// bits; only the quantization differs from the default, hence an opt-in
// with its own pinned results, never a silent switch.

// act7Levels is Act7's quantization range: x in −63 … 63, so x + 64 fits
// relaxed SIMD's 7-bit operand.
const act7Levels = 63

// quads7 is Q in kernels.QSteps7's layout: [N/16, K4, 16] words, word
// (c, k, l) the signed bytes Q[4k..4k+3, 16c+l], low byte first (rows past
// K zero), and corr[j] = −64·Σ_k Q[k, j], which takes the +64 the
// activations carry back out of the sums. N must be a multiple of 16.
func (m *QMatrix) quads7() (words, corr []int32) {
	m.relaxed.once.Do(func() {
		m.relaxed.words = m.packQuads(0) // signed bytes: Q as it is
		m.corr7 = make([]int32, m.N)
		for j := range m.corr7 {
			var s int32
			for k := 0; k < m.K; k++ {
				s += int32(m.Q[k*m.N+j])
			}
			m.corr7[j] = -64 * s
		}
	})
	return m.relaxed.words, m.corr7
}

// has7 says whether Act7's recurrence runs in the kernels' QSteps7.
func (q *QModel) has7() bool {
	return q.Kernels.QSteps7 != nil && q.Cfg.Hidden%16 == 0
}

// steps7 runs the recurrence of ns's steps on proj in QSteps7.
func (q *QModel) steps7(ws *QWorkspace, proj []float32, ns []int32, t0 int) {
	H := q.Cfg.Hidden
	ws.hb = grow(ws.hb, int(ns[0])*H)
	words, corr := q.Recurrent.quads7()
	q.Kernels.QSteps7(proj, ws.h, ws.hb, ws.hs, words, corr, q.Recurrent.Scale, ws.c, ws.tc, ns, len(ns), H, t0)
}

// recurrent7 is recurrent with Act7's quantization, in the Go loops or
// whichever product the kernels have (the quantizer differs, the products
// take any int8 values).
func (q *QModel) recurrent7(ws *QWorkspace, n int, g []float32) {
	H := q.Cfg.Hidden
	quantizeLevels(ws.h, n, H, ws.hq, ws.hs, act7Levels)
	qmatmul(&q.Kernels, &ws.sc, n, ws.hq, ws.hs, nil, q.Recurrent, g)
}
