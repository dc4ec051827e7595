package compress

import (
	"fmt"
	"slices"

	"sentilab/core/nn"
)

// DefaultPruneTensors are the weight matrices, embedding included (TF-MOT
// leaves a Keras Embedding unpruned unless asked; here it is 95% of the
// weights, so pruning it is where the file shrinks). Biases are not pruned.
var DefaultPruneTensors = []string{"embedding.weight", "lstm.kernel", "lstm.recurrent", "dense.weight"}

// Pruner holds magnitude-pruning masks on some of a model's tensors, as
// TF-MOT's PruneLowMagnitude wrapper does: at the steps the schedule names,
// each tensor's mask keeps its round(n·(1−s)) largest magnitudes (ties at
// the threshold kept); before every step the masked weights are set to zero.
type Pruner struct {
	Model    *nn.Model
	Schedule Schedule
	names    []string
	params   []nn.Param
	masks    [][]bool
	Sparsity float64 // target of the last mask update
	Updates  int     // mask updates so far
	scratch  []float32
}

// NewPruner prunes the named tensors of m (nil = DefaultPruneTensors).
func NewPruner(m *nn.Model, s Schedule, names []string) (*Pruner, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if names == nil {
		names = DefaultPruneTensors
	}
	p := &Pruner{Model: m, Schedule: s}
	all := m.Params()
	for _, n := range names {
		i := slices.IndexFunc(all, func(q nn.Param) bool { return q.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("prune: no tensor %q (have embedding.weight, lstm.kernel, lstm.recurrent, lstm.bias, dense.weight, dense.bias)", n)
		}
		p.names = append(p.names, n)
		p.params = append(p.params, all[i])
		p.masks = append(p.masks, make([]bool, len(all[i].W)))
	}
	for _, mk := range p.masks {
		for i := range mk {
			mk[i] = true
		}
	}
	return p, nil
}

// BeforeStep prepares step: recomputes the masks if the schedule says so,
// then zeroes the masked weights. Call it with step 0 before training, then
// use AfterStep as train.Trainer.AfterStep (it prepares step+1, so the
// weights are masked before every forward pass, and after the last step).
func (p *Pruner) BeforeStep(step int) {
	if up, s := p.Schedule.At(step); up {
		p.Sparsity = s
		p.Updates++
		for k := range p.params {
			p.updateMask(k, s)
		}
	}
	p.Apply()
}

// AfterStep is BeforeStep(step + 1).
func (p *Pruner) AfterStep(step int) { p.BeforeStep(step + 1) }

// Apply zeroes the masked weights. Adam's moments keep moving a pruned
// weight away from zero at every step; this puts it back, as TF-MOT does.
func (p *Pruner) Apply() {
	for k, q := range p.params {
		for i, keep := range p.masks[k] {
			if !keep {
				q.W[i] = 0
			}
		}
	}
}

// updateMask keeps the round(n·(1−s)) largest magnitudes of tensor k:
// TF-MOT sorts |w|, takes the k-th largest as the threshold and keeps
// |w| ≥ threshold.
func (p *Pruner) updateMask(k int, s float64) {
	w, mk := p.params[k].W, p.masks[k]
	keep := int(roundHalfEven(float64(len(w)) * (1 - s)))
	if keep <= 0 {
		clear(mk)
		return
	}
	p.scratch = append(p.scratch[:0], w...)
	for i, x := range p.scratch {
		p.scratch[i] = abs32(x)
	}
	th := kthLargest(p.scratch, keep)
	for i, x := range w {
		mk[i] = abs32(x) >= th
	}
}

// roundHalfEven is TensorFlow's math_ops.round (banker's rounding).
func roundHalfEven(x float64) float64 {
	r := float64(int64(x))
	d := x - r
	switch {
	case d > 0.5, d == 0.5 && int64(r)%2 != 0:
		return r + 1
	}
	return r
}

// kthLargest returns the k-th largest of a (1-based), reordering a: a
// quickselect with a deterministic middle pivot.
func kthLargest(a []float32, k int) float32 {
	lo, hi := 0, len(a)-1
	target := k - 1 // index in descending order
	for lo < hi {
		pv := a[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for a[i] > pv {
				i++
			}
			for a[j] < pv {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case target <= j:
			hi = j
		case target >= i:
			lo = i
		default:
			return a[target]
		}
	}
	return a[target]
}

// TensorSparsity is one tensor's share of zeros.
type TensorSparsity struct {
	Name     string  `json:"name"`
	Total    int     `json:"total"`
	NonZero  int     `json:"nonzero"`
	Sparsity float64 `json:"sparsity"`
}

// Sparsities reports every tensor of m and the whole model ("total").
func Sparsities(m *nn.Model) []TensorSparsity {
	var out []TensorSparsity
	var all, nz int
	for _, p := range m.Params() {
		n := countNonZero(p.W)
		out = append(out, TensorSparsity{p.Name, len(p.W), n, 1 - float64(n)/float64(len(p.W))})
		all += len(p.W)
		nz += n
	}
	return append(out, TensorSparsity{"total", all, nz, 1 - float64(nz)/float64(all)})
}
