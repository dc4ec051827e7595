package modelfile

import (
	"fmt"
	"math"
	"slices"
)

// decoder turns a File's tensors into dense float32 weights and remembers
// which tensors it used, so that leftovers can be refused.
type decoder struct {
	byName map[string]*Tensor
	used   map[string]bool
}

func newDecoder(f *File) *decoder {
	d := &decoder{byName: map[string]*Tensor{}, used: map[string]bool{}}
	for i := range f.Tensors {
		d.byName[f.Tensors[i].Name] = &f.Tensors[i]
	}
	return d
}

func (d *decoder) take(name string) *Tensor {
	t := d.byName[name]
	if t != nil {
		d.used[name] = true
	}
	return t
}

// dense decodes the weight called name, of the given shape, from whichever
// encoding the file holds (see the package doc).
func (d *decoder) dense(name string, shape []int) ([]float32, error) {
	n, err := NumElements(shape)
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %v", name, err)
	}
	if t := d.take(name); t != nil {
		if !slices.Equal(t.Shape, shape) {
			return nil, fmt.Errorf("tensor %q: shape %v, want %v", name, t.Shape, shape)
		}
		switch t.DType {
		case "F32", "F16", "BF16":
			return t.Float32s()
		case "I8":
			return d.scaled(t)
		}
		return nil, fmt.Errorf("tensor %q: dtype %s cannot hold weights (want F32, F16, BF16, or I8 with %s.scale)", name, t.DType, name)
	}
	m := d.take(name + ".mask")
	if m == nil {
		return nil, fmt.Errorf("missing tensor %q (or %q with %q)", name, name+".mask", name+".values")
	}
	if m.DType != "U8" || len(m.Shape) != 1 {
		return nil, fmt.Errorf("tensor %q: %s %v, want U8 [%d]", m.Name, m.DType, m.Shape, MaskBytes(n))
	}
	nnz, err := maskCount(m.Data, n)
	if err != nil {
		return nil, fmt.Errorf("tensor %q (mask of %v): %v", m.Name, shape, err)
	}
	values, err := d.dense(name+".values", []int{nnz})
	if err != nil {
		return nil, err
	}
	out := make([]float32, n)
	k := 0
	for i := range out {
		if m.Data[i/8]&(1<<(i%8)) != 0 {
			out[i] = values[k]
			k++
		}
	}
	return out, nil
}

// scaled decodes an I8 tensor with its NAME.scale companion, broadcast
// numpy-style: the scale has the tensor's rank (each dimension 1 or equal to
// the tensor's) or is [1].
func (d *decoder) scaled(t *Tensor) ([]float32, error) {
	s := d.take(t.Name + ".scale")
	if s == nil {
		return nil, fmt.Errorf("tensor %q is I8 but %q is missing", t.Name, t.Name+".scale")
	}
	if s.DType != "F32" {
		return nil, fmt.Errorf("tensor %q: dtype %s, want F32", s.Name, s.DType)
	}
	if !broadcastable(s.Shape, t.Shape) {
		return nil, fmt.Errorf("tensor %q: shape %v does not broadcast to %q's %v "+
			"(want [1], or each dimension 1 or equal: [R,1] per row, [1,C] per column)", s.Name, s.Shape, t.Name, t.Shape)
	}
	scale, err := s.Float32s()
	if err != nil {
		return nil, err
	}
	q, err := t.Float32s()
	if err != nil {
		return nil, err
	}
	if len(scale) == 1 {
		for i := range q {
			q[i] *= scale[0]
		}
		return q, nil
	}
	// Odometer over the tensor's coordinates; sstride[k] is 0 along a
	// broadcast dimension.
	rank := len(t.Shape)
	sstride := make([]int, rank)
	acc := 1
	for k := rank - 1; k >= 0; k-- {
		if s.Shape[k] != 1 {
			sstride[k] = acc
		}
		acc *= s.Shape[k]
	}
	coord := make([]int, rank)
	si := 0
	for i := range q {
		q[i] *= scale[si]
		for k := rank - 1; k >= 0; k-- {
			coord[k]++
			si += sstride[k]
			if coord[k] < t.Shape[k] {
				break
			}
			si -= sstride[k] * coord[k]
			coord[k] = 0
		}
	}
	return q, nil
}

func broadcastable(s, t []int) bool {
	if len(s) == 1 && s[0] == 1 {
		return true
	}
	if len(s) != len(t) {
		return false
	}
	for k := range s {
		if s[k] != 1 && s[k] != t[k] {
			return false
		}
	}
	return true
}

// firstNonFinite returns the index of the first NaN or ±Inf in w, or -1.
func firstNonFinite(w []float32) int {
	for i, x := range w {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return i
		}
	}
	return -1
}
