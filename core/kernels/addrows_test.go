package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
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

// TestAddRowsAt: AddRowsAt gives the bits of adding each row onto its
// index's row in turn, with repeated indices (a token twice in a batch),
// rows a multiple of 4 long or not, under and over the size worth a call
// into the SIMD module (wasm); and refuses an index outside dst before
// adding anything.
func TestAddRowsAt(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	for _, s := range [][3]int{{0, 128, 5}, {1, 128, 5}, {300, 128, 7}, {37, 6, 3}, {400, 4, 50}, {2000, 12, 9}} {
		rows, n, vocab := s[0], s[1], s[2]
		idx := make([]int32, rows)
		for r := range idx {
			idx[r] = int32(rng.IntN(vocab))
		}
		src, dst := randSlice(rng, rows*n+3), randSlice(rng, vocab*n)
		want := append([]float32(nil), dst...)
		for r, tok := range idx {
			for j := 0; j < n; j++ {
				want[int(tok)*n+j] += src[r*n+j]
			}
		}
		AddRowsAt(dst, n, idx, src)
		for j := range want {
			if math.Float32bits(dst[j]) != math.Float32bits(want[j]) {
				t.Fatalf("%d rows of %d onto %d: dst[%d] = %v, row by row %v", rows, n, vocab, j, dst[j], want[j])
			}
		}
	}
	dst := make([]float32, 4*128)
	idx := make([]int32, 40)
	idx[39] = 4
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "idx[39] = 4") {
				t.Errorf("an index past dst's 4 rows: recovered %v, want a panic naming idx[39]", r)
			}
		}()
		AddRowsAt(dst, 128, idx, randSlice(rng, 40*128))
	}()
	for j, v := range dst {
		if v != 0 {
			t.Fatalf("dst[%d] = %v after a refused AddRowsAt, want it untouched", j, v)
		}
	}
}
