package compress

import (
	"fmt"
	"slices"

	"sentilab/core/modelfile"
	"sentilab/core/nn"
)

// Storage is how a model file stores weight values.
type Storage string

const (
	StoreF32  Storage = "f32"
	StoreF16  Storage = "f16"
	StoreInt8 Storage = "int8"
)

// EncodeOptions choose a model file's encoding.
type EncodeOptions struct {
	Values Storage
	// Sparse stores a weight as NAME.mask + NAME.values whenever that is
	// smaller than storing it dense: a pruned tensor shrinks, a dense one is
	// left alone.
	Sparse bool
	// Float names tensors stored float32 whatever Values says: selective
	// quantization keeps a sensitive tensor in float (core/lab's selective).
	Float []string
}

// Tensors encodes m's weights for a model file (modelfile.NewFile).
//
// Int8 follows TFLite's dynamic-range rule: weight matrices are int8 with a
// float32 scale per embedding row ([V,1]) and per output column of the LSTM
// and dense kernels ([1,4H], [1,1]); biases stay float32. A sparse int8
// tensor's values share one scale ([1]), since the format has no per-row
// scale for a flat list of values. Float16 stores every tensor, biases
// included, as binary16, and refuses weights beyond its range (±65504).
func Tensors(m *nn.Model, opt EncodeOptions) ([]modelfile.Tensor, error) {
	var out []modelfile.Tensor
	all := opt
	for _, p := range m.Params() {
		opt := all
		if slices.Contains(all.Float, p.Name) {
			opt.Values = StoreF32
		}
		isBias := len(p.Shape) == 1
		if opt.Values == StoreF16 {
			for i, x := range p.W {
				if abs32(x) > 65504 {
					return nil, fmt.Errorf("compress: %s element %d = %v is beyond float16's range ±65504", p.Name, i, x)
				}
			}
		}
		if opt.Sparse && !isBias && sparseIsSmaller(p.W, opt.Values) {
			out = append(out, sparseTensors(p.Name, p.W, opt.Values)...)
			continue
		}
		switch {
		case opt.Values == StoreF16:
			out = append(out, modelfile.F16Tensor(p.Name, p.Shape, p.W))
		case opt.Values == StoreInt8 && !isBias:
			out = append(out, int8Tensors(p)...)
		case opt.Values == StoreF32, opt.Values == StoreInt8:
			out = append(out, modelfile.F32Tensor(p.Name, p.Shape, p.W))
		default:
			return nil, fmt.Errorf("compress: unknown storage %q (want f32, f16 or int8)", opt.Values)
		}
	}
	return out, nil
}

// int8Tensors quantizes a weight matrix: per row for the embedding, per
// output column for the kernels.
func int8Tensors(p nn.Param) []modelfile.Tensor {
	rows, cols := p.Shape[0], p.Shape[1]
	if p.Name == "embedding.weight" {
		q, s := QuantizeRows(p.W, rows, cols)
		return []modelfile.Tensor{modelfile.I8Tensor(p.Name, p.Shape, q), modelfile.F32Tensor(p.Name+".scale", []int{rows, 1}, s)}
	}
	q, s := QuantizeCols(p.W, rows, cols)
	return []modelfile.Tensor{modelfile.I8Tensor(p.Name, p.Shape, q), modelfile.F32Tensor(p.Name+".scale", []int{1, cols}, s)}
}

func valueBytes(s Storage) int {
	switch s {
	case StoreF16:
		return 2
	case StoreInt8:
		return 1
	}
	return 4
}

func sparseIsSmaller(w []float32, s Storage) bool {
	nnz := countNonZero(w)
	vb := valueBytes(s)
	return modelfile.MaskBytes(len(w))+nnz*vb < len(w)*vb
}

func sparseTensors(name string, w []float32, s Storage) []modelfile.Tensor {
	mask, values := modelfile.PackMask(w)
	vname := name + ".values"
	out := []modelfile.Tensor{modelfile.U8Tensor(name+".mask", []int{len(mask)}, mask)}
	switch s {
	case StoreF16:
		return append(out, modelfile.F16Tensor(vname, []int{len(values)}, values))
	case StoreInt8:
		q, sc := QuantizeTensor(values)
		return append(out, modelfile.I8Tensor(vname, []int{len(values)}, q), modelfile.F32Tensor(vname+".scale", []int{1}, []float32{sc}))
	}
	return append(out, modelfile.F32Tensor(vname, []int{len(values)}, values))
}

func countNonZero(w []float32) int {
	n := 0
	for _, x := range w {
		if x != 0 {
			n++
		}
	}
	return n
}

// NonZero counts m's non-zero weights, biases included, as the thesis
// counted its pruned model (543,847 of 2,691,713).
func NonZero(m *nn.Model) int {
	n := 0
	for _, p := range m.Params() {
		n += countNonZero(p.W)
	}
	return n
}
