//go:build amd64

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// cellKernels are the Fast variants this CPU runs (AVX-512 and AVX2 on an
// AVX-512 machine), so both assembly paths are tested here.
func cellKernels(t *testing.T) []Kernels {
	ks := FastCandidates()
	if len(ks) == 0 {
		t.Skip("CPU has neither AVX-512 nor AVX2+FMA")
	}
	for _, k := range ks {
		if k.Cells == nil || k.CellsBackward == nil {
			t.Fatalf("%s: Cells or CellsBackward is nil", k.Name)
		}
	}
	return ks
}

// Shapes: the LSTM's (H = 32, 64, 128), one row, and H that is not a multiple
// of 16 or 8 (the Go loops then run, and must still be called correctly).
var cellShapes = [][2]int{{1, 16}, {1, 8}, {3, 32}, {64, 128}, {17, 64}, {2, 24}, {4, 20}, {1, 4}, {5, 48}}

// closeTo is the tolerance against the Go loops: the assembly fuses
// multiply-adds and rounds exp's ties to even, so values in [-1, 1] differ by
// a few float32 ulps (the worst seen is ~1.2e-7); 4e-7 absolute plus 1e-6
// relative catches any wrong formula or lane.
func closeTo(got, want float32) bool {
	d := math.Abs(float64(got) - float64(want))
	return d <= 4e-7+1e-6*math.Abs(float64(want))
}

func TestCellsMatchGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, k := range cellKernels(t) {
		for _, s := range cellShapes {
			for _, first := range []bool{true, false} {
				n, H := s[0], s[1]
				t.Run(fmt.Sprintf("%s/n=%d/H=%d/first=%v", k.Name, n, H, first), func(t *testing.T) {
					a := randSlice(rng, n*4*H)
					for i := range a {
						a[i] *= 4 // past the linear region of every gate
					}
					var cprev []float32
					if !first {
						cprev = randSlice(rng, n*H)
					}
					wa := append([]float32(nil), a...)
					wc, wt, wh := make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
					lstmCells(wa, cprev, wc, wt, wh, n, H)
					gc, gt, gh := make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
					k.Cells(a, cprev, gc, gt, gh, n, H)
					worst := 0.0
					for _, p := range []struct {
						name      string
						got, want []float32
					}{{"activations", a, wa}, {"c", gc, wc}, {"tanh(c)", gt, wt}, {"h", gh, wh}} {
						for i := range p.want {
							if !closeTo(p.got[i], p.want[i]) {
								t.Fatalf("%s[%d]: got %v, Go loops %v", p.name, i, p.got[i], p.want[i])
							}
							worst = math.Max(worst, math.Abs(float64(p.got[i]-p.want[i])))
						}
					}
					t.Logf("max |asm - Go| = %.2e", worst)
				})
			}
		}
	}
}

// The activations against float64 math on [-20, 20] (and beyond, where they
// saturate), within 2e-7 absolute. The gates i, f, o are sigmoids and g is a
// tanh, so one call checks both on a grid through a; the cell's tanh(c) is
// checked against math.Tanh of the c the kernel returned.
func TestCellsAccuracy(t *testing.T) {
	const H = 64
	var xs []float32
	for x := -20.0; x <= 20; x += 1.0 / 512 {
		xs = append(xs, float32(x))
	}
	xs = append(xs, 0, float32(math.Copysign(0, -1)), 1e-5, -1e-5, 1.0/4096, -1.0/4096, 2.4e-4, -2.5e-4,
		50, -50, 87, -87, 88, -88, 100, -100, 1e6, -1e6)
	n := (len(xs) + H - 1) / H
	for _, k := range cellKernels(t) {
		a := make([]float32, n*4*H)
		cprev := make([]float32, n*H)
		for r := 0; r < n; r++ {
			for j := 0; j < H; j++ {
				x := xs[(r*H+j)%len(xs)]
				for q := 0; q < 4; q++ {
					a[r*4*H+q*H+j] = x
				}
				cprev[r*H+j] = 3 * x // c = f·cprev + i·g spans [-60, 60]
			}
		}
		c, tc, h := make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
		k.Cells(a, cprev, c, tc, h, n, H)
		worstS, worstT := 0.0, 0.0
		for r := 0; r < n; r++ {
			for j := 0; j < H; j++ {
				x := float64(xs[(r*H+j)%len(xs)])
				sig := 1 / (1 + math.Exp(-x))
				for _, q := range []int{0, 1, 3} {
					got := float64(a[r*4*H+q*H+j])
					d := math.Abs(got - sig)
					if d > 2e-7 {
						t.Errorf("%s: sigmoid(%v) = %v, want %v (|diff| %.2e)", k.Name, x, got, sig, d)
					}
					worstS = math.Max(worstS, d)
				}
				got := float64(a[r*4*H+2*H+j])
				d := math.Abs(got - math.Tanh(x))
				if x != 0 && math.Abs(x) < 1.0/4096 && got != x {
					t.Errorf("%s: tanh(%v) = %v, want x itself below 2^-12", k.Name, x, got)
				}
				cv := float64(c[r*H+j])
				dc := math.Abs(float64(tc[r*H+j]) - math.Tanh(cv))
				if d > 2e-7 || dc > 2e-7 {
					t.Errorf("%s: tanh(%v) = %v (|diff| %.2e); tanh(c=%v) = %v (|diff| %.2e)",
						k.Name, x, got, d, cv, tc[r*H+j], dc)
				}
				if h[r*H+j] != a[r*4*H+3*H+j]*tc[r*H+j] {
					t.Errorf("%s: h = %v, want o·tanh(c) = %v", k.Name, h[r*H+j], a[r*4*H+3*H+j]*tc[r*H+j])
				}
				worstT = math.Max(worstT, math.Max(d, dc))
			}
		}
		for p, x := range xs {
			if x == 0 && math.Signbit(float64(x)) {
				if g := a[p/H*4*H+2*H+p%H]; g != 0 || !math.Signbit(float64(g)) {
					t.Errorf("%s: tanh(-0) = %v, want -0", k.Name, g)
				}
			}
		}
		t.Logf("%s: max |error| sigmoid %.2e, tanh %.2e over %d points", k.Name, worstS, worstT, len(xs))
	}
}

func TestCellsBackwardMatchGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, k := range cellKernels(t) {
		for _, s := range cellShapes {
			for _, first := range []bool{true, false} {
				n, H := s[0], s[1]
				t.Run(fmt.Sprintf("%s/n=%d/H=%d/first=%v", k.Name, n, H, first), func(t *testing.T) {
					// a holds activations: sigmoids in (0,1), g in (-1,1).
					a := make([]float32, n*4*H)
					for r := 0; r < n; r++ {
						for q := 0; q < 4; q++ {
							for j := 0; j < H; j++ {
								v := rng.Float32()
								if q == 2 {
									v = 2*v - 1
								}
								a[r*4*H+q*H+j] = v
							}
						}
					}
					tc := make([]float32, n*H)
					for i := range tc {
						tc[i] = 2*rng.Float32() - 1
					}
					var cprev []float32
					if !first {
						cprev = randSlice(rng, n*H)
					}
					dh, dc := randSlice(rng, n*H), randSlice(rng, n*H)
					wdc := append([]float32(nil), dc...)
					wdz := make([]float32, n*4*H)
					lstmCellsBackward(a, cprev, tc, dh, wdc, wdz, n, H)
					dz := randSlice(rng, n*4*H) // overwritten, not accumulated
					k.CellsBackward(a, cprev, tc, dh, dc, dz, n, H)
					for i := range wdz {
						if !closeTo(dz[i], wdz[i]) {
							t.Fatalf("dz[%d] (gate %d): got %v, Go loops %v", i, i/H%4, dz[i], wdz[i])
						}
					}
					for i := range wdc {
						if !closeTo(dc[i], wdc[i]) {
							t.Fatalf("dc[%d]: got %v, Go loops %v", i, dc[i], wdc[i])
						}
					}
				})
			}
		}
	}
}

func TestDefaultKernelsHaveCells(t *testing.T) {
	if !HasFast() {
		t.Skip("no Fast kernel on this CPU")
	}
	if k := Default(); k.Cells == nil || k.CellsBackward == nil {
		t.Errorf("Default() = %s without assembly gate math", k.Name)
	}
}

func BenchmarkCells(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	const n, H = 64, 128
	a0, cprev := randSlice(rng, n*4*H), randSlice(rng, n*H)
	a := make([]float32, len(a0))
	c, tc, h := make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
	dh, dc0, dz := randSlice(rng, n*H), randSlice(rng, n*H), make([]float32, n*4*H)
	dc := make([]float32, n*H)
	ks := append([]Kernels{Portable}, FastCandidates()...)
	for _, k := range ks {
		b.Run(k.Name+"/forward", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				copy(a, a0)
				k.CellsOrGo()(a, cprev, c, tc, h, n, H)
			}
			b.ReportMetric(float64(n*H*b.N)/b.Elapsed().Seconds()/1e6, "Mcells/s")
		})
		b.Run(k.Name+"/backward", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				copy(dc, dc0) // each call scales dc by f: left alone, it decays into denormals
				k.CellsBackwardOrGo()(a, cprev, tc, dh, dc, dz, n, H)
			}
			b.ReportMetric(float64(n*H*b.N)/b.Elapsed().Seconds()/1e6, "Mcells/s")
		})
	}
}
