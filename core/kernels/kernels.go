package kernels

// Kernels is the matmul backend. Every product in the LSTM goes through it, so
// the training speed is this kernel's speed (the elementwise gate math is a few
// percent of the FLOPs).
//
// Gemm computes c += op(a)·op(b) on compact row-major matrices, where op(a) is
// [m,k] and op(b) is [k,n]: a is [m,k], or [k,m] when transA; b is [k,n], or
// [n,k] when transB; c is [m,n].
//
// Cells and CellsBackward are the LSTM's gate math for one step (see
// lstmCells and lstmCellsBackward for the contract); nil means the portable
// Go loops. Once the matmuls run at assembly speed, this elementwise work is
// the larger share of a training step natively.
type Kernels struct {
	Name string
	Gemm func(transA, transB bool, m, n, k int, a, b, c []float32)
	// GemmBT, if set, is Gemm(false, true, m, n, k, a, b, c) given bT, b
	// already transposed ([k,n]), with the same results: the backward pass
	// transposes the recurrent weights once instead of at every step.
	GemmBT        func(m, n, k int, a, bT, c []float32)
	Cells         func(a, cprev, cOut, tcOut, hOut []float32, n, H int)
	CellsBackward func(a, cprev, tc, dh, dc, dz []float32, n, H int)
	// Steps, if set, runs the float LSTM's recurrence (core/nn's forward
	// pass) in one call: rows laid out step after step, ns[t] of them at
	// step t (a step of 0 ends it); for t > 0 the rows of Hprev are
	// copied from step t−1's rows of Hs and A's rows get += Hprev·recurrent
	// (Gemm); then Cells, with step t−1's rows of C as cprev. A is [R, 4H],
	// C, TC, Hs and Hprev [R, H], recurrent [H, 4H]. The same kernels as
	// those calls, so the same bits: in the browser it saves two calls into
	// the SIMD module per step, which at batch 1 cost as much as the step.
	// H is a multiple of 4. packed, if not nil, is recurrent laid out by
	// Pack (k = H, n = 4H), which Steps then reads instead of laying it
	// out itself.
	Steps func(A, C, TC, Hs, Hprev, recurrent, packed []float32, ns []int32, T, H int)
	// Pack, if set, lays out b [k, n] (n a multiple of 8) as Steps and
	// GemmPacked read it: for weights that no longer change (core/nn's
	// InputTable), laid out once rather than on each call.
	Pack func(b []float32, k, n int) []float32
	// GemmPacked, set with Pack, is Gemm(false, false, m, n, k, a, b, c)
	// given b laid out by Pack, with the same results.
	GemmPacked func(m, n, k int, a, bp, c []float32)
	// GemmTNPair, if set, is Gemm(true, false, m1, n, k, a1, b, c1) then
	// Gemm(true, false, m2, n, k, a2, b, c2), with the same results: the
	// input and recurrent weights' gradients (Xᵀ·dZ, Hprevᵀ·dZ) share dZ,
	// which it lays out once for both.
	GemmTNPair func(m1, m2, n, k int, a1, a2, b, c1, c2 []float32)
	// RowwiseGemm says that Gemm(false, false, …) gives each row i < m&^3
	// of c (its blocks of four rows) the same bits whichever block holds it:
	// c[i,j] += Σ_p a[i,p]·b[p,j], summed from zero in order, then added.
	// True of Portable and SIMD128; core/nn's InputTable relies on it.
	RowwiseGemm bool

	// The int8 runtime's kernels (core/compress), chosen with the rest:
	// nil where this backend has none, and core/compress then runs its Go
	// loops. Each gives those loops' bits; int8.go has the contracts.
	QDot          func(x, q []int32, xs, scale, out []float32, n, K2, N4 int)
	QDot8         func(x []int8, q, corr []int32, xs, scale, out []float32, n, K4, N16 int)
	QuantizeRows  func(a []float32, n, K int, q []int8, s []float32, sum []int32)
	QuantizePairs func(a []float32, n, K int, words []int32, s []float32)
	QStep         func(xw []int32, xs []float32, qK []int32, sK []float32, h []float32, hw []int32, hs []float32, qR []int32, sR []float32, g, cprev, c, tc []float32, n, K2, H int)
	QSteps        func(proj, h []float32, hw []int32, hs []float32, qR []int32, sR []float32, c, tc []float32, ns []int32, T, H, t0 int)
	QStepsRows    func(tab, miss []float32, idx []int32, g, h []float32, hw []int32, hs []float32, qR []int32, sR []float32, c, tc []float32, T, H, t0 int)
	// QSteps7 is QSteps with the hidden state quantized to 7 bits, the
	// product relaxed SIMD runs fast (the opt-in Act7 of core/compress):
	// nil unless the browser runs relaxed SIMD.
	QSteps7 func(proj, h []float32, hb []int8, hs []float32, q7, corr []int32, sR []float32, c, tc []float32, ns []int32, T, H, t0 int)
	// QCells is the int8 runtime's gate math, lstmCellsQ (cells_q.go:
	// rational tanh and sigmoid), at this backend's fastest with its exact
	// bits, so the int8 logits do not depend on the machine.
	QCells func(a, cprev, cOut, tcOut, hOut []float32, n, H int)
}

// CellsOrGo is k.Cells, or the Go loop when k has none.
func (k Kernels) CellsOrGo() func(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	if k.Cells != nil {
		return k.Cells
	}
	return lstmCells
}

// CellsBackwardOrGo is k.CellsBackward, or the Go loop when k has none.
func (k Kernels) CellsBackwardOrGo() func(a, cprev, tc, dh, dc, dz []float32, n, H int) {
	if k.CellsBackward != nil {
		return k.CellsBackward
	}
	return lstmCellsBackward
}

// Portable is the pure-Go kernel used in WebAssembly, where gonum's pure-Go
// blas32 runs at ~0.7 GFLOP/s and this blocked loop at ~2.3 (BENCHMARKS.md). It is
// also available natively, which is how a native run reproduces a wasm run bit
// for bit: same kernel, same summation order, no FMA on either side.
var Portable = Kernels{Name: "portable", Gemm: portableGemm, RowwiseGemm: true}

func portableGemm(transA, transB bool, m, n, k int, a, b, c []float32) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	_ = a[m*k-1]
	_ = b[k*n-1]
	_ = c[m*n-1]
	switch {
	case !transA && !transB:
		gemmNN(m, n, k, a, b, c)
	case !transA && transB:
		gemmNT(m, n, k, a, b, c)
	case transA && !transB:
		for p0 := 0; p0 < k; p0 += tnBlock {
			kb := min(tnBlock, k-p0)
			gemmTN(m, n, kb, a[p0*m:(p0+kb)*m], b[p0*n:(p0+kb)*n], c)
		}
	default:
		panic("kernels: Gemm with both operands transposed is not used")
	}
}

// gemmNN: c[m,n] += a[m,k]·b[k,n], in 4×4 blocks of c held in sixteen
// accumulators: per step of k, 4 values of a and 4 of b feed 16
// multiply-adds. In Node this takes ~1.5× less CPU time than the 4-row loop
// that streamed c through memory (6.8 s against 10.3 s of user time for 2,000
// products 64×512×128, interleaved runs on a loaded machine; the transposed
// variants gained 0-9%).
func gemmNN(m, n, k int, a, b, c []float32) {
	m4, n4 := m&^3, n&^3
	for i := 0; i < m4; i += 4 {
		a0 := a[i*k : i*k+k]
		a1 := a[(i+1)*k : (i+1)*k+k]
		a2 := a[(i+2)*k : (i+2)*k+k]
		a3 := a[(i+3)*k : (i+3)*k+k]
		for j := 0; j < n4; j += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			var c20, c21, c22, c23, c30, c31, c32, c33 float32
			for p := 0; p < k; p++ {
				bp := b[p*n+j : p*n+j+4 : p*n+j+4]
				b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
				x := a0[p]
				c00 += x * b0
				c01 += x * b1
				c02 += x * b2
				c03 += x * b3
				x = a1[p]
				c10 += x * b0
				c11 += x * b1
				c12 += x * b2
				c13 += x * b3
				x = a2[p]
				c20 += x * b0
				c21 += x * b1
				c22 += x * b2
				c23 += x * b3
				x = a3[p]
				c30 += x * b0
				c31 += x * b1
				c32 += x * b2
				c33 += x * b3
			}
			add4(c[i*n+j:], c00, c01, c02, c03)
			add4(c[(i+1)*n+j:], c10, c11, c12, c13)
			add4(c[(i+2)*n+j:], c20, c21, c22, c23)
			add4(c[(i+3)*n+j:], c30, c31, c32, c33)
		}
	}
	// The last n%4 columns of the blocked rows, as dot products.
	for i := 0; i < m4; i++ {
		for j := n4; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += a[i*k+p] * b[p*n+j]
			}
			c[i*n+j] += s
		}
	}
	// The last m%4 rows, streaming whole rows of b: this is the path of
	// batch-1 inference (m = 1), where a column-wise dot product would walk
	// b with a stride of n.
	// Four rows of b per pass, so each element of c is loaded and stored
	// once per four multiply-adds.
	for i := m4; i < m; i++ {
		ar := a[i*k : i*k+k]
		cr := c[i*n : i*n+n]
		p := 0
		for ; p+4 <= k; p += 4 {
			x0, x1, x2, x3 := ar[p], ar[p+1], ar[p+2], ar[p+3]
			b0 := b[p*n : p*n+n]
			b1 := b[(p+1)*n : (p+1)*n+n]
			b2 := b[(p+2)*n : (p+2)*n+n]
			b3 := b[(p+3)*n : (p+3)*n+n]
			cr := cr[:len(b0)]
			b1, b2, b3 = b1[:len(cr)], b2[:len(cr)], b3[:len(cr)]
			for j := range cr {
				cr[j] += x0*b0[j] + x1*b1[j] + x2*b2[j] + x3*b3[j]
			}
		}
		for ; p < k; p++ {
			x := ar[p]
			br := b[p*n : p*n+n]
			cr := cr[:len(br)]
			for j, v := range br {
				cr[j] += x * v
			}
		}
	}
}

// tnBlock splits aᵀ·b's reduction into runs of this many steps of k, each
// summed on its own and added to c in order: the weight gradients reduce
// over every row of a batch (k ≈ 6,400 at the thesis shape), and a run of
// 256 rows of b (512 KB at n = 512) stays in cache while every block of c
// uses it. The SIMD kernel does the same split, so the two still agree bit
// for bit; it took its aᵀ·b at the thesis shape from 29 to 46 GFLOP/s in
// Node (64 rows: 43; 128: 46).
const tnBlock = 256

// gemmTN: c[m,n] += a[k,m]ᵀ·b[k,n], the same 4×4 blocks; a's four values per
// step of k are now contiguous (a[p, i..i+3]).
func gemmTN(m, n, k int, a, b, c []float32) {
	m4, n4 := m&^3, n&^3
	for i := 0; i < m4; i += 4 {
		for j := 0; j < n4; j += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			var c20, c21, c22, c23, c30, c31, c32, c33 float32
			for p := 0; p < k; p++ {
				bp := b[p*n+j : p*n+j+4 : p*n+j+4]
				ap := a[p*m+i : p*m+i+4 : p*m+i+4]
				b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
				x := ap[0]
				c00 += x * b0
				c01 += x * b1
				c02 += x * b2
				c03 += x * b3
				x = ap[1]
				c10 += x * b0
				c11 += x * b1
				c12 += x * b2
				c13 += x * b3
				x = ap[2]
				c20 += x * b0
				c21 += x * b1
				c22 += x * b2
				c23 += x * b3
				x = ap[3]
				c30 += x * b0
				c31 += x * b1
				c32 += x * b2
				c33 += x * b3
			}
			add4(c[i*n+j:], c00, c01, c02, c03)
			add4(c[(i+1)*n+j:], c10, c11, c12, c13)
			add4(c[(i+2)*n+j:], c20, c21, c22, c23)
			add4(c[(i+3)*n+j:], c30, c31, c32, c33)
		}
	}
	for i := 0; i < m; i++ {
		j0 := n4
		if i >= m4 {
			j0 = 0
		}
		for j := j0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += a[p*m+i] * b[p*n+j]
			}
			c[i*n+j] += s
		}
	}
}

// gemmNT: c[m,n] += a[m,k]·b[n,k]ᵀ, 4×4 blocks of dot products: per step of
// k, four values of a and four of b (one per row of each) feed 16
// multiply-adds.
func gemmNT(m, n, k int, a, b, c []float32) {
	m4, n4 := m&^3, n&^3
	for i := 0; i < m4; i += 4 {
		a0 := a[i*k : i*k+k]
		a1 := a[(i+1)*k : (i+1)*k+k]
		a2 := a[(i+2)*k : (i+2)*k+k]
		a3 := a[(i+3)*k : (i+3)*k+k]
		for j := 0; j < n4; j += 4 {
			b0 := b[j*k : j*k+k]
			b1 := b[(j+1)*k : (j+1)*k+k]
			b2 := b[(j+2)*k : (j+2)*k+k]
			b3 := b[(j+3)*k : (j+3)*k+k]
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			var c20, c21, c22, c23, c30, c31, c32, c33 float32
			for p := range b0 {
				v0, v1, v2, v3 := b0[p], b1[p], b2[p], b3[p]
				x := a0[p]
				c00 += x * v0
				c01 += x * v1
				c02 += x * v2
				c03 += x * v3
				x = a1[p]
				c10 += x * v0
				c11 += x * v1
				c12 += x * v2
				c13 += x * v3
				x = a2[p]
				c20 += x * v0
				c21 += x * v1
				c22 += x * v2
				c23 += x * v3
				x = a3[p]
				c30 += x * v0
				c31 += x * v1
				c32 += x * v2
				c33 += x * v3
			}
			add4(c[i*n+j:], c00, c01, c02, c03)
			add4(c[(i+1)*n+j:], c10, c11, c12, c13)
			add4(c[(i+2)*n+j:], c20, c21, c22, c23)
			add4(c[(i+3)*n+j:], c30, c31, c32, c33)
		}
	}
	for i := 0; i < m; i++ {
		j0 := n4
		if i >= m4 {
			j0 = 0
		}
		ar := a[i*k : i*k+k]
		for j := j0; j < n; j++ {
			br := b[j*k : j*k+k]
			var s float32
			for p, v := range br {
				s += ar[p] * v
			}
			c[i*n+j] += s
		}
	}
}

func add4(r []float32, x0, x1, x2, x3 float32) {
	r = r[:4]
	r[0] += x0
	r[1] += x1
	r[2] += x2
	r[3] += x3
}

// QCellsOrGo is k.QCells, or the Go loop when k has none.
func (k Kernels) QCellsOrGo() func(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	if k.QCells != nil {
		return k.QCells
	}
	return lstmCellsQ
}
