//go:build !(js && wasm)

package kernels

// addRowsVector: natively AddRows takes AddVector row by row.
func addRowsVector(dst, src []float32, rows int) bool { return false }
