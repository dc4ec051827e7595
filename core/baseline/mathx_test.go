package baseline

import (
	"math"
	"testing"

	"sentilab/core/mathx"
)

// The hand-written functions agree with package math to 1e-14 relative:
// far below anything training can see, while their bits are the same on
// every target (which package math does not promise).
func TestMathAgainstStdlib(t *testing.T) {
	const tol = 1e-14
	rel := func(got, want float64) float64 {
		if got == want {
			return 0
		}
		return math.Abs(got-want) / math.Max(math.Abs(want), 1e-300)
	}
	for x := -700.0; x <= 700; x += 0.37 {
		if e := rel(exp64(x), math.Exp(x)); e > tol {
			t.Fatalf("exp64(%v) = %v, want %v (rel %g)", x, exp64(x), math.Exp(x), e)
		}
	}
	for _, x := range []float64{1e-300, 1e-10, 0.5, 0.7071, 1, 1.0000001, 2, 3, 10, 12345.678, 1e300} {
		if e := rel(mathx.Log64(x), math.Log(x)); e > tol && math.Abs(mathx.Log64(x)-math.Log(x)) > 1e-16 {
			t.Errorf("mathx.Log64(%v) = %v, want %v", x, mathx.Log64(x), math.Log(x))
		}
	}
	for _, x := range []float64{1e-20, 1e-12, 1e-6, 0.1, 1, 100, -0.5} {
		if e := rel(log1p64(x), math.Log1p(x)); e > tol {
			t.Errorf("log1p64(%v) = %v, want %v", x, log1p64(x), math.Log1p(x))
		}
	}
	for _, z := range []float64{-800, -40, -5, -1e-9, 0, 1e-9, 3, 40, 800} {
		sp := math.Log1p(math.Exp(-math.Abs(z))) + math.Max(z, 0)
		if e := rel(softplus(z), sp); e > tol {
			t.Errorf("softplus(%v) = %v, want %v", z, softplus(z), sp)
		}
		sg := 1 / (1 + math.Exp(-z))
		if e := rel(sigmoid(z), sg); e > tol && math.Abs(sigmoid(z)-sg) > 1e-300 {
			t.Errorf("sigmoid(%v) = %v, want %v", z, sigmoid(z), sg)
		}
	}
	if exp64(710) != math.Inf(1) || exp64(-710) != 0 || !math.IsNaN(exp64(math.NaN())) {
		t.Errorf("exp64 at the edges: %v %v %v", exp64(710), exp64(-710), exp64(math.NaN()))
	}
	if !math.IsInf(mathx.Log64(0), -1) || !math.IsNaN(mathx.Log64(-1)) {
		t.Errorf("log64 at the edges: %v %v", mathx.Log64(0), mathx.Log64(-1))
	}
}
