package modelfile

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// F32Tensor encodes v as an F32 tensor.
func F32Tensor(name string, shape []int, v []float32) Tensor {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return Tensor{Name: name, DType: "F32", Shape: shape, Data: b}
}

// F16Tensor encodes v as an F16 tensor, rounding each value to nearest even
// (F16FromF32). Magnitudes from 65520 up become ±Inf, which Decode refuses:
// check the range first.
func F16Tensor(name string, shape []int, v []float32) Tensor {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], F16FromF32(x))
	}
	return Tensor{Name: name, DType: "F16", Shape: shape, Data: b}
}

// I8Tensor encodes q as an I8 tensor.
func I8Tensor(name string, shape []int, q []int8) Tensor {
	b := make([]byte, len(q))
	for i, x := range q {
		b[i] = byte(x)
	}
	return Tensor{Name: name, DType: "I8", Shape: shape, Data: b}
}

// U8Tensor wraps b (not copied) as a U8 tensor.
func U8Tensor(name string, shape []int, b []byte) Tensor {
	return Tensor{Name: name, DType: "U8", Shape: shape, Data: b}
}

// Float32s decodes the tensor's elements to float32: F32, F16 and BF16
// exactly, I8 and U8 as their integer values (apply a scale yourself).
func (t *Tensor) Float32s() ([]float32, error) {
	size := DTypeSize(t.DType)
	if size == 0 || len(t.Data)%size != 0 {
		return nil, fmt.Errorf("tensor %q: %d bytes of dtype %q", t.Name, len(t.Data), t.DType)
	}
	d := t.Data
	out := make([]float32, len(d)/size)
	switch t.DType {
	case "F32":
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(d[4*i:]))
		}
	case "F16":
		for i := range out {
			out[i] = F32FromF16(binary.LittleEndian.Uint16(d[2*i:]))
		}
	case "BF16":
		for i := range out {
			out[i] = F32FromBF16(binary.LittleEndian.Uint16(d[2*i:]))
		}
	case "I8":
		for i := range out {
			out[i] = float32(int8(d[i]))
		}
	case "U8":
		for i := range out {
			out[i] = float32(d[i])
		}
	default:
		return nil, fmt.Errorf("tensor %q: dtype %s does not decode to float32", t.Name, t.DType)
	}
	return out, nil
}

// Int8s returns an I8 tensor's values.
func (t *Tensor) Int8s() ([]int8, error) {
	if t.DType != "I8" {
		return nil, fmt.Errorf("tensor %q: dtype %s, want I8", t.Name, t.DType)
	}
	out := make([]int8, len(t.Data))
	for i, b := range t.Data {
		out[i] = int8(b)
	}
	return out, nil
}

// MaskBytes is the length of the bit mask of n elements: ceil(n/8).
func MaskBytes(n int) int { return (n + 7) / 8 }

// PackMask returns the bit mask of w's non-zero elements (bit i of byte
// i/8, LSB first) and those elements in order: the NAME.mask and
// NAME.values of a sparse tensor. -0 counts as zero; NaN as non-zero.
func PackMask(w []float32) (mask []byte, values []float32) {
	mask = make([]byte, MaskBytes(len(w)))
	for i, x := range w {
		if x != 0 {
			mask[i/8] |= 1 << (i % 8)
			values = append(values, x)
		}
	}
	return mask, values
}

// SparseF32 returns the NAME.mask and NAME.values (F32) tensors of w; to
// store the values as F16 or I8, build the values tensor from PackMask's
// output instead.
func SparseF32(name string, w []float32) []Tensor {
	mask, values := PackMask(w)
	return []Tensor{
		U8Tensor(name+".mask", []int{len(mask)}, mask),
		F32Tensor(name+".values", []int{len(values)}, values),
	}
}

// maskCount checks that mask covers n elements with zero padding bits and
// returns how many bits are set.
func maskCount(mask []byte, n int) (int, error) {
	if len(mask) != MaskBytes(n) {
		return 0, fmt.Errorf("%d bytes, want %d for %d elements", len(mask), MaskBytes(n), n)
	}
	if r := n % 8; r != 0 && mask[len(mask)-1]>>r != 0 {
		return 0, fmt.Errorf("padding bits after element %d are set", n)
	}
	c := 0
	for _, b := range mask {
		c += bits.OnesCount8(b)
	}
	return c, nil
}
