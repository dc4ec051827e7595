package kernels

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
