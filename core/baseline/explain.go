package baseline

import (
	"cmp"
	"slices"
)

// Contribution is one n-gram's part in a review's logit: Value = x_j (its
// TF-IDF in the normalized row), Weight = w_j, Logit = w_j·x_j. The logit
// of the review is the bias plus the sum of its contributions.
type Contribution struct {
	Term   string  `json:"term"`
	Value  float32 `json:"value"`
	Weight float32 `json:"weight"`
	Logit  float64 `json:"logit"`
}

// Explanation is a review's logit taken apart, for the Try step: which
// n-grams pushed it towards positive and which towards negative.
type Explanation struct {
	Logit    float64        `json:"logit"`
	Positive float64        `json:"positive"` // σ(logit)
	Bias     float32        `json:"bias"`
	Terms    []Contribution `json:"terms"` // every n-gram of the review, largest |Logit| first
}

// Explain returns each vocabulary n-gram's contribution to the review's
// logit, ordered by magnitude (ties by term, so the order is fixed).
func (m *Model) Explain(review string) Explanation {
	var v Vectorizer
	idx, val := v.Row(m, review)
	e := Explanation{Logit: m.logitOf(idx, val), Bias: m.Bias}
	e.Positive = sigmoid(e.Logit)
	for k, j := range idx {
		w := m.Weights[j]
		e.Terms = append(e.Terms, Contribution{Term: m.Terms[j], Value: val[k], Weight: w, Logit: float64(w) * float64(val[k])})
	}
	slices.SortFunc(e.Terms, func(a, b Contribution) int {
		if c := cmp.Compare(abs(b.Logit), abs(a.Logit)); c != 0 {
			return c
		}
		return cmp.Compare(a.Term, b.Term)
	})
	return e
}

// Top returns up to k contributions pushing towards positive (largest
// first) and up to k pushing towards negative (most negative first).
func (e Explanation) Top(k int) (pos, neg []Contribution) {
	for _, c := range e.Terms {
		if c.Logit > 0 && len(pos) < k {
			pos = append(pos, c)
		}
		if c.Logit < 0 && len(neg) < k {
			neg = append(neg, c)
		}
	}
	return pos, neg
}

// TermWeight is a vocabulary n-gram and its weight.
type TermWeight struct {
	Term   string  `json:"term"`
	Weight float32 `json:"weight"`
}

// TopWeights returns the k n-grams with the largest weights and the k with
// the most negative: what the model learned to read as praise and as pans.
func (m *Model) TopWeights(k int) (pos, neg []TermWeight) {
	order := make([]int, len(m.Terms))
	for j := range order {
		order[j] = j
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(m.Weights[b], m.Weights[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	for _, j := range order[:min(k, len(order))] {
		if m.Weights[j] > 0 {
			pos = append(pos, TermWeight{m.Terms[j], m.Weights[j]})
		}
	}
	for i := len(order) - 1; i >= max(0, len(order)-k); i-- {
		if j := order[i]; m.Weights[j] < 0 {
			neg = append(neg, TermWeight{m.Terms[j], m.Weights[j]})
		}
	}
	return pos, neg
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
