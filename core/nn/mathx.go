package nn

import "math"

// The activations and the initialisers use these hand-written functions rather
// than package math: on amd64 math.Exp and math.Log are assembly, in wasm pure
// Go, and the last bit can differ. Plain float32/float64 arithmetic rounds the
// same everywhere (Go fuses no multiply-add unless asked on amd64 and wasm; the
// explicit float32() conversions forbid it on other targets too), which is what
// lets a native run and a wasm run end with bit-identical weights.

// log64 is ln(x) for x > 0 in float64: x = m·2^e with m in [√½, √2), then
// ln m = 2·atanh(s), s = (m-1)/(m+1), summed until the terms vanish.
func log64(x float64) float64 {
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

// Square roots are correctly rounded by IEEE 754 on every target.
func sqrt64(x float64) float64 { return math.Sqrt(x) }
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
