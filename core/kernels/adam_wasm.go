//go:build js && wasm

package kernels

import "runtime"

// minVector is the fewest floats worth a call into the module: a call from
// Go's wasm through syscall/js costs about a microsecond (and a JS array of
// its arguments), as much as the Go loop over a thousand floats. The
// leader adds a helper's gradient row by row (128 floats each, thousands a
// step): those stay in Go.
const minVector = 1024

// AdamVector runs core/nn's Adam step (nn/adam.go) on the longest
// multiple-of-4 prefix of w in the SIMD128 module (simd128_adam.go) and
// returns its length, 0 without the module; Adam.Update does the rest in
// Go. The same operations in the same order, each rounded to float32, so
// the same bits. The Go loop was 5.2 ms of every training step at the
// thesis shape (2.7 M weights), ~5% of a step on one worker and more of
// one on two, where every engine runs it (BENCHMARKS.md).
func AdamVector(w, g, m, v []float32, c1, c2, alpha, eps float32) int {
	n := len(w) &^ 3
	if n < minVector {
		return 0
	}
	if _, ok := SIMD128(); !ok {
		return 0
	}
	_, _, _ = g[n-1], m[n-1], v[n-1]
	k := []float32{c1, c2, alpha, eps}
	simd.adam.Invoke(addr(w), addr(g), addr(m), addr(v), n, addr(k))
	runtime.KeepAlive(w)
	runtime.KeepAlive(g)
	runtime.KeepAlive(m)
	runtime.KeepAlive(v)
	runtime.KeepAlive(k)
	return n
}

// AddVector adds the longest multiple-of-4 prefix of src into dst in the
// SIMD128 module and returns its length (elementwise sums: the Go loop's
// bits), 0 without the module.
func AddVector(dst, src []float32) int {
	n := len(dst) &^ 3
	if n < minVector {
		return 0
	}
	if _, ok := SIMD128(); !ok {
		return 0
	}
	_ = src[n-1]
	simd.add.Invoke(addr(dst), addr(src), n)
	runtime.KeepAlive(dst)
	runtime.KeepAlive(src)
	return n
}

// addRowsVector is AddRows in one call into the module, where n is a
// multiple of 4 and the sum is worth the call; false otherwise.
func addRowsVector(dst, src []float32, rows int) bool {
	n := len(dst)
	if n%4 != 0 || rows*n < minVector {
		return false
	}
	if _, ok := SIMD128(); !ok {
		return false
	}
	_ = src[rows*n-1]
	simd.addRows.Invoke(addr(dst), addr(src), rows, n)
	runtime.KeepAlive(dst)
	runtime.KeepAlive(src)
	return true
}

// addRowsAtVector is AddRowsAt in one call into the module, where n is a
// multiple of 4 and the sum is worth the call; false otherwise. AddRowsAt
// has checked idx, so the module's writes stay inside dst.
func addRowsAtVector(dst []float32, n int, idx []int32, src []float32) bool {
	rows := len(idx)
	if n%4 != 0 || rows*n < minVector {
		return false
	}
	if _, ok := SIMD128(); !ok {
		return false
	}
	_ = src[rows*n-1]
	simd.addRowsAt.Invoke(addr(dst), addr(src), addr32(idx), rows, n)
	runtime.KeepAlive(dst)
	runtime.KeepAlive(src)
	runtime.KeepAlive(idx)
	return true
}
