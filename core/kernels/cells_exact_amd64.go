//go:build amd64

package kernels

import "golang.org/x/sys/cpu"

// The int8 runtime's gate math natively: lstmCells' own bits in AVX-512 or
// AVX2 (cellsFwdExact*, written by cells_gen.go). Unlike cellsAVX512 and
// cellsAVX2 they fuse nothing and round n in exp32 as the Go code does, so
// a model gives the same logits here, in the Go loop and in the browser's
// SIMD128 kernel. Without them the scalar exp32/tanh32 loops were about
// half of the native int8 runtime's time.

//go:noescape
func cellsFwdExactAVX512(a, cprev, cOut, tcOut, hOut *float32, n, H int)

//go:noescape
func cellsFwdExactAVX2(a, cprev, cOut, tcOut, hOut *float32, n, H int)

func cellsExactAVX512(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	cellsAsm(cellsFwdExactAVX512, 16, a, cprev, cOut, tcOut, hOut, n, H)
}

func cellsExactAVX2(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	cellsAsm(cellsFwdExactAVX2, 8, a, cprev, cOut, tcOut, hOut, n, H)
}

// exactCellsCandidates lists the exact kernels this CPU runs, fastest
// first (tests run them all).
func exactCellsCandidates() []func(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	var ks []func(a, cprev, cOut, tcOut, hOut []float32, n, H int)
	if cpu.X86.HasAVX512F {
		ks = append(ks, cellsExactAVX512)
	}
	if cpu.X86.HasAVX2 {
		ks = append(ks, cellsExactAVX2)
	}
	return ks
}

// exactCellsNative is the fastest of them for each H (AVX-512 needs H a
// multiple of 16, AVX2 of 8; other H take the Go loop), or nil.
var exactCellsNative = func() func(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	switch {
	case cpu.X86.HasAVX512F && cpu.X86.HasAVX2:
		return func(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
			if H%16 != 0 {
				cellsExactAVX2(a, cprev, cOut, tcOut, hOut, n, H)
				return
			}
			cellsExactAVX512(a, cprev, cOut, tcOut, hOut, n, H)
		}
	case cpu.X86.HasAVX2:
		return cellsExactAVX2
	}
	return nil
}()
