package baseline

import (
	"math"

	"sentilab/core/mathx"
)

// Training and prediction use these hand-written exp and log rather than
// package math: on amd64 math.Exp and math.Log are assembly, in wasm pure
// Go, and the last bit can differ, which would make a native and a wasm run
// end with different weights. Plain float64 arithmetic rounds the same on
// both (Go fuses no multiply-add on amd64 or wasm), and so do these.

const (
	ln2hi = 6.93147180369123816490e-01 // ln 2, high bits: n·ln2hi is exact for |n| < 2^11
	ln2lo = 1.90821492927058770002e-10
	log2e = 1.44269504088896338700e+00
)

// exp64 is e^x within a few ulp: x = n·ln2 + r with |r| ≤ ln2/2, then a
// degree-13 Taylor polynomial (remainder below 1e-17 relative). It returns 0
// below -708 and +Inf above 709.
func exp64(x float64) float64 {
	switch {
	case x != x:
		return x
	case x > 709:
		return math.Inf(1)
	case x < -708:
		return 0
	}
	fn := x * log2e
	var n int64
	if fn >= 0 {
		n = int64(fn + 0.5)
	} else {
		n = int64(fn - 0.5)
	}
	nf := float64(n)
	r := (x - nf*ln2hi) - nf*ln2lo
	p := 1.0 / 6227020800 // 1/13!
	for _, c := range expCoef {
		p = p*r + c
	}
	// 2^n as bits; n is in [-1022, 1023] for x in [-708, 709].
	return p * math.Float64frombits(uint64(n+1023)<<52)
}

// expCoef are 1/12!, 1/11!, ..., 1/1!, 1/0!, for Horner's rule after 1/13!.
var expCoef = [...]float64{
	1.0 / 479001600, 1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880, 1.0 / 40320,
	1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1, 1,
}

// log1p64 is ln(1+t) for t > -1, accurate for tiny t too: with u = 1+t
// rounded, ln(u)·t/(u-1) cancels the rounding of u (Goldberg's trick).
func log1p64(t float64) float64 {
	u := 1 + t
	if u == 1 {
		return t
	}
	return mathx.Log64(u) * t / (u - 1)
}

// softplus is ln(1+e^z) without overflow: max(z,0) + ln(1+e^-|z|).
func softplus(z float64) float64 {
	if z > 0 {
		return z + log1p64(exp64(-z))
	}
	return log1p64(exp64(z))
}

// sigmoid is 1/(1+e^-z), computed from e^-|z| so it never overflows.
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + exp64(-z))
	}
	e := exp64(z)
	return e / (1 + e)
}

// Sigmoid is the probability of the positive class for a logit z.
func Sigmoid(z float64) float64 { return sigmoid(z) }
