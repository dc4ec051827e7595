package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkWasmKernels measures the wasm kernels (portable and, when the
// host provides it, simd128) on the thesis LSTM's products (a step's
// recurrence forward and backward, the input gradient over a batch's rows,
// the weight gradients); run it under
// wasm: GOOS=js GOARCH=wasm go test -exec=$PWD/scripts/go_js_wasm_exec -bench WasmKernels.
func BenchmarkWasmKernels(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	kernels := []Kernels{Portable}
	if k := Default(); k.Name != Portable.Name {
		kernels = append(kernels, k)
	}
	for _, s := range []struct {
		tA, tB  bool
		m, n, k int
	}{{false, false, 64, 512, 128}, {false, true, 64, 128, 512}, {false, true, 1024, 128, 512}, {true, false, 128, 512, 640}} {
		a, bb, c := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n), make([]float32, s.m*s.n)
		for _, kern := range kernels {
			b.Run(fmt.Sprintf("%s/tA=%v/tB=%v/%dx%dx%d", kern.Name, s.tA, s.tB, s.m, s.n, s.k), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					kern.Gemm(s.tA, s.tB, s.m, s.n, s.k, a, bb, c)
				}
				b.ReportMetric(float64(2*s.m*s.n*s.k*b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkGateMath measures the forward gate math (this build's Default's,
// and the int8 runtime's) at the fast preset's hidden
// size on a chunk of 32 rows; under wasm:
// GOOS=js GOARCH=wasm go test -exec=$PWD/scripts/go_js_wasm_exec -run XXX -bench GateMath.
func BenchmarkGateMath(b *testing.B) {
	const n, H = 32, 128
	rng := rand.New(rand.NewPCG(1, 2))
	a0, cprev := randSlice(rng, n*4*H), randSlice(rng, n*H)
	a, c, tc, h := make([]float32, n*4*H), make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
	k := Default()
	for _, kc := range []struct {
		name  string
		cells func(a, cprev, cOut, tcOut, hOut []float32, n, H int)
	}{{"go", lstmCells}, {k.Name, k.CellsOrGo()}, {k.Name + "-int8", k.QCellsOrGo()}} {
		b.Run(kc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				copy(a, a0)
				kc.cells(a, cprev, c, tc, h, n, H)
			}
			b.ReportMetric(float64(b.N*n*H)/b.Elapsed().Seconds()/1e6, "Mcells/s")
		})
	}
}
