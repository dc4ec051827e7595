//go:build js && wasm

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// TestSIMD128MatchesPortable: the SIMD kernel must give Portable's bits, for
// every transpose case and for shapes that exercise each edge path (rows
// m%4, columns n%8 and n%4, depths k%4).
func TestSIMD128MatchesPortable(t *testing.T) {
	k := requireSIMD(t)
	rng := rand.New(rand.NewPCG(3, 4))
	dims := []int{1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 17}
	cases := 0
	for _, m := range dims {
		for _, n := range dims {
			for _, kk := range []int{1, 3, 4, 6, 9} {
				for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}} {
					compareKernels(t, k, rng, tr[0], tr[1], m, n, kk)
					cases++
				}
			}
		}
	}
	// (m ≥ 16 with n a multiple of 8: b packed in panels first, dotp on
	// the rows in fours and streamp on the rest; transposed a, dotp on
	// each run of tnBlock rows of b, three runs at k = 600.)
	for _, s := range [][3]int{{1, 512, 128}, {64, 512, 128}, {37, 512, 128}, {64, 128, 512}, {128, 512, 61}, {16, 24, 5}, {21, 40, 3}, {19, 16, 131}, {16, 16, 600}} {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}} {
			compareKernels(t, k, rng, tr[0], tr[1], s[0], s[1], s[2])
		}
	}
	// GemmBT: the same a·bᵀ from b already transposed.
	for _, s := range [][3]int{{1, 128, 512}, {37, 128, 512}, {5, 7, 9}} {
		m, n, kk := s[0], s[1], s[2]
		a, b := randSlice(rng, m*kk), randSlice(rng, n*kk)
		bT := make([]float32, kk*n)
		for j := 0; j < n; j++ {
			for p := 0; p < kk; p++ {
				bT[p*n+j] = b[j*kk+p]
			}
		}
		c0 := randSlice(rng, m*n)
		c1 := append([]float32(nil), c0...)
		Portable.Gemm(false, true, m, n, kk, a, b, c0)
		k.GemmBT(m, n, kk, a, bT, c1)
		for i := range c0 {
			if math.Float32bits(c0[i]) != math.Float32bits(c1[i]) {
				t.Fatalf("GemmBT %dx%dx%d: c[%d] = %v, portable %v", m, n, kk, i, c1[i], c0[i])
			}
		}
	}
	// GemmPacked: the same a·b from b laid out by Pack, at every row count
	// (rows in fours on dotp, the rest on streamp, with no packRows bound).
	for _, s := range [][3]int{{1, 512, 128}, {3, 512, 128}, {4, 512, 128}, {7, 512, 128}, {36, 512, 128}, {5, 16, 9}, {2, 8, 1}} {
		m, n, kk := s[0], s[1], s[2]
		a, b := randSlice(rng, m*kk), randSlice(rng, kk*n)
		c0 := randSlice(rng, m*n)
		c1 := append([]float32(nil), c0...)
		Portable.Gemm(false, false, m, n, kk, a, b, c0)
		k.GemmPacked(m, n, kk, a, k.Pack(b, kk, n), c1)
		for i := range c0 {
			if math.Float32bits(c0[i]) != math.Float32bits(c1[i]) {
				t.Fatalf("GemmPacked %dx%dx%d: c[%d] = %v, portable %v", m, n, kk, i, c1[i], c0[i])
			}
		}
	}
	// GemmTNPair: two aᵀ·b on one b, its runs packed once for both (k =
	// 600: three runs; a pair with an operand under packRows rows: dot).
	for _, s := range [][4]int{{128, 128, 512, 600}, {16, 20, 8, 300}, {17, 3, 16, 40}, {5, 7, 9, 11}} {
		m1, m2, n, kk := s[0], s[1], s[2], s[3]
		a1, a2, b := randSlice(rng, kk*m1), randSlice(rng, kk*m2), randSlice(rng, kk*n)
		want1, want2 := randSlice(rng, m1*n), randSlice(rng, m2*n)
		c1, c2 := append([]float32(nil), want1...), append([]float32(nil), want2...)
		Portable.Gemm(true, false, m1, n, kk, a1, b, want1)
		Portable.Gemm(true, false, m2, n, kk, a2, b, want2)
		k.GemmTNPair(m1, m2, n, kk, a1, a2, b, c1, c2)
		for i := range want1 {
			if math.Float32bits(c1[i]) != math.Float32bits(want1[i]) {
				t.Fatalf("GemmTNPair %v: c1[%d] = %v, portable %v", s, i, c1[i], want1[i])
			}
		}
		for i := range want2 {
			if math.Float32bits(c2[i]) != math.Float32bits(want2[i]) {
				t.Fatalf("GemmTNPair %v: c2[%d] = %v, portable %v", s, i, c2[i], want2[i])
			}
		}
	}
	t.Logf("%d shapes bit-identical", cases)
}

func compareKernels(t *testing.T, k Kernels, rng *rand.Rand, tA, tB bool, m, n, kk int) {
	t.Helper()
	a, b := randSlice(rng, m*kk), randSlice(rng, kk*n)
	a[0] = 0 // a zero, as pruning makes
	c0 := randSlice(rng, m*n)
	c1 := append([]float32(nil), c0...)
	Portable.Gemm(tA, tB, m, n, kk, a, b, c0)
	k.Gemm(tA, tB, m, n, kk, a, b, c1)
	for i := range c0 {
		if math.Float32bits(c0[i]) != math.Float32bits(c1[i]) {
			t.Fatalf("%s", fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d: c[%d] = %v, portable %v", tA, tB, m, n, kk, i, c1[i], c0[i]))
		}
	}
}

// TestSIMD128CellsMatchGo: the SIMD gate math gives lstmCells' and
// lstmCellsBackward's bits, and the int8 runtime's lstmCellsQ's, with and
// without a previous state, on inputs that reach every branch of exp32 and
// tanh32 (clamps at −87 and 88, the 2^-12 cutoff, signed zeros) and
// tanhR's clamps (±7.9, ±15.8 for sigmoidR).
func TestSIMD128CellsMatchGo(t *testing.T) {
	k := requireSIMD(t)
	rng := rand.New(rand.NewPCG(5, 6))
	special := []float32{0, float32(math.Copysign(0, -1)), 88, 89, -87, -88, 1.0 / 4096, -1.0 / 4096, 1.0 / 8192, 200, -200, 1e-30,
		tanhClamp, -tanhClamp, 7.9054, -7.9054, 2 * tanhClamp, -2 * tanhClamp}
	input := gateInputs(rng, special)
	same := func(what string, x, y []float32) {
		t.Helper()
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				t.Fatalf("%s[%d] = %v, Go %v", what, i, y[i], x[i])
			}
		}
	}
	// forward runs goLoop and got on the same random gates and returns the
	// Go loop's activations and tanh(c) (the backward pass's inputs).
	forward := func(name string, goLoop, got func(a, cprev, cOut, tcOut, hOut []float32, n, H int), cprev []float32, n, H int) ([]float32, []float32) {
		t.Helper()
		a0 := input(n * 4 * H)
		a1 := append([]float32(nil), a0...)
		c0, tc0, h0 := make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
		c1, tc1, h1 := make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
		goLoop(a0, cprev, c0, tc0, h0, n, H)
		got(a1, cprev, c1, tc1, h1, n, H)
		same(name+"gates", a0, a1)
		same(name+"c", c0, c1)
		same(name+"tanh(c)", tc0, tc1)
		same(name+"h", h0, h1)
		return a0, tc0
	}
	for _, H := range []int{4, 8, 20, 32, 48, 128} { // 20: not a multiple of 16 (simd128_cells.go)
		for _, n := range []int{1, 3, 64} {
			for _, withPrev := range []bool{false, true} {
				var cprev []float32
				if withPrev {
					cprev = input(n * H)
				}
				a0, tc0 := forward("", lstmCells, k.Cells, cprev, n, H)
				forward("int8 ", lstmCellsQ, k.QCells, cprev, n, H)

				dh, dcIn := input(n*H), input(n*H)
				dc0, dc1 := append([]float32(nil), dcIn...), append([]float32(nil), dcIn...)
				dz0, dz1 := make([]float32, n*4*H), make([]float32, n*4*H)
				lstmCellsBackward(a0, cprev, tc0, dh, dc0, dz0, n, H)
				k.CellsBackward(a0, cprev, tc0, dh, dc1, dz1, n, H)
				same("dz", dz0, dz1)
				same("dc", dc0, dc1)
			}
		}
	}
}

func requireSIMD(t *testing.T) Kernels {
	t.Helper()
	k, ok := SIMD128()
	if !ok {
		if os.Getenv("SENTILAB_REQUIRE_SIMD") == "1" {
			t.Fatal("SIMD128 kernel unavailable (run with scripts/go_js_wasm_exec)")
		}
		t.Skip("SIMD128 kernel unavailable: run with -exec=$PWD/scripts/go_js_wasm_exec")
	}
	return k
}

// TestSIMD128CellsDense: the SIMD gate math, the float model's and the int8
// runtime's, on a dense grid of [-90, 90] (steps of 2^-10: every tie of
// exp32's n = round(x·log2e), every clamp, the 2^-12 cutoff of tanh), bit
// for bit against the Go loops; the exp's rounding and clamps are written
// differently from the Go code (core/kernels/simd128/simd128_cells.go), so
// every lane value counts.
func TestSIMD128CellsDense(t *testing.T) {
	k := requireSIMD(t)
	const H = 128
	a0, cprev, n := denseGateGrid(H)
	type cellsFn = func(a, cprev, cOut, tcOut, hOut []float32, n, H int)
	for _, kc := range []struct {
		name        string
		goLoop, got cellsFn
	}{{"float", lstmCells, k.Cells}, {"int8", lstmCellsQ, k.QCells}} {
		g0, g1 := append([]float32(nil), a0...), append([]float32(nil), a0...)
		c0, tc0, h0 := make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
		c1, tc1, h1 := make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
		kc.goLoop(g0, cprev, c0, tc0, h0, n, H)
		kc.got(g1, cprev, c1, tc1, h1, n, H)
		for _, v := range []struct {
			what      string
			want, got []float32
		}{{"gates", g0, g1}, {"c", c0, c1}, {"tanh(c)", tc0, tc1}, {"h", h0, h1}} {
			for i := range v.want {
				if math.Float32bits(v.want[i]) != math.Float32bits(v.got[i]) {
					t.Fatalf("%s %s[%d] = %v (%#08x), Go loop %v (%#08x)", kc.name, v.what, i, v.got[i], math.Float32bits(v.got[i]), v.want[i], math.Float32bits(v.want[i]))
				}
			}
		}
	}
}
