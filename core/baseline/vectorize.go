package baseline

import (
	"math"
	"slices"

	"sentilab/core/mathx"
)

// Vectorizer turns reviews into TF-IDF rows, reusing its buffers: the
// slices a call returns are valid until the next call. The zero value is
// ready; one Vectorizer per goroutine.
type Vectorizer struct {
	tokens []string
	ids    []uint32
	hits   []int32
	idx    []int32
	val    []float32
	x      []float64 // tf·idf before normalization
}

// Row returns the review's TF-IDF row under m: the indices of the terms it
// holds, ascending, and their values, L2-normalized. A review with no
// known term gives an empty row (its logit is the bias).
func (v *Vectorizer) Row(m *Model, review string) (idx []int32, val []float32) {
	v.tokens = Tokens(v.tokens[:0], review, m.Config.Tokens)
	v.ids = m.wordIDs(v.ids[:0], v.tokens)
	clear(v.tokens) // let the review's text go
	return v.rowOfIDs(m, v.ids)
}

// rowOfIDs is Row after tokenization: ids are m's word ids (0 = unknown).
func (v *Vectorizer) rowOfIDs(m *Model, ids []uint32) ([]int32, []float32) {
	v.hits = v.hits[:0]
	for i, a := range ids {
		if a == 0 {
			continue
		}
		if j := m.uni[a]; j >= 0 {
			v.hits = append(v.hits, j)
		}
		if m.Config.NGramMax == 2 && i+1 < len(ids) && ids[i+1] != 0 {
			if j, ok := m.terms[key(a, ids[i+1])]; ok {
				v.hits = append(v.hits, j)
			}
		}
	}
	slices.Sort(v.hits)
	v.idx, v.val = v.idx[:0], v.val[:0]
	x := v.x[:0]
	for k := 0; k < len(v.hits); {
		j := v.hits[k]
		n := 1
		for k+n < len(v.hits) && v.hits[k+n] == j {
			n++
		}
		k += n
		v.idx = append(v.idx, j)
		x = append(x, tf(n, m.Config.Sublinear)*float64(m.IDF[j]))
	}
	v.x = x
	ss := 0.0
	for _, e := range x {
		ss += e * e
	}
	norm := math.Sqrt(ss) // correctly rounded on every target
	for _, e := range x {
		v.val = append(v.val, float32(e/norm))
	}
	return v.idx, v.val
}

// tf is a term's weight for count occurrences: the count, or 1+ln(count)
// with sublinear TF (scikit-learn's sublinear_tf).
func tf(count int, sublinear bool) float64 {
	if sublinear {
		return 1 + mathx.Log64(float64(count))
	}
	return float64(count)
}

// smoothIDF is scikit-learn's smooth idf: ln((1+n)/(1+df)) + 1, as if one
// extra document held every term once; always ≥ 1.
func smoothIDF(n, df int) float32 {
	return float32(mathx.Log64(float64(1+n)/float64(1+df)) + 1)
}
