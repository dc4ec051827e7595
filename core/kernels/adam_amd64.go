package kernels

import "golang.org/x/sys/cpu"

// AdamVector runs core/nn's Adam step (nn/adam.go) on the longest
// multiple-of-8 prefix of w in AVX2 and returns its length; Adam.Update does
// the rest in Go. The vector operations
// are the Go loop's, in its order, each rounded to float32 and without FMA
// (VSQRTPS rounds as float32(math.Sqrt(float64(x))) does), so the weights
// are the same bits. Adam was ~10% of a native thesis-shape step.
func AdamVector(w, g, m, v []float32, c1, c2, alpha, eps float32) int {
	n := len(w) &^ 7
	if n == 0 || !cpu.X86.HasAVX2 {
		return 0
	}
	_, _, _ = g[n-1], m[n-1], v[n-1]
	adamAVX2(&w[0], &g[0], &m[0], &v[0], n, c1, c2, alpha, eps)
	return n
}

//go:noescape
func adamAVX2(w, grad, mom, vel *float32, n int, c1, c2, alpha, eps float32)

// AddVector adds the longest multiple-of-8 prefix of src into dst in AVX2
// and returns its length (elementwise sums: the same bits as the Go loop).
// The bias gradient alone is a sum of R·4H values per step.
func AddVector(dst, src []float32) int {
	n := len(dst) &^ 7
	if n == 0 || !cpu.X86.HasAVX2 {
		return 0
	}
	_ = src[n-1]
	addAVX2(&dst[0], &src[0], n)
	return n
}

//go:noescape
func addAVX2(dst, src *float32, n int)
