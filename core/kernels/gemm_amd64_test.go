//go:build amd64

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

func TestFastKernel(t *testing.T) {
	if !HasFast() {
		t.Skip("CPU lacks AVX2+FMA")
	}
	for _, k := range FastCandidates() {
		checkKernel(t, k)
	}
}

// TestFastKernelEdges covers every remainder of the 6×16 and 8×32
// blocks, reductions crossing the 256-deep pass boundary, and row counts
// crossing the 192-row block, against the float64 reference. Canaries after
// c check nothing is written past the end.
func TestFastKernelEdges(t *testing.T) {
	if !HasFast() {
		t.Skip("CPU lacks AVX2+FMA")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	var shapes [][3]int
	for _, m := range []int{1, 2, 5, 7, 11, 13, 25, 197} {
		for _, n := range []int{1, 3, 15, 17, 31, 33, 50} {
			for _, k := range []int{1, 2, 9, 255, 257, 600} {
				if m*n*k < 200000 {
					shapes = append(shapes, [3]int{m, n, k})
				}
			}
		}
	}
	shapes = append(shapes, [3]int{385, 130, 513}, [3]int{12, 32, 256}, [3]int{24, 64, 512}, [3]int{6, 16, 1})
	for _, kern := range FastCandidates() {
		for _, s := range shapes {
			m, n, k := s[0], s[1], s[2]
			for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}} {
				a, b := randSlice(rng, m*k), randSlice(rng, k*n)
				cbuf := randSlice(rng, m*n+8)
				c := cbuf[:m*n]
				canary := append([]float32(nil), cbuf[m*n:]...)
				want := refGemm(tr[0], tr[1], m, n, k, a, b, c)
				kern.Gemm(tr[0], tr[1], m, n, k, a, b, c)
				for i := range want {
					if d := math.Abs(float64(c[i]) - want[i]); d > 4e-5*float64(k+1) {
						t.Fatalf("%s %dx%dx%d tA=%v tB=%v: element %d = %v, want %v", kern.Name, m, n, k, tr[0], tr[1], i, c[i], want[i])
					}
				}
				for i, v := range cbuf[m*n:] {
					if v != canary[i] {
						t.Fatalf("%s %dx%dx%d tA=%v tB=%v: wrote past c", kern.Name, m, n, k, tr[0], tr[1])
					}
				}
			}
		}
	}
}

// TestFastKernelConcurrent runs differently shaped products at once, as the
// training shards do: pooled scratch must never be shared between calls.
func TestFastKernelConcurrent(t *testing.T) {
	if !HasFast() {
		t.Skip("CPU lacks AVX2+FMA")
	}
	type job struct {
		tA, tB  bool
		m, n, k int
		a, b, c []float32
		want    []float64
	}
	rng := rand.New(rand.NewPCG(7, 8))
	var jobs []*job
	for i, s := range [][3]int{{37, 70, 300}, {64, 128, 512}, {9, 33, 600}, {200, 40, 17}} {
		j := &job{tA: i == 3, tB: i == 1 || i == 2, m: s[0], n: s[1], k: s[2]}
		j.a, j.b, j.c = randSlice(rng, j.m*j.k), randSlice(rng, j.k*j.n), make([]float32, j.m*j.n)
		j.want = refGemm(j.tA, j.tB, j.m, j.n, j.k, j.a, j.b, j.c)
		jobs = append(jobs, j)
	}
	const reps = 20
	errs := make(chan string, len(jobs))
	for _, j := range jobs {
		go func() {
			c := make([]float32, len(j.c))
			for range reps {
				clear(c)
				Fast.Gemm(j.tA, j.tB, j.m, j.n, j.k, j.a, j.b, c)
				for i, w := range j.want {
					if math.Abs(float64(c[i])-w) > 4e-5*float64(j.k+1) {
						errs <- fmt.Sprintf("%dx%dx%d: element %d = %v, want %v", j.m, j.n, j.k, i, c[i], w)
						return
					}
				}
			}
			errs <- ""
		}()
	}
	for range jobs {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}

func TestDefaultIsFast(t *testing.T) {
	if got := Default().Name; HasFast() && got != Fast.Name || !HasFast() && got != Gonum.Name {
		t.Errorf("Default() = %s with HasFast() = %v", got, HasFast())
	}
}

// BenchmarkGemm reports GFLOP/s (2·m·n·k per call) for the LSTM's shapes:
// thesis (E = H = 128, 4H = 512, shards of 32-64 rows, R = 170·shard rows)
// and classroom (E = H = 32). cpu-GFLOP/s divides by the thread's CPU time
// instead of wall time, so it stays meaningful on a loaded machine; gonum
// spreads big products over goroutines, so it gets wall time only. Portable
// is slow on the big shapes: use -benchtime 100ms or a -bench filter.
func BenchmarkGemm(b *testing.B) {
	shapes := []struct {
		tA, tB  bool
		m, n, k int
	}{
		{false, false, 32, 512, 128}, {false, false, 64, 512, 128},
		{false, false, 5440, 512, 128}, {false, false, 10880, 512, 128},
		{false, true, 32, 128, 512}, {false, true, 64, 128, 512}, {false, true, 10880, 128, 512},
		{true, false, 128, 512, 5440}, {true, false, 128, 512, 10880},
		{false, false, 32, 128, 32}, {false, true, 32, 32, 128}, {true, false, 32, 128, 5440},
	}
	kerns := append([]Kernels{Portable, Gonum}, FastCandidates()...)
	for _, s := range shapes {
		rng := rand.New(rand.NewPCG(1, 2))
		a, bb, c := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n), randSlice(rng, s.m*s.n)
		op := map[[2]bool]string{{false, false}: "NN", {false, true}: "NT", {true, false}: "TN"}[[2]bool{s.tA, s.tB}]
		flop := 2 * float64(s.m*s.n*s.k)
		for _, kern := range kerns {
			b.Run(fmt.Sprintf("%s_%dx%dx%d/%s", op, s.m, s.n, s.k, kern.Name), func(b *testing.B) {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				cpu0, cpuOK := threadCPUSeconds()
				for b.Loop() {
					kern.Gemm(s.tA, s.tB, s.m, s.n, s.k, a, bb, c)
				}
				cpu1, _ := threadCPUSeconds()
				b.ReportMetric(flop*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				if cpuOK && kern.Name != Gonum.Name {
					b.ReportMetric(flop*float64(b.N)/(cpu1-cpu0)/1e9, "cpu-GFLOP/s")
				}
			})
		}
	}
}
