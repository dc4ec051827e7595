//go:build !(js && wasm)

package kernels

// addRowsVector: natively AddRows takes AddVector row by row.
func addRowsVector(dst, src []float32, rows int) bool { return false }

// addRowsAtVector: natively AddRowsAt takes AddVector row by row.
func addRowsAtVector(dst []float32, n int, idx []int32, src []float32) bool { return false }
