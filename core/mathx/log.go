// Package mathx holds the math functions the core computes by hand rather
// than with package math: on amd64 math.Log is assembly, in wasm pure Go, and
// the last bit can differ; plain float64 arithmetic rounds the same on every
// target, which is what lets a native run and a wasm run agree to the bit.
package mathx

import "math"

// Log64 is ln(x) (NaN for x < 0, −Inf at 0): x = m·2^e with m in [√½, √2), then
// ln m = 2·atanh(s), s = (m-1)/(m+1), summed until the terms vanish
// (|s| ≤ 0.172, so at most 12 terms). Frexp is exact bit manipulation.
func Log64(x float64) float64 {
	switch {
	case x != x || x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	case math.IsInf(x, 1):
		return x
	}
	m, e := math.Frexp(x) // m in [0.5, 1)
	if m < math.Sqrt2/2 {
		m *= 2
		e--
	}
	s := (m - 1) / (m + 1)
	s2 := s * s
	sum, term := 0.0, s
	for i := 1; i < 60; i += 2 {
		d := term / float64(i)
		sum += d
		if d < 1e-18 && d > -1e-18 {
			break
		}
		term *= s2
	}
	return 2*sum + float64(e)*math.Ln2
}
