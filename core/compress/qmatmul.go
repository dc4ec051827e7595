package compress

import "sentilab/core/kernels"

// qmatmul is qgemm's contract on int8 rows x [n, K]: it adds to out [n, N]
//
//	out[r,j] += xs[r]·m.Scale[j] · Σ_k x[r,k]·Q[k,j]
//
// with the fastest product k has: QDot8 (natively with AVX-512 VNNI), else
// QDot (AVX2, or SIMD128 in the browser), else the packed int64 loop. Every
// path sums the same exact integers and rescales them with the same float32
// operations, so all give the same bits. sum, if not nil, holds each row's
// Σ_k x[r,k] (which QDot8 needs and the quantizer may give for free).
func qmatmul(k *kernels.Kernels, sc *qScratch, n int, x []int8, xs []float32, sum []int32, m *QMatrix, out []float32) {
	K, N := m.K, m.N
	if n == 0 || K == 0 {
		return
	}
	_ = x[n*K-1]
	_ = out[n*N-1]
	_ = xs[n-1]
	if qgemmVNNI(k, sc, n, x, xs, sum, m, out) || qgemmPairs(k, sc, n, x, xs, m, out) {
		return
	}
	sc.x64 = grow(sc.x64, n*K)
	for i, v := range x[:n*K] {
		sc.x64[i] = int64(v)
	}
	qgemm(n, sc.x64, xs, m, out)
}

// quantize is quantizeActs, with k's QuantizeRows where it has one (the
// same values), also filling sum with each row's Σ q.
func quantize(k *kernels.Kernels, a []float32, n, K int, q []int8, s []float32, sum []int32) {
	if k.QuantizeRows != nil && K%8 == 0 {
		k.QuantizeRows(a, n, K, q, s, sum)
		return
	}
	quantizeActs(a, n, K, q, s)
	for r := 0; r < n; r++ {
		var t int32
		for _, v := range q[r*K : (r+1)*K] {
			t += int32(v)
		}
		sum[r] = t
	}
}
