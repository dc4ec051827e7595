//go:build !js || !wasm

package kernels

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Gonum is gonum's blas32 Sgemm, whose amd64 assembly runs ~10 GFLOP/s per
// core here against ~4.7 for the portable loop (BENCHMARKS.md).
var Gonum = withNativeInt8(Kernels{Name: "gonum", Gemm: gonumGemm})

// Default is the fastest kernel of this build: Fast (amd64 assembly)
// when the CPU has AVX2+FMA, else gonum.
func Default() Kernels {
	if HasFast() {
		return Fast
	}
	return Gonum
}

func gonumGemm(transA, transB bool, m, n, k int, a, b, c []float32) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	ta, tb := blas.NoTrans, blas.NoTrans
	lda, ldb := k, n
	if transA {
		ta, lda = blas.Trans, m
	}
	if transB {
		tb, ldb = blas.Trans, k
	}
	blas32.Implementation().Sgemm(ta, tb, m, n, k, 1, a, lda, b, ldb, 1, c, n)
}
