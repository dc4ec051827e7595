package baseline

import (
	"fmt"
	"math"
	"strings"
)

// Config says how a review becomes a feature vector.
type Config struct {
	Tokens    string `json:"tokens"`    // TokensSklearn or TokensThesis
	NGramMin  int    `json:"ngram_min"` // 1 or 2
	NGramMax  int    `json:"ngram_max"` // NGramMin..2
	Sublinear bool   `json:"sublinear_tf"`
}

// Validate checks the config. N-grams are limited to 1 and 2 words: a
// bigram is two 32-bit word ids packed in one 64-bit key (see Model).
func (c Config) Validate() error {
	if err := checkTokens(c.Tokens); err != nil {
		return err
	}
	if c.NGramMin < 1 || c.NGramMax > 2 || c.NGramMin > c.NGramMax {
		return fmt.Errorf("n-gram range [%d, %d]: want 1 ≤ min ≤ max ≤ 2", c.NGramMin, c.NGramMax)
	}
	return nil
}

// MaxTerms bounds a model's vocabulary (a model file may claim any size;
// 2 million n-grams is ten times what the lab uses).
const MaxTerms = 2_000_000

// Model is a TF-IDF logistic regression: for a review, x_j = tf_j·idf_j
// over the vocabulary's n-grams (tf the raw count, or 1+ln(count) when
// Config.Sublinear), the row scaled to unit L2 norm; then the logit
// z = bias + Σ_j weight_j·x_j and P(positive) = σ(z).
type Model struct {
	Config  Config
	Terms   []string  // the vocabulary: n-grams, words joined by one space
	IDF     []float32 // per term: ln((1+n)/(1+df)) + 1 on the n training reviews
	Weights []float32 // per term
	Bias    float32

	words map[string]uint32 // each word of some term → its id, from 1
	terms map[uint64]int32  // packed word ids (see key) → term index
	uni   []int32           // word id → its unigram's term index, or -1 (a slice: most lookups are unigrams)
}

// key packs the word ids of a unigram (a) or bigram (a, b); ids start at
// 1, so a bigram's key always has high bits and never equals a unigram's.
func key(a, b uint32) uint64 { return uint64(a)<<32 | uint64(b) }

// New checks a model's parts and builds its lookup tables. It never panics
// on bad input: every term must be 1..NGramMax non-empty words without
// spaces inside them (NGramMin.. words), appear once, and come with a finite
// positive IDF and a finite weight. The slices are kept, not copied.
func New(cfg Config, terms []string, idf, weights []float32, bias float32) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(terms) > MaxTerms {
		return nil, fmt.Errorf("%d terms, over the %d limit", len(terms), MaxTerms)
	}
	if len(idf) != len(terms) || len(weights) != len(terms) {
		return nil, fmt.Errorf("%d terms, %d idf values and %d weights: want one of each per term", len(terms), len(idf), len(weights))
	}
	if !finite(bias) {
		return nil, fmt.Errorf("bias is %v, want a finite number", bias)
	}
	m := &Model{Config: cfg, Terms: terms, IDF: idf, Weights: weights, Bias: bias,
		words: map[string]uint32{}, terms: make(map[uint64]int32, len(terms))}
	id := func(w string) uint32 {
		if v, ok := m.words[w]; ok {
			return v
		}
		v := uint32(len(m.words) + 1)
		m.words[w] = v
		return v
	}
	for j, t := range terms {
		if !finite(idf[j]) || idf[j] <= 0 {
			return nil, fmt.Errorf("term %d %q: idf %v, want a finite number > 0", j, t, idf[j])
		}
		if !finite(weights[j]) {
			return nil, fmt.Errorf("term %d %q: weight %v, want a finite number", j, t, weights[j])
		}
		a, b, two := strings.Cut(t, " ")
		n := 1
		if two {
			n = 2
		}
		if a == "" || two && (b == "" || strings.Contains(b, " ")) || n < cfg.NGramMin || n > cfg.NGramMax {
			return nil, fmt.Errorf("term %d %q: want %d to %d non-empty words joined by one space", j, t, cfg.NGramMin, cfg.NGramMax)
		}
		k := key(0, id(a))
		if two {
			k = key(id(a), id(b))
		}
		if _, dup := m.terms[k]; dup {
			return nil, fmt.Errorf("term %d %q appears twice", j, t)
		}
		m.terms[k] = int32(j)
	}
	m.uni = make([]int32, len(m.words)+1)
	for i := range m.uni {
		m.uni[i] = -1
	}
	for k, j := range m.terms {
		if k>>32 == 0 {
			m.uni[k] = j
		}
	}
	return m, nil
}

func finite(x float32) bool { return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) }

// NumTerms is the vocabulary size.
func (m *Model) NumTerms() int { return len(m.Terms) }

// wordIDs appends the ids of tokens to dst, 0 for a word in no term (it
// then breaks every n-gram it is part of, which is right: no term holds it).
func (m *Model) wordIDs(dst []uint32, tokens []string) []uint32 {
	for _, w := range tokens {
		dst = append(dst, m.words[w])
	}
	return dst
}

// Logit returns the model's logit for a raw review.
func (m *Model) Logit(review string) float64 {
	var v Vectorizer
	idx, val := v.Row(m, review)
	return m.logitOf(idx, val)
}

// logitOf is bias + Σ weight_j·x_j, summed in float64 in row order.
func (m *Model) logitOf(idx []int32, val []float32) float64 {
	z := float64(m.Bias)
	for k, j := range idx {
		z += float64(m.Weights[j]) * float64(val[k])
	}
	return z
}

// Logits returns the logit of each review.
func (m *Model) Logits(reviews []string) []float32 {
	out := make([]float32, len(reviews))
	var v Vectorizer
	for i, r := range reviews {
		idx, val := v.Row(m, r)
		out[i] = float32(m.logitOf(idx, val))
	}
	return out
}
