package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"sentilab/core/kernels"
)

// TestAdamVectorMatchesGo: the vector Adam (AVX2 natively, the SIMD128
// module in wasm) leaves the same bits as the Go loop over several steps,
// with zero, huge, tiny and NaN gradients among the values.
func TestAdamVectorMatchesGo(t *testing.T) {
	const n = 4099 // above the shortest vector call, with a tail the Go loop takes
	if z := make([]float32, n); kernels.AdamVector(z, z, z, z, 0.1, 0.001, 0.01, 1e-7) == 0 {
		t.Skip("no vector Adam here")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	mk := func() []Param {
		w := randSlice(rand.New(rand.NewPCG(1, 1)), n)
		return []Param{{Name: "w", Shape: []int{n}, W: w}}
	}
	pv, ps := mk(), mk()
	av, as := NewAdam(3e-3), NewAdam(3e-3)
	for step := 0; step < 5; step++ {
		g := randSlice(rng, n)
		g[0], g[1], g[2], g[3] = 0, 1e6, -1e-20, float32(math.Inf(1))
		g[4] = float32(math.NaN())
		av.Update(pv, []Param{{W: g}})
		// The reference: the same update with the vector path off.
		scalarAdamUpdate(as, ps, []Param{{W: g}})
		for i := range pv[0].W {
			if a, b := pv[0].W[i], ps[0].W[i]; math.Float32bits(a) != math.Float32bits(b) && !(a != a && b != b) {
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

// TestAddVectorMatchesGo: the vector sum gives the Go loop's bits.
func TestAddVectorMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	dst, src := randSlice(rng, 4099), randSlice(rng, 4099)
	want := append([]float32(nil), dst...)
	for i := range want {
		want[i] += src[i]
	}
	n := kernels.AddVector(dst, src)
	if n == 0 {
		t.Skip("no vector sum here")
	}
	for i := n; i < len(dst); i++ {
		dst[i] += src[i]
	}
	for i := range dst {
		if math.Float32bits(dst[i]) != math.Float32bits(want[i]) {
			t.Fatalf("dst[%d] = %v, Go loop %v", i, dst[i], want[i])
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

// TestAdamSignedZeroGradient: a gradient of −0 and one of +0 leave the
// same weights and moments, with the moments at 0, −0 or not (the vector
// path and the Go loop). wasm/engine's helper sums two parts in the other
// order than the leader, which can turn a −0 into +0.
func TestAdamSignedZeroGradient(t *testing.T) {
	const n = 4099
	negZero := float32(math.Copysign(0, -1))
	mk := func() []Param {
		return []Param{{Name: "w", Shape: []int{n}, W: randSlice(rand.New(rand.NewPCG(5, 6)), n)}}
	}
	pn, pp := mk(), mk()
	an, ap := NewAdam(1e-3), NewAdam(1e-3)
	gn, gp := make([]float32, n), make([]float32, n)
	rng := rand.New(rand.NewPCG(9, 10))
	for step := 0; step < 4; step++ {
		for i := range gn {
			// Steps 0 and 2 give every weight a real gradient (moments
			// non-zero); steps 1 and 3 give a third of them ±0, the rest
			// keep the same real values on both sides.
			gn[i], gp[i] = negZero, 0
			if step%2 == 0 || i%3 != 0 {
				gn[i] = rng.Float32() - 0.5
				gp[i] = gn[i]
			}
		}
		an.Update(pn, []Param{{W: gn}})
		ap.Update(pp, []Param{{W: gp}})
		for i := range pn[0].W {
			if math.Float32bits(pn[0].W[i]) != math.Float32bits(pp[0].W[i]) || math.Float32bits(an.m[0][i]) != math.Float32bits(ap.m[0][i]) ||
				math.Float32bits(an.v[0][i]) != math.Float32bits(ap.v[0][i]) {
				t.Fatalf("step %d, weight %d: w %v / %v, m %v / %v, v %v / %v", step, i, pn[0].W[i], pp[0].W[i], an.m[0][i], ap.m[0][i], an.v[0][i], ap.v[0][i])
			}
		}
	}
	// Moments at exactly 0 (a fresh Adam): ±0 gradients leave them 0.
	a0, a1 := NewAdam(1e-3), NewAdam(1e-3)
	w0, w1 := mk(), mk()
	for i := range gn {
		gn[i], gp[i] = negZero, 0
	}
	a0.Update(w0, []Param{{W: gn}})
	a1.Update(w1, []Param{{W: gp}})
	for i := range w0[0].W {
		if math.Float32bits(w0[0].W[i]) != math.Float32bits(w1[0].W[i]) || math.Float32bits(a0.m[0][i]) != math.Float32bits(a1.m[0][i]) {
			t.Fatalf("fresh moments, weight %d: w %v / %v, m %v / %v", i, w0[0].W[i], w1[0].W[i], a0.m[0][i], a1.m[0][i])
		}
	}
}
