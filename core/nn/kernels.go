package nn

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
	Name          string
	Gemm          func(transA, transB bool, m, n, k int, a, b, c []float32)
	Cells         func(a, cprev, cOut, tcOut, hOut []float32, n, H int)
	CellsBackward func(a, cprev, tc, dh, dc, dz []float32, n, H int)
}

func (k Kernels) cells() func(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	if k.Cells != nil {
		return k.Cells
	}
	return lstmCells
}

func (k Kernels) cellsBackward() func(a, cprev, tc, dh, dc, dz []float32, n, H int) {
	if k.CellsBackward != nil {
		return k.CellsBackward
	}
	return lstmCellsBackward
}

// Portable is the pure-Go kernel used in WebAssembly, where gonum's pure-Go
// blas32 runs at ~0.7 GFLOP/s and this blocked loop at ~2.3 (STACK.md). It is
// also available natively, which is how a native run reproduces a wasm run bit
// for bit: same kernel, same summation order, no FMA on either side.
var Portable = Kernels{Name: "portable", Gemm: portableGemm}

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
		gemmTN(m, n, k, a, b, c)
	default:
		panic("nn: Gemm with both operands transposed is not used")
	}
}

// gemmNN: c[m,n] += a[m,k]·b[k,n]. Four rows of c at a time, so each row of b
// is loaded once for four multiply-adds.
func gemmNN(m, n, k int, a, b, c []float32) {
	i := 0
	for ; i+4 <= m; i += 4 {
		a0 := a[i*k : i*k+k]
		a1 := a[(i+1)*k : (i+1)*k+k]
		a2 := a[(i+2)*k : (i+2)*k+k]
		a3 := a[(i+3)*k : (i+3)*k+k]
		c0 := c[i*n : i*n+n]
		c1 := c[(i+1)*n : (i+1)*n+n]
		c2 := c[(i+2)*n : (i+2)*n+n]
		c3 := c[(i+3)*n : (i+3)*n+n]
		for p := 0; p < k; p++ {
			x0, x1, x2, x3 := a0[p], a1[p], a2[p], a3[p]
			br := b[p*n : p*n+n]
			c0, c1, c2, c3 := c0[:len(br)], c1[:len(br)], c2[:len(br)], c3[:len(br)]
			for j, v := range br {
				c0[j] += x0 * v
				c1[j] += x1 * v
				c2[j] += x2 * v
				c3[j] += x3 * v
			}
		}
	}
	for ; i < m; i++ {
		ar := a[i*k : i*k+k]
		cr := c[i*n : i*n+n]
		for p, x := range ar {
			br := b[p*n : p*n+n]
			cr := cr[:len(br)]
			for j, v := range br {
				cr[j] += x * v
			}
		}
	}
}

// gemmNT: c[m,n] += a[m,k]·b[n,k]ᵀ, as dot products of rows, four rows of a
// against two rows of b so each loaded value feeds several accumulators.
func gemmNT(m, n, k int, a, b, c []float32) {
	i := 0
	for ; i+4 <= m; i += 4 {
		a0 := a[i*k : i*k+k]
		a1 := a[(i+1)*k : (i+1)*k+k]
		a2 := a[(i+2)*k : (i+2)*k+k]
		a3 := a[(i+3)*k : (i+3)*k+k]
		j := 0
		for ; j+2 <= n; j += 2 {
			b0 := b[j*k : j*k+k]
			b1 := b[(j+1)*k : (j+1)*k+k]
			var s00, s01, s10, s11, s20, s21, s30, s31 float32
			for p := range b0 {
				v0, v1 := b0[p], b1[p]
				x0, x1, x2, x3 := a0[p], a1[p], a2[p], a3[p]
				s00 += x0 * v0
				s01 += x0 * v1
				s10 += x1 * v0
				s11 += x1 * v1
				s20 += x2 * v0
				s21 += x2 * v1
				s30 += x3 * v0
				s31 += x3 * v1
			}
			c[i*n+j] += s00
			c[i*n+j+1] += s01
			c[(i+1)*n+j] += s10
			c[(i+1)*n+j+1] += s11
			c[(i+2)*n+j] += s20
			c[(i+2)*n+j+1] += s21
			c[(i+3)*n+j] += s30
			c[(i+3)*n+j+1] += s31
		}
		for ; j < n; j++ {
			b0 := b[j*k : j*k+k]
			var s0, s1, s2, s3 float32
			for p, v := range b0 {
				s0 += a0[p] * v
				s1 += a1[p] * v
				s2 += a2[p] * v
				s3 += a3[p] * v
			}
			c[i*n+j] += s0
			c[(i+1)*n+j] += s1
			c[(i+2)*n+j] += s2
			c[(i+3)*n+j] += s3
		}
	}
	for ; i < m; i++ {
		ar := a[i*k : i*k+k]
		for j := 0; j < n; j++ {
			br := b[j*k : j*k+k]
			var s float32
			for p, v := range br {
				s += ar[p] * v
			}
			c[i*n+j] += s
		}
	}
}

// gemmTN: c[m,n] += a[k,m]ᵀ·b[k,n]. The reduction runs over rows of a and b,
// four at a time, so each row of c is loaded and stored once per four rows.
func gemmTN(m, n, k int, a, b, c []float32) {
	p := 0
	for ; p+4 <= k; p += 4 {
		a0 := a[p*m : p*m+m]
		a1 := a[(p+1)*m : (p+1)*m+m]
		a2 := a[(p+2)*m : (p+2)*m+m]
		a3 := a[(p+3)*m : (p+3)*m+m]
		b0 := b[p*n : p*n+n]
		b1 := b[(p+1)*n : (p+1)*n+n]
		b2 := b[(p+2)*n : (p+2)*n+n]
		b3 := b[(p+3)*n : (p+3)*n+n]
		for i := 0; i < m; i++ {
			x0, x1, x2, x3 := a0[i], a1[i], a2[i], a3[i]
			cr := c[i*n : i*n+n]
			b0, b1, b2, b3 := b0[:len(cr)], b1[:len(cr)], b2[:len(cr)], b3[:len(cr)]
			for j := range cr {
				cr[j] += x0*b0[j] + x1*b1[j] + x2*b2[j] + x3*b3[j]
			}
		}
	}
	for ; p < k; p++ {
		ar := a[p*m : p*m+m]
		br := b[p*n : p*n+n]
		for i, x := range ar {
			cr := c[i*n : i*n+n]
			cr = cr[:len(br)]
			for j, v := range br {
				cr[j] += x * v
			}
		}
	}
}
