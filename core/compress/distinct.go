package compress

import "sentilab/core/nn"

// Distinct counts the distinct values the model file of opt stores for
// weight p, stopping at limit. An int8 weight matrix counts its int8 codes
// over the whole tensor, whatever its scale groups: at most 255 (−127 to
// 127), a zero kept in a sparse tensor's mask included. Counting the
// dequantized float32 values instead counts up to 255 per scale group
// (thousands for the embedding, one scale per row), which hides what int8
// storage is. Any other tensor counts its float32 values as the model
// holds them.
func Distinct(p nn.Param, opt EncodeOptions, limit int) int {
	if opt.Values == StoreInt8 && len(p.Shape) == 2 {
		// The tensors the file holds for p, as Tensors encodes them.
		ts := int8Tensors(p)
		zeros := false
		if opt.Sparse && sparseIsSmaller(p.W, opt.Values) {
			ts = sparseTensors(p.Name, p.W, opt.Values)
			zeros = countNonZero(p.W) < len(p.W) // in the mask, not the codes
		}
		var seen [256]bool
		n := 0
		add := func(b byte) {
			if !seen[b] {
				seen[b] = true
				n++
			}
		}
		if zeros {
			add(0)
		}
		for _, t := range ts {
			if t.DType == "I8" {
				for _, b := range t.Data {
					add(b)
				}
			}
		}
		return min(n, limit)
	}
	seen := map[float32]bool{}
	for _, w := range p.W {
		if len(seen) >= limit {
			break
		}
		seen[w] = true
	}
	return len(seen)
}
