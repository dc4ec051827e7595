//go:build !amd64

package nn

// adamVector: no vector Adam on this architecture (adam_amd64.go).
func adamVector(w, g, m, v []float32, c1, c2, alpha, eps float32) int { return 0 }

// addVector: none on this architecture either.
func addVector(dst, src []float32) int { return 0 }
