package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAddRows: AddRows gives the bits of adding each row in turn, for row
// lengths a multiple of 4 or not, sums under and over the size worth a call
// into the SIMD module (wasm), and no rows.
func TestAddRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, s := range [][2]int{{0, 512}, {1, 512}, {3, 4}, {300, 512}, {37, 128}, {5, 6}, {400, 6}} {
		rows, n := s[0], s[1]
		src, dst := randSlice(rng, rows*n+3), randSlice(rng, n)
		want := append([]float32(nil), dst...)
		for r := 0; r < rows; r++ {
			for j := range want {
				want[j] += src[r*n+j]
			}
		}
		AddRows(dst, src, rows)
		for j := range want {
			if math.Float32bits(dst[j]) != math.Float32bits(want[j]) {
				t.Fatalf("%d rows of %d: dst[%d] = %v, row by row %v", rows, n, j, dst[j], want[j])
			}
		}
	}
}
