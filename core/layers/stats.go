package layers

import (
	"fmt"
	"math"

	"sentilab/core/compress"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/protocol"
)

// Stat is what storage does to one tensor (protocol.LayerStat). Errors
// are relative to the tensor's RMS, sqrt(mean w²): an RMS error of 0.01 is
// 1% of a typical weight, whatever the tensor's scale.
type Stat = protocol.LayerStat

// Int8Weights returns the weights m's int8 file holds, dequantized: every
// weight matrix int8 with the lab's scales (per embedding row, per kernel
// column; one scale per tensor when sparse stores it as a mask and values),
// biases float32. sparse is the source's storage (lab's State.Sparse).
func Int8Weights(m *nn.Model, sparse bool) (*nn.Model, error) {
	return decoded(m, compress.EncodeOptions{Values: compress.StoreInt8, Sparse: sparse})
}

// decoded encodes m as opt says and decodes the result: the weights a file
// of that encoding holds, bit for bit.
func decoded(m *nn.Model, opt compress.EncodeOptions) (*nn.Model, error) {
	ts, err := compress.Tensors(m, opt)
	if err != nil {
		return nil, err
	}
	// The words do not matter here, only their number does.
	f, err := modelfile.NewFile(m.Cfg, make([]string, m.Cfg.Vocab), modelfile.Meta{Variant: "layers"}, ts)
	if err != nil {
		return nil, err
	}
	ld, err := modelfile.Decode(f)
	if err != nil {
		return nil, err
	}
	return ld.Model, nil
}

// Stats measures every tensor of m against q, its int8 weights
// (Int8Weights), and against float16 rounding.
func Stats(m, q *nn.Model) ([]Stat, error) {
	if err := sameShapes(m, q); err != nil {
		return nil, err
	}
	qp := q.Params()
	var out []Stat
	for i, p := range m.Params() {
		s := Stat{Name: p.Name, Shape: p.Shape, Size: len(p.W), RMS: rms(p.W), Int8Stored: len(p.Shape) == 2}
		s.Int8RMS, s.Int8Max = relErr(p.W, qp[i].W, s.RMS)
		h := make([]float32, len(p.W))
		for j, x := range p.W {
			h[j] = modelfile.F32FromF16(modelfile.F16FromF32(x))
		}
		s.F16RMS, s.F16Max = relErr(p.W, h, s.RMS)
		s.Sparsity = 1 - float64(nonZero(p.W))/float64(len(p.W))
		out = append(out, s)
	}
	return out, nil
}

func rms(w []float32) float64 {
	var s float64
	for _, x := range w {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s / float64(len(w)))
}

// relErr is the RMS and the max of |w − v|, divided by scale (0 when the
// tensor is all zeros: nothing to lose).
func relErr(w, v []float32, scale float64) (rmsErr, maxErr float64) {
	if scale == 0 {
		return 0, 0
	}
	var s float64
	for i, x := range w {
		d := math.Abs(float64(x) - float64(v[i]))
		s += d * d
		maxErr = max(maxErr, d)
	}
	return math.Sqrt(s/float64(len(w))) / scale, maxErr / scale
}

func nonZero(w []float32) int {
	n := 0
	for _, x := range w {
		if x != 0 {
			n++
		}
	}
	return n
}

// sameShapes checks that a and b have the same tensors, naming the first
// that differs.
func sameShapes(a, b *nn.Model) error {
	pa, pb := a.Params(), b.Params()
	for i, p := range pa {
		if len(p.W) != len(pb[i].W) || fmt.Sprint(p.Shape) != fmt.Sprint(pb[i].Shape) {
			return fmt.Errorf("layers: tensor %s is %v in one model and %v in the other: compare variants of one shape (a distilled student has its own)", p.Name, p.Shape, pb[i].Shape)
		}
	}
	return nil
}
