//go:build js && wasm

package nn

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
	k, ok := SIMD128()
	if !ok {
		if os.Getenv("SENTILAB_REQUIRE_SIMD") == "1" {
			t.Fatal("SIMD128 kernel unavailable (run with scripts/go_js_wasm_exec)")
		}
		t.Skip("SIMD128 kernel unavailable: run with -exec=scripts/go_js_wasm_exec")
	}
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
	for _, s := range [][3]int{{1, 512, 128}, {64, 512, 128}, {37, 512, 128}, {64, 128, 512}, {128, 512, 61}} {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}} {
			compareKernels(t, k, rng, tr[0], tr[1], s[0], s[1], s[2])
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
