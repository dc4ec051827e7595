package kernels

import "math"

// The activations and the initialisers use these hand-written functions rather
// than package math: on amd64 math.Exp and math.Log are assembly, in wasm pure
// Go, and the last bit can differ. Plain float32/float64 arithmetic rounds the
// same everywhere (Go fuses no multiply-add unless asked on amd64 and wasm; the
// explicit float32() conversions forbid it on other targets too), which is what
// lets a native run and a wasm run end with bit-identical weights.

const (
	log2e = 1.44269504088896341
	ln2hi = 0.693145751953125 // ln2 split so n·ln2hi is exact
	ln2lo = 1.428606820309417e-06
)

// exp32 is e^x in float32, within 2 ulp on [-87, 88]: range reduction
// x = n·ln2 + r, |r| ≤ ln2/2, then a degree-6 Taylor polynomial.
func exp32(x float32) float32 {
	if x > 88 {
		x = 88
	}
	if x < -87 {
		x = -87
	}
	fn := float32(x * log2e)
	var n int32
	if fn >= 0 {
		n = int32(fn + 0.5)
	} else {
		n = int32(fn - 0.5)
	}
	nf := float32(n)
	r := float32(x - float32(nf*ln2hi))
	r = float32(r - float32(nf*ln2lo))
	p := float32(1.0 / 720)
	p = float32(float32(p*r) + 1.0/120)
	p = float32(float32(p*r) + 1.0/24)
	p = float32(float32(p*r) + 1.0/6)
	p = float32(float32(p*r) + 0.5)
	p = float32(float32(p*r) + 1)
	p = float32(float32(p*r) + 1)
	return p * math.Float32frombits(uint32(n+127)<<23)
}

// sigmoid32 is 1/(1+e^-x).
func sigmoid32(x float32) float32 {
	return 1 / (1 + exp32(-x))
}

// tanh32 is tanh(x) = (1-e^-2|x|)/(1+e^-2|x|) with the sign of x. Below 2^-12 it
// returns x, where the formula would lose every digit to cancellation.
func tanh32(x float32) float32 {
	ax := x
	if ax < 0 {
		ax = -ax
	}
	if ax < 1.0/4096 {
		return x
	}
	e := exp32(-2 * ax)
	t := (1 - e) / (1 + e)
	if x < 0 {
		return -t
	}
	return t
}
