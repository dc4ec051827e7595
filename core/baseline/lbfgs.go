package baseline

import (
	"context"
	"math"
)

// lbfgsResult says how a minimization ended.
type lbfgsResult struct {
	Iterations  int     // accepted steps
	Evaluations int     // objective evaluations, line search included
	Loss        float64 // J at the returned point
	GradNorm    float64 // ‖∂J/∂θ‖∞ there
	Converged   bool    // the gradient or the decrease fell below its tolerance
}

// lbfgs minimizes f from x (updated in place) with limited-memory BFGS:
// the two-loop recursion over the last `memory` steps, then a backtracking
// line search with the Armijo condition (halving from step 1; from
// 1/‖g‖₂ on the first iteration, when there is no curvature yet). It stops
// when ‖g‖∞ ≤ gtol (scipy's pgtol, which scikit-learn sets to its tol), when
// a step lowers f by less than ftol·max(|f|, 1), after maxIter steps, or
// when ctx is done. Everything is plain float64 arithmetic in a fixed
// order, so the same inputs give the same bits on every target.
func lbfgs(ctx context.Context, f func(x, g []float64) float64, x []float64, maxIter, memory int, gtol, ftol float64, onIter func(iter int, loss, gnorm float64)) (lbfgsResult, error) {
	dim := len(x)
	g := make([]float64, dim)
	fx := f(x, g)
	res := lbfgsResult{Evaluations: 1}
	var ss, ys [][]float64 // the last steps s = x' − x and y = g' − g
	var rhos []float64
	alpha := make([]float64, memory)
	d := make([]float64, dim)
	xn := make([]float64, dim)
	gn := make([]float64, dim)
	for res.Iterations < maxIter {
		if res.GradNorm = normInf(g); res.GradNorm <= gtol {
			res.Converged = true
			break
		}
		if err := ctx.Err(); err != nil {
			res.Loss = fx
			return res, err
		}
		// d = −H·g by the two-loop recursion.
		for i := range d {
			d[i] = -g[i]
		}
		for k := len(ss) - 1; k >= 0; k-- {
			alpha[k] = rhos[k] * dot(ss[k], d)
			axpy(-alpha[k], ys[k], d)
		}
		step := 1.0
		if k := len(ss) - 1; k >= 0 {
			scale(dot(ss[k], ys[k])/dot(ys[k], ys[k]), d)
		} else {
			step = 1 / math.Sqrt(dot(g, g))
		}
		for k := range ss {
			beta := rhos[k] * dot(ys[k], d)
			axpy(alpha[k]-beta, ss[k], d)
		}
		gd := dot(g, d)
		if !(gd < 0) { // not a descent direction: forget the curvature
			ss, ys, rhos = ss[:0], ys[:0], rhos[:0]
			for i := range d {
				d[i] = -g[i]
			}
			gd = -dot(g, g)
			step = 1 / math.Sqrt(-gd)
		}
		// Backtracking line search (Armijo, c1 = 1e-4).
		var fn float64
		ok := false
		for try := 0; try < 40; try++ {
			for i := range xn {
				xn[i] = x[i] + step*d[i]
			}
			fn = f(xn, gn)
			res.Evaluations++
			if fn <= fx+1e-4*step*gd {
				ok = true
				break
			}
			step *= 0.5
		}
		if !ok {
			break // no decrease along d: as good as this precision allows
		}
		// Keep the step pair; recycle the oldest buffers when full.
		var s, y []float64
		if len(ss) == memory {
			s, y = ss[0], ys[0]
			ss, ys, rhos = ss[1:], ys[1:], rhos[1:]
		} else {
			s, y = make([]float64, dim), make([]float64, dim)
		}
		for i := range s {
			s[i] = xn[i] - x[i]
			y[i] = gn[i] - g[i]
		}
		if sy := dot(s, y); sy > 1e-12*dot(y, y) {
			ss, ys, rhos = append(ss, s), append(ys, y), append(rhos, 1/sy)
		}
		decrease := fx - fn
		copy(x, xn)
		copy(g, gn)
		fx = fn
		res.Iterations++
		if onIter != nil {
			onIter(res.Iterations, fx, normInf(g))
		}
		if decrease <= ftol*math.Max(math.Abs(fx), 1) {
			res.Converged = true
			break
		}
	}
	res.Loss, res.GradNorm = fx, normInf(g)
	return res, nil
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// axpy is y += a·x.
func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}

func scale(a float64, x []float64) {
	for i := range x {
		x[i] *= a
	}
}

func normInf(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}
