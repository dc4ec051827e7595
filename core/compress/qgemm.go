package compress

// QMatrix is an int8 weight matrix W [K, N] (a kernel: K inputs, N output
// columns) with one float32 scale per column: W ≈ Q·diag(Scale).
type QMatrix struct {
	K, N  int
	Q     []int8    // [K, N] row-major, as stored in the model file
	Scale []float32 // [N]
	// packed holds the columns in pairs, transposed: packed[c*K+k] =
	// Q[k,2c] + Q[k,2c+1]·2³², so one 64-bit multiply by an activation does
	// two int8 products at once (see qgemm). [ceil(N/2), K]
	packed []int64
	simd   qWords // the same weights for kernels.QDot (qgemm_simd.go)
	vnni   qWords // and for kernels.QDot8
	// relaxed and corr7 are them for kernels.QSteps7 (act7.go)
	relaxed qWords
	corr7   []int32
}

// NewQMatrix packs q [K, N] with per-column scales.
func NewQMatrix(q []int8, scale []float32, K, N int) *QMatrix {
	m := &QMatrix{K: K, N: N, Q: q, Scale: scale}
	N2 := (N + 1) / 2
	m.packed = make([]int64, N2*K)
	for c := 0; c < N2; c++ {
		for k := 0; k < K; k++ {
			lo := int64(q[k*N+2*c])
			var hi int64
			if 2*c+1 < N {
				hi = int64(q[k*N+2*c+1])
			}
			m.packed[c*K+k] = lo + hi<<32
		}
	}
	return m
}

// maxK is the longest reduction qgemm does exactly: each 32-bit lane sums K
// products of at most 127·127 in magnitude and must stay below 2³¹.
const maxK = (1<<31 - 1) / (127 * 127)

// qgemm adds to out [n, N] the rescaled int8 product of the quantized rows
// x [n, K] (values in [-128, 127], held as int64) and m:
//
//	out[r,j] += xs[r]·m.Scale[j] · Σ_k x[r,k]·Q[k,j]
//
// The sums are exact integers. Two columns share one int64 accumulator:
// Σ x·(q_lo + q_hi·2³²) = S_lo + S_hi·2³², and since |S_lo|, |S_hi| < 2³¹
// (K ≤ maxK) the low 32 bits are S_lo and the rest S_hi. In WebAssembly
// without SIMD, where Go is scalar, that halves the multiplies against a
// float32 dot product; the weights are also a quarter of the float32 bytes.
// This is the portable path of qmatmul (qmatmul.go), which the runtime calls.
func qgemm(n int, x []int64, xs []float32, m *QMatrix, out []float32) {
	K, N := m.K, m.N
	if n == 0 || K == 0 {
		return
	}
	_ = x[n*K-1]
	_ = out[n*N-1]
	for c := 0; c < (N+1)/2; c++ {
		p := m.packed[c*K : (c+1)*K]
		j := 2 * c
		r := 0
		for ; r+4 <= n; r += 4 {
			x0 := x[r*K : r*K+K]
			x1 := x[(r+1)*K : (r+1)*K+K]
			x2 := x[(r+2)*K : (r+2)*K+K]
			x3 := x[(r+3)*K : (r+3)*K+K]
			x0, x1, x2, x3 = x0[:len(p)], x1[:len(p)], x2[:len(p)], x3[:len(p)]
			var a0, a1, a2, a3 int64
			for k, w := range p {
				a0 += x0[k] * w
				a1 += x1[k] * w
				a2 += x2[k] * w
				a3 += x3[k] * w
			}
			m.store(out, r, j, xs[r], a0)
			m.store(out, r+1, j, xs[r+1], a1)
			m.store(out, r+2, j, xs[r+2], a2)
			m.store(out, r+3, j, xs[r+3], a3)
		}
		for ; r < n; r++ {
			xr := x[r*K : r*K+K]
			xr = xr[:len(p)]
			var a int64
			for k, w := range p {
				a += xr[k] * w
			}
			m.store(out, r, j, xs[r], a)
		}
	}
}

// store splits a two-lane accumulator and adds both rescaled sums.
func (m *QMatrix) store(out []float32, r, j int, xs float32, acc int64) {
	lo := int64(int32(acc))
	hi := (acc - lo) >> 32
	out[r*m.N+j] += float32(xs*m.Scale[j]) * float32(lo)
	if j+1 < m.N {
		out[r*m.N+j+1] += float32(xs*m.Scale[j+1]) * float32(hi)
	}
}

// qgemmRef is qgemm written the obvious way (int8×int8 → int32), the
// reference the packed kernel is tested against.
func qgemmRef(n int, x []int64, xs []float32, m *QMatrix, out []float32) {
	for r := 0; r < n; r++ {
		for j := 0; j < m.N; j++ {
			var s int32
			for k := 0; k < m.K; k++ {
				s += int32(x[r*m.K+k]) * int32(m.Q[k*m.N+j])
			}
			out[r*m.N+j] += float32(xs[r]*m.Scale[j]) * float32(s)
		}
	}
}

// quantizeActs quantizes each row of a [n, K] symmetrically to int8 values
// with scale max|row|/127: TFLite's dynamic-range activations, per row,
// computed afresh at every timestep.
func quantizeActs(a []float32, n, K int, q []int8, s []float32) {
	quantizeLevels(a, n, K, q, s, 127)
}

// quantizeLevels is quantizeActs onto the integers −L … L, scale max|row|/L
// (L = 63 for the 7-bit hidden state of Act7, act7.go).
func quantizeLevels(a []float32, n, K int, q []int8, s []float32, L int64) {
	for r := 0; r < n; r++ {
		row := a[r*K : (r+1)*K]
		qr := q[r*K : (r+1)*K]
		var mx float32
		for _, v := range row {
			if v < 0 {
				v = -v
			}
			if v > mx {
				mx = v
			}
		}
		if mx == 0 {
			clear(qr)
			s[r] = 0
			continue
		}
		sc := mx / float32(L)
		inv := 1 / sc
		s[r] = sc
		for k, v := range row {
			y := v * inv
			var qi int64
			if y >= 0 {
				qi = int64(y + 0.5)
			} else {
				qi = int64(y - 0.5)
			}
			qr[k] = int8(min(max(qi, -L), L))
		}
	}
}
