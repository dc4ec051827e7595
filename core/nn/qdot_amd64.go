package nn

import (
	"golang.org/x/sys/cpu"
)

// QDot is the int8 runtime's product (core/compress qgemm), natively with
// AVX2's VPMADDWD on the same int16 pairs as the wasm kernel (see
// kernels_wasm.go's QDot for the layout):
//
//	out[r, j] += float32(xs[r]·scale[j]) · float32(Σ_k x[r,k]·q[k,j])
//
// The sums are exact integers and the float operations are qgemm's, in its
// order and without FMA, so the results are its bits. It reports false on
// a CPU without AVX2.
func QDot(x, q []int32, xs, scale, out []float32, n, K2, N4 int) bool {
	if !cpu.X86.HasAVX2 {
		return false
	}
	if n == 0 || K2 == 0 || N4 == 0 {
		return true
	}
	_, _, _ = x[n*K2-1], q[N4*K2*4-1], out[n*N4*4-1]
	_, _ = xs[n-1], scale[N4*4-1]
	qdotAVX2(&x[0], &q[0], &out[0], &xs[0], &scale[0], n, K2, N4)
	return true
}

//go:noescape
func qdotAVX2(x, q *int32, out, xs, scale *float32, n, k2, n4 int)
