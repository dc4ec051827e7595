//go:build amd64

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestQCellsMatchGo: the int8 gate math's kernels give lstmCellsQ's bits,
// with and without a previous state, on inputs that reach both of tanhR's
// clamps (±7.9, and ±15.8 for sigmoidR), signed zeros, denormals,
// infinities and NaNs. H that is not a multiple of the lanes takes the Go
// loop and must still be called correctly.
func TestQCellsMatchGo(t *testing.T) {
	ks := qCellsCandidates()
	if len(ks) == 0 {
		t.Skip("CPU has neither AVX-512 nor AVX2")
	}
	ks = append(ks, qCellsNative) // which picks one by H
	rng := rand.New(rand.NewPCG(9, 10))
	nan := math.Float32frombits(0x7fc00001)
	special := []float32{0, float32(math.Copysign(0, -1)), tanhClamp, -tanhClamp, 7.9054, -7.9054,
		2 * tanhClamp, -2 * tanhClamp, 15.9, -15.9, 1.0 / 4096, -1.0 / 4096, 1.0 / 8192, 2.4e-4, -2.5e-4, 200, -200, 1e-30, 1e-40, -1e-40,
		float32(math.Inf(1)), float32(math.Inf(-1)), nan, -nan, float32(math.NaN())}
	input := gateInputs(rng, special)
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
						lstmCellsQ(a0, cprev, c0, tc0, h0, n, H)
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

// TestQCellsDense: every gate's activation on a dense grid of [-90, 90]
// (steps of 2^-10, across every clamp), bit for bit.
func TestQCellsDense(t *testing.T) {
	const H = 128
	a0, cprev, n := denseGateGrid(H)
	for ki, k := range qCellsCandidates() {
		a1 := append([]float32(nil), a0...)
		a2 := append([]float32(nil), a0...)
		c0, tc0, h0 := make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
		c1, tc1, h1 := make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
		lstmCellsQ(a1, cprev, c0, tc0, h0, n, H)
		k(a2, cprev, c1, tc1, h1, n, H)
		t.Run(fmt.Sprint("kernel", ki), func(t *testing.T) {
			sameBits(t, "gates", a1, a2)
			sameBits(t, "c", c0, c1)
			sameBits(t, "tanh(c)", tc0, tc1)
			sameBits(t, "h", h0, h1)
		})
	}
}

// sameBits: the same bits, except that any NaN matches any NaN. Which of
// two NaN operands a product or sum carries is the compiler's choice of
// operand order (Go may swap a commutative operation's, wasm engines do as
// they like), and no real input reaches one: the weights are finite.
func sameBits(t *testing.T, what string, want, got []float32) {
	t.Helper()
	for i := range want {
		if math.IsNaN(float64(want[i])) && math.IsNaN(float64(got[i])) {
			continue
		}
		if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
			t.Fatalf("%s[%d] = %v (%#08x), Go loop %v (%#08x)", what, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

func TestQCellsIsNative(t *testing.T) {
	if len(qCellsCandidates()) == 0 {
		t.Skip("CPU has neither AVX-512 nor AVX2")
	}
	if qCellsNative == nil {
		t.Fatal("qCellsNative is nil on a CPU with AVX2")
	}
}

func BenchmarkQCells(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	const n, H = 64, 128
	a0, cprev := randSlice(rng, n*4*H), randSlice(rng, n*H)
	a := make([]float32, len(a0))
	c, tc, h := make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
	ks := append([]func(a, cprev, cOut, tcOut, hOut []float32, n, H int){lstmCellsQ}, qCellsCandidates()...)
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
