package layers

import (
	"context"
	"fmt"

	"sentilab/core/compress"
	"sentilab/core/nn"
	"sentilab/core/train"
	"sentilab/protocol"
)

// DefaultPruneSparsity is the share of a tensor's weights the sensitivity
// table prunes (the smallest magnitudes).
const DefaultPruneSparsity = 0.5

// EvalFunc scores a model on the evaluation set: core/lab.Evaluate with the
// float32 runtime, so the numbers are the lab's own.
type EvalFunc func(ctx context.Context, m *nn.Model) (*train.Metrics, error)

// SensitivityOptions say how to measure.
type SensitivityOptions struct {
	Eval EvalFunc
	// Int8 is the model's int8 weights (Int8Weights); nil = computed here
	// with Sparse.
	Int8   *nn.Model
	Sparse bool
	// PruneSparsity is the share pruned from one tensor; 0 = DefaultPruneSparsity.
	PruneSparsity float64
	// Progress, if set, is called after each evaluation.
	Progress func(done, total int)
}

// Sensitivity is the accuracy and loss of the model with only one tensor
// changed, and their change from the unchanged model (protocol's
// LayerSensitivity). Int8 and Prune are false for the biases, which the
// lab's int8 file and its pruning leave alone.
type Sensitivity = protocol.LayerSensitivity

// Table is a sensitivity table: the unchanged model's score and one row
// per tensor, in model-file order.
type Table = protocol.SensitivityTable

// Sensitivities evaluates m, then m with each weight matrix alone int8
// (its Int8Weights values, everything else untouched) and alone
// magnitude-pruned to the given sparsity (compress.Pruner's rule: keep the
// round(n·(1−s)) largest |w|, ties kept). It honours ctx between and
// inside evaluations.
func Sensitivities(ctx context.Context, m *nn.Model, o SensitivityOptions) (*Table, error) {
	if o.Eval == nil {
		return nil, fmt.Errorf("layers: no evaluation function")
	}
	s := o.PruneSparsity
	if s == 0 {
		s = DefaultPruneSparsity
	}
	if !(s > 0 && s < 1) {
		return nil, fmt.Errorf("layers: prune sparsity %v, want in (0, 1)", s)
	}
	q := o.Int8
	if q == nil {
		var err error
		if q, err = Int8Weights(m, o.Sparse); err != nil {
			return nil, err
		}
	}
	if err := sameShapes(m, q); err != nil {
		return nil, err
	}
	params := m.Params()
	total, done := 1, 0
	for _, p := range params {
		if isMatrix(p) {
			total += 2
		}
	}
	eval := func(x *nn.Model) (*train.Metrics, error) {
		mt, err := o.Eval(ctx, x)
		if err != nil {
			return nil, err
		}
		done++
		if o.Progress != nil {
			o.Progress(done, total)
		}
		return mt, nil
	}
	base, err := eval(m)
	if err != nil {
		return nil, err
	}
	t := &Table{N: base.N, Accuracy: base.Accuracy, Loss: base.Loss, PruneSparsity: s}
	work := clone(m)
	wp, qp := work.Params(), q.Params()
	for i, p := range params {
		r := Sensitivity{Name: p.Name, Int8Accuracy: base.Accuracy, Int8Loss: base.Loss, PruneAccuracy: base.Accuracy, PruneLoss: base.Loss,
			PruneSparsity: 1 - float64(nonZero(p.W))/float64(len(p.W))}
		if isMatrix(p) {
			r.Int8, r.Prune = true, true
			copy(wp[i].W, qp[i].W)
			mt, err := eval(work)
			if err != nil {
				return nil, err
			}
			r.Int8Accuracy, r.Int8Loss = mt.Accuracy, mt.Loss
			copy(wp[i].W, p.W)
			if err := PruneTensor(work, p.Name, s); err != nil {
				return nil, err
			}
			r.PruneSparsity = 1 - float64(nonZero(wp[i].W))/float64(len(p.W))
			if mt, err = eval(work); err != nil {
				return nil, err
			}
			r.PruneAccuracy, r.PruneLoss = mt.Accuracy, mt.Loss
			copy(wp[i].W, p.W)
		}
		r.Int8DAcc, r.Int8DLoss = r.Int8Accuracy-t.Accuracy, r.Int8Loss-t.Loss
		r.PruneDAcc, r.PruneDLoss = r.PruneAccuracy-t.Accuracy, r.PruneLoss-t.Loss
		t.Rows = append(t.Rows, r)
	}
	return t, nil
}

// MostSensitive is the tensor whose int8 quantization alone costs the most
// accuracy (ties: the larger loss increase, then the first in file order);
// "" if no row is quantized.
func MostSensitive(t *Table) string {
	best := -1
	for i, r := range t.Rows {
		if !r.Int8 {
			continue
		}
		if best < 0 || r.Int8DAcc < t.Rows[best].Int8DAcc || (r.Int8DAcc == t.Rows[best].Int8DAcc && r.Int8DLoss > t.Rows[best].Int8DLoss) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return t.Rows[best].Name
}

// PruneTensor magnitude-prunes m's tensor name in place to sparsity s, with
// the rule the lab's pruning uses (compress.Pruner at one mask update).
func PruneTensor(m *nn.Model, name string, s float64) error {
	p, err := compress.NewPruner(m, compress.ConstantSparsity{Target: s, Begin: 0, End: 0, Frequency: 1}, []string{name})
	if err != nil {
		return err
	}
	p.BeforeStep(0)
	return nil
}

// isMatrix: the tensors the lab's int8 file quantizes and its pruning
// prunes (compress.DefaultPruneTensors): the weight matrices, not biases.
func isMatrix(p nn.Param) bool { return len(p.Shape) == 2 }

func clone(m *nn.Model) *nn.Model {
	c, _ := nn.NewModel(m.Cfg)
	for k, p := range c.Params() {
		copy(p.W, m.Params()[k].W)
	}
	return c
}
