package nn

import "sentilab/core/kernels"

// Adam is Keras's Adam (lr 1e-3, β1 0.9, β2 0.999, ε 1e-7 by default), in
// Keras 3's form: α = lr·√(1−β2^t)/(1−β1^t); m += (g−m)(1−β1);
// v += (g²−v)(1−β2); w −= α·m/(√v+ε). Every weight is updated every step,
// embedding rows not in the batch included, as Keras does.
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	Step                  int
	m, v                  [][]float32
	b1t, b2t              float64 // β^t, by repeated products: same bits everywhere
}

// NewAdam returns Adam with Keras's defaults and learning rate lr.
func NewAdam(lr float64) *Adam {
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-7, b1t: 1, b2t: 1}
}

// Update applies one step to params with gradients grads (same order/shape).
func (a *Adam) Update(params, grads []Param) {
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
		g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
		for i := kernels.AdamVector(w, g, m, v, c1, c2, alpha, eps); i < len(w); i++ {
			gi := g[i]
			mi := m[i] + float32((gi-m[i])*c1)
			vi := v[i] + float32((float32(gi*gi)-v[i])*c2)
			m[i], v[i] = mi, vi
			w[i] -= float32(mi*alpha) / (sqrt32(vi) + eps)
		}
	}
}
