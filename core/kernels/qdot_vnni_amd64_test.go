//go:build amd64

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// qdot8Ref is QDot8's contract written out in Go.
func qdot8Ref(x []int8, q [][]int8, xs, scale, out []float32, n, K int) {
	N := len(scale)
	for r := 0; r < n; r++ {
		for j := 0; j < N; j++ {
			var s int32
			for k := 0; k < K; k++ {
				s += int32(x[r*K+k]) * int32(q[k][j])
			}
			out[r*N+j] += float32(xs[r]*scale[j]) * float32(s)
		}
	}
}

// TestQDot8MatchesGo: the VNNI product equals the Go loop bit for bit, for
// row counts around the 4-row blocks, K not a multiple of 4 (zero padding),
// several column groups, the extreme int8 values (−128 included, which a
// model file may hold) and sums near the int32 limit.
func TestQDot8MatchesGo(t *testing.T) {
	if (Default().QDot8 != nil) != hasQDot8() {
		t.Fatalf("Default().QDot8 set: %v, VNNI: %v", Default().QDot8 != nil, hasQDot8())
	}
	if !hasQDot8() {
		t.Skip("CPU without AVX-512 VNNI")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for _, sh := range [][3]int{{1, 4, 16}, {4, 128, 512}, {5, 7, 32}, {9, 130, 48}, {3, 1, 16}, {8, 64, 16}, {2, 65536, 16}} {
		n, K, N := sh[0], sh[1], sh[2]
		t.Run(fmt.Sprintf("n=%d/K=%d/N=%d", n, K, N), func(t *testing.T) {
			K4, N16 := (K+3)/4, N/16
			x := make([]int8, n*K)
			xp := make([]int8, n*K4*4) // rows padded to 4·K4
			q := make([][]int8, K)
			extreme := K == 65536
			for k := range q {
				q[k] = make([]int8, N)
				for j := range q[k] {
					q[k][j] = int8(rng.IntN(256) - 128)
					if extreme {
						q[k][j] = -128
					}
				}
			}
			corr := make([]int32, n)
			for r := 0; r < n; r++ {
				var s int32
				for k := 0; k < K; k++ {
					v := int8(rng.IntN(256) - 128)
					if extreme {
						v = 127 // Σ = 65536·127·−128 = −2^31 + ...: the edge of int32
					}
					x[r*K+k], xp[r*K4*4+k] = v, v
					s += int32(v)
				}
				corr[r] = -128 * s
			}
			w := make([]int32, N16*K4*16)
			for c := 0; c < N16; c++ {
				for k := 0; k < K4; k++ {
					for l := 0; l < 16; l++ {
						var word uint32
						for b := 0; b < 4; b++ {
							v := 0
							if 4*k+b < K {
								v = int(q[4*k+b][16*c+l])
							}
							word |= uint32(uint8(v+128)) << (8 * b)
						}
						w[(c*K4+k)*16+l] = int32(word)
					}
				}
			}
			xs := make([]float32, n)
			for i := range xs {
				xs[i] = float32(rng.NormFloat64() * 0.01)
			}
			scale := make([]float32, N)
			for i := range scale {
				scale[i] = float32(rng.NormFloat64() * 0.01)
			}
			got, want := make([]float32, n*N), make([]float32, n*N)
			for i := range got {
				got[i] = float32(rng.NormFloat64())
				want[i] = got[i]
			}
			qdot8Ref(x, q, xs, scale, want, n, K)
			qdot8(xp, w, corr, xs, scale, got, n, K4, N16)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("out[%d] = %v, Go %v", i, got[i], want[i])
				}
			}
		})
	}
}
