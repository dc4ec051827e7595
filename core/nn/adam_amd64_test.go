package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestAdamVectorMatchesGo: the AVX2 Adam leaves the same bits as the Go loop
// over several steps, with zero and large gradients among the values.
func TestAdamVectorMatchesGo(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	const n = 1003 // a tail the Go loop takes
	mk := func() []Param {
		w := randSlice(rand.New(rand.NewPCG(1, 1)), n)
		return []Param{{Name: "w", Shape: []int{n}, W: w}}
	}
	pv, ps := mk(), mk()
	av, as := NewAdam(3e-3), NewAdam(3e-3)
	for step := 0; step < 5; step++ {
		g := randSlice(rng, n)
		g[0], g[1], g[2] = 0, 1e6, -1e-20
		av.Update(pv, []Param{{W: g}})
		// The reference: the same update with the vector path off.
		scalarAdamUpdate(as, ps, []Param{{W: g}})
		for i := range pv[0].W {
			if math.Float32bits(pv[0].W[i]) != math.Float32bits(ps[0].W[i]) {
				t.Fatalf("step %d: w[%d] = %v, Go loop %v", step, i, pv[0].W[i], ps[0].W[i])
			}
		}
	}
}

// scalarAdamUpdate is Adam.Update's Go loop alone.
func scalarAdamUpdate(a *Adam, params, grads []Param) {
	if a.m == nil {
		for _, p := range params {
			a.m = append(a.m, make([]float32, len(p.W)))
			a.v = append(a.v, make([]float32, len(p.W)))
		}
	}
	a.Step++
	a.b1t *= a.Beta1
	a.b2t *= a.Beta2
	alpha := float32(a.LR * sqrt64(1-a.b2t) / (1 - a.b1t))
	c1, c2, eps := float32(1-a.Beta1), float32(1-a.Beta2), float32(a.Eps)
	for k, p := range params {
		w, g, m, v := p.W, grads[k].W, a.m[k], a.v[k]
		for i := range w {
			gi := g[i]
			mi := m[i] + float32((gi-m[i])*c1)
			vi := v[i] + float32((float32(gi*gi)-v[i])*c2)
			m[i], v[i] = mi, vi
			w[i] -= float32(mi*alpha) / (sqrt32(vi) + eps)
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}
