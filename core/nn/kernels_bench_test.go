package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkPortable measures the wasm kernel on the thesis LSTM's products
// (run it under wasm: GOOS=js GOARCH=wasm go test -exec=... -bench Portable).
func BenchmarkPortable(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range []struct {
		tA, tB  bool
		m, n, k int
	}{{false, false, 64, 512, 128}, {false, true, 64, 128, 512}, {true, false, 128, 512, 640}} {
		a, bb, c := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n), make([]float32, s.m*s.n)
		b.Run(fmt.Sprintf("tA=%v/tB=%v/%dx%dx%d", s.tA, s.tB, s.m, s.n, s.k), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				Portable.Gemm(s.tA, s.tB, s.m, s.n, s.k, a, bb, c)
			}
			b.ReportMetric(float64(2*s.m*s.n*s.k*b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
