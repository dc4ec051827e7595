package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refGemm is the textbook triple loop in float64: the reference every kernel
// is checked against.
func refGemm(transA, transB bool, m, n, k int, a, b, c []float32) []float64 {
	out := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := float64(c[i*n+j])
			for p := 0; p < k; p++ {
				av := a[i*k+p]
				if transA {
					av = a[p*m+i]
				}
				bv := b[p*n+j]
				if transB {
					bv = b[j*k+p]
				}
				s += float64(av) * float64(bv)
			}
			out[i*n+j] = s
		}
	}
	return out
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

// gateInputs returns a source of n pre-activations for the gate math's
// bit-for-bit tests: a quarter drawn from special (clamps, cutoffs, signed
// zeros…), a quarter wide (σ 30), the rest σ 2.
func gateInputs(rng *rand.Rand, special []float32) func(n int) []float32 {
	return func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			switch rng.IntN(4) {
			case 0:
				s[i] = special[rng.IntN(len(special))]
			case 1:
				s[i] = float32(rng.NormFloat64() * 30)
			default:
				s[i] = float32(rng.NormFloat64() * 2)
			}
		}
		return s
	}
}

// denseGateGrid is the dense bit-for-bit tests' input: every value of
// [-90, 90] in steps of 2^-10 (across every clamp and cutoff) as the gate
// pre-activations a0 of n rows of H units, and again, strided, as cprev.
func denseGateGrid(H int) (a0, cprev []float32, n int) {
	var xs []float32
	for x := -90.0; x <= 90; x += 1.0 / 1024 {
		xs = append(xs, float32(x))
	}
	n = (len(xs) + H - 1) / H
	a0 = make([]float32, n*4*H)
	cprev = make([]float32, n*H)
	for i := range a0 {
		a0[i] = xs[i%len(xs)]
	}
	for i := range cprev {
		cprev[i] = xs[(7*i)%len(xs)]
	}
	return a0, cprev, n
}

// checkKernel compares k against the float64 reference on awkward sizes (odd,
// not multiples of the 4×2 blocking, and the LSTM's own shapes). Tolerance:
// float32 accumulation of k terms errs by about k·2^-24·Σ|a·b|; we allow
// 1e-5·k relative to the sum of magnitudes.
func checkKernel(t *testing.T, k Kernels) {
	rng := rand.New(rand.NewPCG(3, 4))
	shapes := [][3]int{{1, 1, 1}, {3, 5, 7}, {4, 2, 8}, {5, 3, 9}, {9, 17, 13}, {64, 512, 128}, {32, 128, 512}, {128, 512, 37}}
	for _, s := range shapes {
		m, n, kk := s[0], s[1], s[2]
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}} {
			t.Run(fmt.Sprintf("%s/%dx%dx%d/tA=%v/tB=%v", k.Name, m, n, kk, tr[0], tr[1]), func(t *testing.T) {
				a, b, c := randSlice(rng, m*kk), randSlice(rng, kk*n), randSlice(rng, m*n)
				want := refGemm(tr[0], tr[1], m, n, kk, a, b, c)
				k.Gemm(tr[0], tr[1], m, n, kk, a, b, c)
				for i := range want {
					tol := 1e-5 * float64(kk+1) * 4
					if d := math.Abs(float64(c[i]) - want[i]); d > tol {
						t.Fatalf("element %d: got %v want %v (|diff| %g > %g)", i, c[i], want[i], d, tol)
					}
				}
			})
		}
	}
}

func TestPortableKernel(t *testing.T) { checkKernel(t, Portable) }
func TestDefaultKernel(t *testing.T)  { checkKernel(t, Default()) }

func TestExpTanhSigmoidAccuracy(t *testing.T) {
	worst := 0.0
	for x := -87.0; x <= 88; x += 0.01237 {
		got := float64(exp32(float32(x)))
		want := math.Exp(float64(float32(x)))
		if rel := math.Abs(got-want) / want; rel > worst {
			worst = rel
		}
	}
	if worst > 4e-7 { // 2^-24 ≈ 6e-8 per ulp: within ~4 ulp
		t.Errorf("exp32 worst relative error %.3g", worst)
	}
	for x := -20.0; x <= 20; x += 0.0031 {
		xf := float32(x)
		if d := math.Abs(float64(tanh32(xf)) - math.Tanh(float64(xf))); d > 3e-7 {
			t.Fatalf("tanh32(%v) off by %g", xf, d)
		}
		if d := math.Abs(float64(sigmoid32(xf)) - 1/(1+math.Exp(-float64(xf)))); d > 3e-7 {
			t.Fatalf("sigmoid32(%v) off by %g", xf, d)
		}
	}
	if sigmoid32(-1000) != 0 && sigmoid32(-1000) > 1e-37 || sigmoid32(1000) != 1 {
		t.Errorf("sigmoid saturation: %v %v", sigmoid32(-1000), sigmoid32(1000))
	}
}
