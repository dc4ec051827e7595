package kernels

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

// HasQDot8 reports whether QDot8 runs on this CPU (AVX-512 with VNNI).
func HasQDot8() bool { return cpu.X86.HasAVX512F && cpu.X86.HasAVX512VNNI }

// QDot8 is the int8 runtime's product on int8 activations with AVX-512
// VNNI (VPDPBUSD: 64 multiply-adds per instruction, against 8 for QDot's
// VPMADDWD on 4 lanes):
//
//	out[r, j] += float32(xs[r]·scale[j]) · float32(corr[r] + Σ_k x[r,k]·(q[k,j]+128))
//
// x is [n, 4·K4] int8 (rows padded with zeros); q is [N16, K4, 16] words,
// word (c, k, l) holding q[4k..4k+3, 16c+l] + 128 as unsigned bytes, low
// byte first; corr[r] = −128·Σ_k x[r,k], so the integer is Σ_k x·q exactly
// (the instruction wraps; the true sum fits in int32). out is [n, 16·N16].
// The float operations are qgemm's, in its order and without FMA, so the
// results are its bits. It reports false, computing nothing, without VNNI.
func QDot8(x []int8, q, corr []int32, xs, scale, out []float32, n, K4, N16 int) bool {
	if !HasQDot8() {
		return false
	}
	if n == 0 || K4 == 0 || N16 == 0 {
		return true
	}
	_, _, _ = x[n*K4*4-1], q[N16*K4*16-1], out[n*N16*16-1]
	_, _, _ = corr[n-1], xs[n-1], scale[N16*16-1]
	qdotVNNI(&x[0], &q[0], &corr[0], &out[0], &xs[0], &scale[0], n, K4, N16)
	return true
}

//go:noescape
func qdotVNNI(x *int8, q, corr *int32, out, xs, scale *float32, n, k4, n16 int)

// QuantizeRows quantizes each row of a [n, K] to int8 with scale
// max|row|/127, as core/compress's quantizeActs does, bit for bit (see
// qdot_quant_amd64.s), and writes each row's sum of int8 values to sum
// (QDot8's correction). It reports false, computing nothing, without
// AVX2 or when K is not a multiple of 8.
func QuantizeRows(a []float32, n, K int, q []int8, s []float32, sum []int32) bool {
	if !cpu.X86.HasAVX2 || K%8 != 0 {
		return false
	}
	if n == 0 || K == 0 {
		return true
	}
	_, _, _, _ = a[n*K-1], q[n*K-1], s[n-1], sum[n-1]
	quantRowsAVX2(&a[0], &q[0], &s[0], &sum[0], n, K)
	return true
}

//go:noescape
func quantRowsAVX2(a *float32, q *int8, s *float32, sum *int32, n, k int)

// QuantizePairs is kernels_wasm.go's SIMD128 quantizer; natively
// QuantizeRows and QDot8 serve.
func QuantizePairs(a []float32, n, K int, words []int32, s []float32) bool { return false }

// QStep is kernels_wasm.go's one-call int8 LSTM step; only in the browser.
func QStep(xw []int32, xs []float32, qK []int32, sK []float32, h []float32, hw []int32, hs []float32,
	qR []int32, sR []float32, g, cprev, c, tc []float32, n, K2, H int) bool {
	return false
}

// HasQStep reports whether QStep runs here: only in the browser.
func HasQStep() bool { return false }
