package kernels

import "fmt"

// AddRows adds the rows of src [rows, len(dst)] into dst in order, dst[j] +=
// src[r, j] for r = 0, 1, …: the bits of adding them one at a time. The
// bias gradient is such a sum, over every row of a batch (thousands of rows
// of 4H): in wasm one call into the module instead of a Go loop (with
// core/nn's other row sums, 4.5% of a training step's profile under Node
// before, 1.9% after: BENCHMARKS.md, session 21).
func AddRows(dst, src []float32, rows int) {
	n := len(dst)
	src = src[:rows*n]
	if addRowsVector(dst, src, rows) {
		return
	}
	for r := 0; r < rows; r++ {
		row := src[r*n : (r+1)*n]
		for i := AddVector(dst, row); i < n; i++ {
			dst[i] += row[i]
		}
	}
}

// AddRowsAt adds row r of src [len(idx), n] into row idx[r] of dst, for r =
// 0, 1, … in order: the bits of adding them one at a time. The embedding
// gradient is such a scatter (a batch's rows onto their tokens' rows): in
// wasm one call into the module instead of one per row, which cost 2.3% of
// a thesis training step under Node (BENCHMARKS.md, session 23). It panics,
// before adding anything, if a row of idx is outside dst.
func AddRowsAt(dst []float32, n int, idx []int32, src []float32) {
	src = src[:len(idx)*n]
	for r, t := range idx {
		if t < 0 || (int(t)+1)*n > len(dst) {
			panic(fmt.Sprintf("kernels: AddRowsAt: idx[%d] = %d is outside dst's %d rows", r, t, len(dst)/max(n, 1)))
		}
	}
	if addRowsAtVector(dst, n, idx, src) {
		return
	}
	for r, t := range idx {
		d, row := dst[int(t)*n:(int(t)+1)*n], src[r*n:(r+1)*n]
		for i := AddVector(d, row); i < n; i++ {
			d[i] += row[i]
		}
	}
}
