package compress

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"sentilab/core/nn"
)

// qPaths lists the product paths and whether this build and CPU run each.
func qPaths() []struct {
	name string
	path qPath
	ok   bool
} {
	return []struct {
		name string
		path qPath
		ok   bool
	}{
		{"portable", qPortable, true},
		{"pairs", qPairs, nn.QDot(make([]int32, 1), make([]int32, 4), make([]float32, 1), make([]float32, 4), make([]float32, 4), 1, 1, 1)},
		{"vnni", qVNNI, nn.HasQDot8()},
	}
}

func withPath(t testing.TB, p qPath) {
	old := forcePath
	forcePath = p
	t.Cleanup(func() { forcePath = old })
}

// Every product path equals the plain int32 reference bit for bit: shapes
// whose N is or is not a multiple of 16 and 4 (the SIMD paths then hand
// over to the packed loop), K not a multiple of 4 or 2 (padding), row
// counts around the 4-row blocks, −128 (a file may hold it) and the
// largest sums.
func TestQMatmulPathsEqualReference(t *testing.T) {
	for _, p := range qPaths() {
		if !p.ok {
			t.Logf("%s: not on this machine", p.name)
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			withPath(t, p.path)
			r := rand.New(rand.NewPCG(13, 14))
			for _, sh := range [][3]int{{1, 16, 128}, {4, 512, 128}, {5, 32, 7}, {9, 48, 130}, {3, 16, 1}, {7, 12, 5}, {2, 8, 129}, {6, 1, 33}, {1, 64, 3}, {2, 16, maxK}} {
				n, N, K := sh[0], sh[1], sh[2]
				q := randomQ(r, K*N)
				x := randomQ(r, n*K)
				for i := 0; i < len(q); i += 17 {
					q[i] = -128
				}
				for i := 0; i < len(x); i += 13 {
					x[i] = -128
				}
				if K == maxK { // every product at 127·127: the largest sums
					for i := range x {
						x[i] = 127
					}
					for i := range q {
						q[i] = 127
					}
				}
				m := NewQMatrix(q, randomMatrix(r, N, 0.01), K, N)
				xs := randomMatrix(r, n, 0.01)
				x64 := make([]int64, len(x))
				for i, v := range x {
					x64[i] = int64(v)
				}
				got, want := randomMatrix(r, n*N, 1), make([]float32, n*N)
				copy(want, got)
				qmatmul(&qScratch{}, n, x, xs, m, got)
				qgemmRef(n, x64, xs, m, want)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("n=%d N=%d K=%d: element %d = %v, reference %v", n, N, K, i, got[i], want[i])
					}
				}
			}
		})
	}
}

// The whole int8 model gives the same logits, bit for bit, on every product
// path and with the Go loop's gate math in place of this build's exact
// kernel: what runs natively is what the portable build and the browser
// compute (their own tests pin the SIMD128 kernels to the same Go loops).
func TestQLogitsSameOnEveryPath(t *testing.T) {
	for _, c := range []nn.Config{
		tinyCfg,
		{Vocab: 300, Embed: 32, Hidden: 16, MaxLen: 24, Padding: "post", Masking: true},
		{Vocab: 300, Embed: 22, Hidden: 12, MaxLen: 24, Padding: "pre"},
		{Vocab: 300, Embed: 8, Hidden: 24, MaxLen: 30, Padding: "pre", Masking: true},
	} {
		q := Quantize(initModel(t, c, 21))
		set := randomSet(c, 37, 22)
		ref := func() []float32 {
			withPath(t, qPortable)
			old := gateMath
			gateMath = nn.GoCells()
			defer func() { gateMath = old }()
			z, err := QLogits(context.Background(), q, set, 16, 1)
			if err != nil {
				t.Fatal(err)
			}
			return z
		}()
		for _, p := range qPaths() {
			if !p.ok {
				continue
			}
			t.Run(fmt.Sprintf("E=%d/H=%d/%s", c.Embed, c.Hidden, p.name), func(t *testing.T) {
				withPath(t, p.path)
				for _, batch := range []int{1, 5, 16} {
					z, err := QLogits(context.Background(), q, set, batch, 2)
					if err != nil {
						t.Fatal(err)
					}
					for i := range z {
						if math.Float32bits(z[i]) != math.Float32bits(ref[i]) {
							t.Fatalf("batch %d, example %d: %v, portable Go %v", batch, i, z[i], ref[i])
						}
					}
				}
			})
		}
	}
}
