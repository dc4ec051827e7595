package compress

import "math"

// Symmetric int8 quantization: q = round(w/s) clamped to [-127, 127], with
// s = max|w|/127 over the group (a row or a column), so the largest value
// maps to ±127 exactly and w is recovered as q·s within s/2. −128 is never
// used, which keeps the range symmetric (TFLite's rule for weights). A group
// of zeros gets s = 0 and q = 0.

// QuantizeRows quantizes w [rows, cols] with one scale per row (the
// embedding: each token's vector gets its own range).
func QuantizeRows(w []float32, rows, cols int) (q []int8, scale []float32) {
	q = make([]int8, rows*cols)
	scale = make([]float32, rows)
	for r := 0; r < rows; r++ {
		scale[r] = quantizeGroup(w[r*cols:(r+1)*cols], 1, q[r*cols:(r+1)*cols])
	}
	return q, scale
}

// QuantizeCols quantizes w [rows, cols] with one scale per column (a kernel
// [in, out]: each output unit gets its own range, TFLite's per-channel rule).
func QuantizeCols(w []float32, rows, cols int) (q []int8, scale []float32) {
	q = make([]int8, rows*cols)
	scale = make([]float32, cols)
	for c := 0; c < cols; c++ {
		scale[c] = quantizeGroup(w[c:], cols, q[c:])
	}
	return q, scale
}

// QuantizeTensor quantizes all of w with one scale.
func QuantizeTensor(w []float32) (q []int8, scale float32) {
	q = make([]int8, len(w))
	return q, quantizeGroup(w, 1, q)
}

// quantizeGroup quantizes the elements w[0], w[stride], ... into q at the
// same positions and returns their scale. The division runs in float64 so
// the rounding is the same on every target.
func quantizeGroup(w []float32, stride int, q []int8) float32 {
	var maxAbs float32
	for i := 0; i < len(w); i += stride {
		if a := abs32(w[i]); a > maxAbs {
			maxAbs = a
		}
	}
	if maxAbs == 0 {
		for i := 0; i < len(w); i += stride {
			q[i] = 0
		}
		return 0
	}
	s := maxAbs / 127
	for i := 0; i < len(w); i += stride {
		q[i] = roundClamp(float64(w[i]) / float64(s))
	}
	return s
}

// roundClamp rounds half away from zero (C's round, which TFLite uses) and
// clamps to [-127, 127].
func roundClamp(x float64) int8 {
	r := math.Round(x)
	if r > 127 {
		r = 127
	}
	if r < -127 {
		r = -127
	}
	return int8(r)
}

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}

// DequantizeRows returns q·scale[row] for q [rows, cols].
func DequantizeRows(q []int8, scale []float32, rows, cols int) []float32 {
	w := make([]float32, rows*cols)
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			w[r*cols+c] = float32(q[r*cols+c]) * scale[r]
		}
	}
	return w
}

// DequantizeCols returns q·scale[col] for q [rows, cols].
func DequantizeCols(q []int8, scale []float32, rows, cols int) []float32 {
	w := make([]float32, rows*cols)
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			w[r*cols+c] = float32(q[r*cols+c]) * scale[c]
		}
	}
	return w
}
