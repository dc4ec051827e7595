package compress

import (
	"math"
	"math/rand/v2"
	"testing"

	"sentilab/core/kernels"
	"sentilab/core/nn"
)

// The relaxed SIMD recurrence (Kernels.QSteps7, in browsers with relaxed
// SIMD) gives the Go loops' quantized bytes, scales, cells and states bit for
// bit, on hidden states the cells never make: a zero row, ties at ±½ steps,
// values far above 1, and the largest products (−128 weights against ±63).
func TestQSteps7EqualsGo(t *testing.T) {
	k := kernels.Default()
	if k.QSteps7 == nil {
		t.Skip("no relaxed SIMD in this build")
	}
	r := rand.New(rand.NewPCG(31, 32))
	for _, H := range []int{16, 32, 128} {
		for _, n := range []int{1, 3, 6} {
			G := nn.Gates * H
			q := randomQ(r, H*G)
			for i := 0; i < len(q); i += 7 {
				q[i] = -128
			}
			m := NewQMatrix(q, randomMatrix(r, G, 0.01), H, G)
			h := randomMatrix(r, n*H, 1)
			if n > 1 {
				clear(h[H : 2*H]) // a zero row
				h[2] = 63         // 63 then ties: 0.5 is exactly half a step
				h[3], h[4], h[5] = 0.5, -0.5, 1.5
			}
			h[0] = -40
			c := randomMatrix(r, n*H, 1)
			proj := randomMatrix(r, 2*n*G, 1)
			ns := []int32{int32(n), int32(n)} // two steps of n rows, after step 0
			// Go: quantizeLevels, the exact product, qgemm's store, the cells.
			wh, wc, wproj := append([]float32(nil), h...), append([]float32(nil), c...), append([]float32(nil), proj...)
			wtc, x, xs := make([]float32, n*H), make([]int8, n*H), make([]float32, n)
			var wantHB []int8
			for step := 0; step < 2; step++ {
				quantizeLevels(wh, n, H, x, xs, act7Levels)
				if step == 0 {
					for _, v := range x {
						wantHB = append(wantHB, v+64)
					}
				}
				x64 := make([]int64, len(x))
				for i, v := range x {
					x64[i] = int64(v)
				}
				g := wproj[step*n*G : (step+1)*n*G]
				qgemmRef(n, x64, xs, m, g)
				kernels.Portable.QCellsOrGo()(g, wc, wc, wtc, wh, n, H)
			}
			words, corr := m.quads7()
			hb, hs, tc := make([]int8, n*H), make([]float32, n), make([]float32, n*H)
			k.QSteps7(proj, h, hb, hs, words, corr, m.Scale, c, tc, ns[:1], 1, H, 1)
			for i := range hb {
				if hb[i] != wantHB[i] {
					t.Fatalf("H=%d n=%d: byte %d of the first step = %d, Go %d (h %v)", H, n, i, hb[i], wantHB[i], h[i])
				}
			}
			k.QSteps7(proj[n*G:], h, hb, hs, words, corr, m.Scale, c, tc, ns[1:], 1, H, 1)
			for _, cmp := range []struct {
				name      string
				got, want []float32
			}{{"gates", proj, wproj}, {"h", h, wh}, {"c", c, wc}, {"tanh(c)", tc, wtc}, {"scales", hs, xs}} {
				for i := range cmp.got {
					if math.Float32bits(cmp.got[i]) != math.Float32bits(cmp.want[i]) {
						t.Fatalf("H=%d n=%d: %s[%d] = %v, Go %v", H, n, cmp.name, i, cmp.got[i], cmp.want[i])
					}
				}
			}
		}
	}
}
