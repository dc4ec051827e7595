package kernels

import (
	"golang.org/x/sys/cpu"
)

// withNativeInt8 is k with the int8 kernels this CPU runs (int8.go has the
// contracts): QDot with AVX2's VPMADDWD on int16 pairs (the same layout as
// the browser's), QDot8 with AVX-512 VNNI, QuantizeRows with AVX2 and the
// int8 gate math. Fast and Gonum carry them.
func withNativeInt8(k Kernels) Kernels {
	if cpu.X86.HasAVX2 {
		k.QDot, k.QuantizeRows = qdotPairs, quantizeRows
	}
	if hasQDot8() {
		k.QDot8 = qdot8
	}
	k.QCells = qCellsNative
	return k
}

// qdotPairs is QDot with AVX2's VPMADDWD.
func qdotPairs(x, q []int32, xs, scale, out []float32, n, K2, N4 int) {
	if n == 0 || K2 == 0 || N4 == 0 {
		return
	}
	_, _, _ = x[n*K2-1], q[N4*K2*4-1], out[n*N4*4-1]
	_, _ = xs[n-1], scale[N4*4-1]
	qdotAVX2(&x[0], &q[0], &out[0], &xs[0], &scale[0], n, K2, N4)
}

//go:noescape
func qdotAVX2(x, q *int32, out, xs, scale *float32, n, k2, n4 int)

// hasQDot8 reports whether qdot8 runs on this CPU (AVX-512 with VNNI).
func hasQDot8() bool { return cpu.X86.HasAVX512F && cpu.X86.HasAVX512VNNI }

// qdot8 is QDot8 with VPDPBUSD (64 multiply-adds per instruction, against
// 8 for VPMADDWD on 4 lanes).
func qdot8(x []int8, q, corr []int32, xs, scale, out []float32, n, K4, N16 int) {
	if n == 0 || K4 == 0 || N16 == 0 {
		return
	}
	_, _, _ = x[n*K4*4-1], q[N16*K4*16-1], out[n*N16*16-1]
	_, _, _ = corr[n-1], xs[n-1], scale[N16*16-1]
	qdotVNNI(&x[0], &q[0], &corr[0], &out[0], &xs[0], &scale[0], n, K4, N16)
}

//go:noescape
func qdotVNNI(x *int8, q, corr *int32, out, xs, scale *float32, n, k4, n16 int)

// quantizeRows is QuantizeRows in AVX2, quantizeActs' values bit for bit
// (see qdot_quant_amd64.s).
func quantizeRows(a []float32, n, K int, q []int8, s []float32, sum []int32) {
	if K%8 != 0 {
		panic("kernels: QuantizeRows needs K a multiple of 8")
	}
	if n == 0 || K == 0 {
		return
	}
	_, _, _, _ = a[n*K-1], q[n*K-1], s[n-1], sum[n-1]
	quantRowsAVX2(&a[0], &q[0], &s[0], &sum[0], n, K)
}

//go:noescape
func quantRowsAVX2(a *float32, q *int8, s *float32, sum *int32, n, k int)
