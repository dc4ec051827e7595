package eda

import (
	_ "embed"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"sentilab/core/text"
)

// sklearnEnglishFile is scikit-learn's 318-word English stop list; its
// provenance is in the file's comment header.
//
//go:embed stopwords_sklearn_english.txt
var sklearnEnglishFile string

// SklearnStopwords returns scikit-learn's English stop words in source order.
func SklearnStopwords() []string { return text.ParseWordList(sklearnEnglishFile) }

// tfidfMeans runs c.tfidf on docs alone (every document labelled 0).
func tfidfMeans(docs []string, maxFeatures, n int) ([]TermScore, int) {
	size := 0
	for _, doc := range docs {
		size += len(doc)
	}
	c := newCorpus(size)
	for d, doc := range docs {
		c.add(d, doc, 0)
	}
	c.finish()
	return c.tfidf(maxFeatures, n, nil)
}

// tfidf reproduces
//
//	v = TfidfVectorizer(stop_words='english', max_features=maxFeatures)
//	X = v.fit_transform(docs); X.mean(axis=0)
//
// over the documents added to c, and returns the top n terms by mean score
// (ties keep alphabetical order) and the vocabulary size before
// max_features. Tokens are maximal runs of at least two \w runes of the
// lowercased text (token_pattern (?u)\b\w\w+\b), minus the stop words; the
// max_features terms are the most frequent over the corpus, ties broken
// alphabetically (sklearn's stable argsort over its sorted vocabulary);
// idf = ln((1+n)/(1+df)) + 1; rows are raw counts × idf, L2-normalised;
// the mean multiplies each entry by 1/n before summing, as scipy does.
// progress is called with the number of documents scored.
func (c *corpus) tfidf(maxFeatures, n int, progress func(done int)) ([]TermScore, int) {
	terms, tf, df := c.terms, c.tf, c.df
	nDocs := len(c.docStart) - 1
	// max_features: the most frequent terms, ties alphabetical; then the
	// kept features are re-indexed alphabetically, as sklearn's vocabulary is.
	order := make([]int32, len(terms))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if tf[a] != tf[b] {
			if tf[a] > tf[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(terms[a], terms[b])
	})
	if maxFeatures > 0 && len(order) > maxFeatures {
		order = order[:maxFeatures]
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(terms[a], terms[b]) })
	feature := make([]int32, len(terms)) // term id -> feature index, -1 if dropped
	for i := range feature {
		feature[i] = -1
	}
	idf := make([]float64, len(order))
	for f, id := range order {
		feature[id] = int32(f)
		idf[f] = math.Log(float64(nDocs+1)/float64(df[id]+1)) + 1
	}

	// Pass 2: per document, counts of the kept features in feature order
	// (CSR order), L2 norm, then the scaled sum.
	counts := make([]int32, len(order))
	var touched []int32
	row := make([]float64, 0, 256)
	sums := make([]float64, len(order))
	inv := 1.0 / float64(nDocs)
	for d := 0; d < nDocs; d++ {
		touched = touched[:0]
		for _, id := range c.docTok[c.docStart[d]:c.docStart[d+1]] {
			f := feature[id]
			if f < 0 {
				continue
			}
			if counts[f] == 0 {
				touched = append(touched, f)
			}
			counts[f]++
		}
		slices.Sort(touched)
		row = row[:0]
		var norm float64
		for _, f := range touched {
			v := float64(counts[f]) * idf[f]
			row = append(row, v)
			norm += v * v
			counts[f] = 0
		}
		if norm != 0 {
			norm = math.Sqrt(norm)
			for k, f := range touched {
				sums[f] += (row[k] / norm) * inv
			}
		}
		if progress != nil && (d+1)%1000 == 0 {
			progress(d + 1)
		}
	}

	top := make([]TermScore, len(order))
	for f, id := range order {
		top[f] = TermScore{Term: terms[id], Score: sums[f]}
	}
	slices.SortStableFunc(top, func(a, b TermScore) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	return top[:min(n, len(top))], len(terms)
}

// eachToken calls f with every maximal run of at least two word runes
// (Python's \w) in s: the matches of (?u)\b\w\w+\b.
func eachToken(s string, f func(string)) {
	start, runes := -1, 0
	for i := 0; i < len(s); {
		var word bool
		size := 1
		if c := s[i]; c < utf8.RuneSelf {
			word = asciiWord[c]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			word = text.IsWordRune(r) && !(r == utf8.RuneError && size == 1)
		}
		if word {
			if start < 0 {
				start, runes = i, 0
			}
			runes++
		} else if start >= 0 {
			if runes >= 2 {
				f(s[start:i])
			}
			start = -1
		}
		i += size
	}
	if start >= 0 && runes >= 2 {
		f(s[start:])
	}
}

var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = text.IsWordRune(rune(c))
	}
	return t
}()
