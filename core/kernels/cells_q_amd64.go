//go:build amd64

package kernels

import "golang.org/x/sys/cpu"

// The int8 runtime's gate math natively: lstmCellsQ's own bits (cells_q.go)
// in AVX-512 or AVX2 (cellsFwdQ*, written by cells_gen.go). They fuse
// nothing, so a model gives the same logits here, in the Go loop and in the
// browser's SIMD128 kernel, ~20× faster than the Go loop (BENCHMARKS.md,
// session 13: ~800 and ~395 Mcells/s against 35).

//go:noescape
func cellsFwdQAVX512(a, cprev, cOut, tcOut, hOut *float32, n, H int)

//go:noescape
func cellsFwdQAVX2(a, cprev, cOut, tcOut, hOut *float32, n, H int)

func cellsQAVX512(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	cellsQAsm(cellsFwdQAVX512, 16, a, cprev, cOut, tcOut, hOut, n, H)
}

func cellsQAVX2(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	cellsQAsm(cellsFwdQAVX2, 8, a, cprev, cOut, tcOut, hOut, n, H)
}

// cellsQAsm is cellsAsm with lstmCellsQ for the sizes the kernel does not
// take.
func cellsQAsm(fn func(a, cprev, cOut, tcOut, hOut *float32, n, H int), lanes int,
	a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	if n <= 0 || H <= 0 || H%lanes != 0 {
		lstmCellsQ(a, cprev, cOut, tcOut, hOut, n, H)
		return
	}
	cellsAsm(fn, lanes, a, cprev, cOut, tcOut, hOut, n, H)
}

// qCellsCandidates lists the kernels this CPU runs, fastest first (tests
// run them all).
func qCellsCandidates() []func(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	var ks []func(a, cprev, cOut, tcOut, hOut []float32, n, H int)
	if cpu.X86.HasAVX512F {
		ks = append(ks, cellsQAVX512)
	}
	if cpu.X86.HasAVX2 {
		ks = append(ks, cellsQAVX2)
	}
	return ks
}

// qCellsNative is the fastest of them for each H (AVX-512 needs H a
// multiple of 16, AVX2 of 8; other H take the Go loop), or nil.
var qCellsNative = func() func(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	switch {
	case cpu.X86.HasAVX512F && cpu.X86.HasAVX2:
		return func(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
			if H%16 != 0 {
				cellsQAVX2(a, cprev, cOut, tcOut, hOut, n, H)
				return
			}
			cellsQAVX512(a, cprev, cOut, tcOut, hOut, n, H)
		}
	case cpu.X86.HasAVX2:
		return cellsQAVX2
	}
	return nil
}()
