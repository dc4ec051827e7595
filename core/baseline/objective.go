package baseline

import "sync"

// rows is a sparse matrix, one exactly sized slice pair per row: row i
// holds idx[i] (term indices, ascending) and val[i]. B = reviews, V = terms,
// nnz = the non-zeros (about 280 a review with unigrams and bigrams), so
// memory is 8·nnz bytes, never B×V. Per-row slices, not one CSR array:
// appending 11 million entries to one slice allocates about five times
// its final size on the way (Go grows big slices by 1.25×), which in a
// browser tab is the difference between 100 MB and 500 MB.
type rows struct {
	idx [][]int32
	val [][]float32
}

func (r *rows) n() int { return len(r.idx) }

func (r *rows) row(i int) ([]int32, []float32) { return r.idx[i], r.val[i] }

// add appends a copy of a row.
func (r *rows) add(idx []int32, val []float32) {
	r.idx = append(r.idx, append(make([]int32, 0, len(idx)), idx...))
	r.val = append(r.val, append(make([]float32, 0, len(val)), val...))
}

// nnz is the number of stored entries.
func (r *rows) nnz() int {
	n := 0
	for _, idx := range r.idx {
		n += len(idx)
	}
	return n
}

// numChunks is how many fixed blocks of rows the objective sums
// separately and then adds in block order: the result depends on this
// constant only, never on the number of goroutines, so one worker (wasm)
// and two (natively) give the same bits.
const numChunks = 8

// objective is the L2-regularized logistic loss of θ = [w_1..w_V, b] over
// rows with 0/1 labels y, in scikit-learn's normalization:
//
//	J(θ) = (1/B) Σ_i [softplus(z_i) − y_i·z_i] + ‖w‖² / (2·C·B),  z_i = b + w·x_i
//	∂J/∂w = (1/B) Σ_i (σ(z_i) − y_i)·x_i + w/(C·B),  ∂J/∂b = (1/B) Σ_i (σ(z_i) − y_i)
//
// (the bias is not regularized). Minimizing it is minimizing sklearn's
// C·Σ loss + ½‖w‖², scaled by 1/(C·B).
type objective struct {
	x       *rows
	y       []float64
	c       float64
	workers int
	part    [numChunks][]float64 // per-chunk gradient, V+1
	loss    [numChunks]float64
}

func newObjective(x *rows, y []float64, c float64, workers, dim int) *objective {
	o := &objective{x: x, y: y, c: c, workers: max(1, min(workers, numChunks))}
	for k := range o.part {
		o.part[k] = make([]float64, dim)
	}
	return o
}

// eval returns J(θ) and writes ∂J/∂θ to grad.
func (o *objective) eval(theta, grad []float64) float64 {
	n := o.x.n()
	v := len(theta) - 1
	var wg sync.WaitGroup
	for w := 0; w < o.workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for k := w; k < numChunks; k += o.workers {
				o.chunk(k, n*k/numChunks, n*(k+1)/numChunks, theta)
			}
		}(w)
	}
	wg.Wait()
	inv := 1 / float64(n)
	loss := 0.0
	for k := range o.part {
		loss += o.loss[k]
	}
	for j := range grad {
		s := 0.0
		for k := range o.part {
			s += o.part[k][j]
		}
		grad[j] = s * inv
	}
	reg, ss := 1/(o.c*float64(n)), 0.0
	for j := 0; j < v; j++ {
		ss += theta[j] * theta[j]
		grad[j] += reg * theta[j]
	}
	return loss*inv + 0.5*reg*ss
}

// chunk sums the loss and gradient of rows [a, b) into part[k] and loss[k].
func (o *objective) chunk(k, a, b int, theta []float64) {
	g := o.part[k]
	clear(g)
	v := len(theta) - 1
	bias := theta[v]
	loss := 0.0
	for i := a; i < b; i++ {
		idx, val := o.x.row(i)
		z := bias
		for m, j := range idx {
			z += theta[j] * float64(val[m])
		}
		loss += softplus(z) - o.y[i]*z
		r := sigmoid(z) - o.y[i]
		for m, j := range idx {
			g[j] += r * float64(val[m])
		}
		g[v] += r
	}
	o.loss[k] = loss
}
