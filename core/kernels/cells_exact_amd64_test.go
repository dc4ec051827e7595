//go:build amd64

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestExactCellsMatchGo: the exact kernels give lstmCells' bits, with and
// without a previous state, on inputs that reach every branch of exp32 and
// tanh32: the clamps at −87 and 88, n's rounding at ties (x·log2e = k+½),
// the 2^-12 cutoff, signed zeros, denormals, infinities and NaNs (whose
// bits must match too). H that is not a multiple of the lanes takes the Go
// loop and must still be called correctly.
func TestExactCellsMatchGo(t *testing.T) {
	ks := exactCellsCandidates()
	if len(ks) == 0 {
		t.Skip("CPU has neither AVX-512 nor AVX2")
	}
	ks = append(ks, exactCellsNative) // which picks one by H
	rng := rand.New(rand.NewPCG(9, 10))
	nan := math.Float32frombits(0x7fc00001)
	special := []float32{0, float32(math.Copysign(0, -1)), 88, 89, -87, -88, 87.5, -87.5,
		1.0 / 4096, -1.0 / 4096, 1.0 / 8192, 2.4e-4, -2.5e-4, 200, -200, 1e-30, 1e-40, -1e-40,
		float32(math.Inf(1)), float32(math.Inf(-1)), nan, -nan, float32(math.NaN()),
		float32(0.5 / math.Log2E), float32(-0.5 / math.Log2E), float32(1.5 / math.Log2E), float32(-2.5 / math.Log2E)}
	input := func(n int) []float32 {
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
	for ki, k := range ks {
		for _, H := range []int{8, 16, 32, 128, 24, 4} {
			for _, n := range []int{1, 3, 64} {
				for _, withPrev := range []bool{false, true} {
					t.Run(fmt.Sprintf("kernel%d/H=%d/n=%d/prev=%v", ki, H, n, withPrev), func(t *testing.T) {
						var cprev []float32
						if withPrev {
							cprev = input(n * H)
						}
						a0 := input(n * 4 * H)
						a1 := append([]float32(nil), a0...)
						c0, tc0, h0 := make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
						c1, tc1, h1 := make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
						lstmCells(a0, cprev, c0, tc0, h0, n, H)
						k(a1, cprev, c1, tc1, h1, n, H)
						sameBits(t, "gates", a0, a1)
						sameBits(t, "c", c0, c1)
						sameBits(t, "tanh(c)", tc0, tc1)
						sameBits(t, "h", h0, h1)
					})
				}
			}
		}
	}
}

// TestExactCellsDense: every gate's activation on a dense grid of [-90, 90]
// (steps of 2^-10, so every tie of exp32's n = round(x·log2e) region and
// both clamps are crossed), bit for bit.
func TestExactCellsDense(t *testing.T) {
	const H = 128
	var xs []float32
	for x := -90.0; x <= 90; x += 1.0 / 1024 {
		xs = append(xs, float32(x))
	}
	n := (len(xs) + H - 1) / H
	a0 := make([]float32, n*4*H)
	cprev := make([]float32, n*H)
	for i := range a0 {
		a0[i] = xs[i%len(xs)]
	}
	for i := range cprev {
		cprev[i] = xs[(7*i)%len(xs)]
	}
	for ki, k := range exactCellsCandidates() {
		a1 := append([]float32(nil), a0...)
		a2 := append([]float32(nil), a0...)
		c0, tc0, h0 := make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
		c1, tc1, h1 := make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
		lstmCells(a1, cprev, c0, tc0, h0, n, H)
		k(a2, cprev, c1, tc1, h1, n, H)
		t.Run(fmt.Sprint("kernel", ki), func(t *testing.T) {
			sameBits(t, "gates", a1, a2)
			sameBits(t, "c", c0, c1)
			sameBits(t, "tanh(c)", tc0, tc1)
			sameBits(t, "h", h0, h1)
		})
	}
}

func sameBits(t *testing.T, what string, want, got []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
			t.Fatalf("%s[%d] = %v (%#08x), Go loop %v (%#08x)", what, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

func TestExactCellsIsNative(t *testing.T) {
	if len(exactCellsCandidates()) == 0 {
		t.Skip("CPU has neither AVX-512 nor AVX2")
	}
	if exactCellsNative == nil {
		t.Fatal("exactCellsNative is nil on a CPU with AVX2")
	}
}

func BenchmarkExactCells(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	const n, H = 64, 128
	a0, cprev := randSlice(rng, n*4*H), randSlice(rng, n*H)
	a := make([]float32, len(a0))
	c, tc, h := make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
	ks := append([]func(a, cprev, cOut, tcOut, hOut []float32, n, H int){lstmCells}, exactCellsCandidates()...)
	for ki, k := range ks {
		b.Run(fmt.Sprint("kernel", ki), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				copy(a, a0)
				k(a, cprev, c, tc, h, n, H)
			}
			b.ReportMetric(float64(n*H*b.N)/b.Elapsed().Seconds()/1e6, "Mcells/s")
		})
	}
}
