//go:build !amd64 && !(js && wasm)

package kernels

// AdamVector: no vector Adam on this architecture (adam_amd64.go).
func AdamVector(w, g, m, v []float32, c1, c2, alpha, eps float32) int { return 0 }

// AddVector: none on this architecture either.
func AddVector(dst, src []float32) int { return 0 }
