//go:build !amd64

package kernels

// exactCellsNative is nil where there is no assembly: ExactCells then
// returns the SIMD128 kernel (in a browser) or the Go loop.
var exactCellsNative func(a, cprev, cOut, tcOut, hOut []float32, n, H int)
