package eda

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"sentilab/core/data"
	"sentilab/core/text"
)

// Options tunes Compute. The zero value gives the thesis's settings.
type Options struct {
	// Cleaned, if not nil, holds text.Clean of every text (so a caller that
	// already cleaned the corpus does not pay twice). It must have the same
	// length as the texts.
	Cleaned []string
	// Progress, if set, is called about every 1,000 documents with the
	// units done and the total; a browser worker yields to JS there.
	Progress func(done, total int)

	Bins        int // histogram bins; default 50
	TopWords    int // word-cloud words per class; default 200
	TopTerms    int // TF-IDF terms reported; default 20
	MaxFeatures int // TF-IDF max_features; default 1000
}

func (o *Options) defaults() {
	if o.Bins <= 0 {
		o.Bins = 50
	}
	if o.TopWords <= 0 {
		o.TopWords = 200
	}
	if o.TopTerms <= 0 {
		o.TopTerms = 20
	}
	if o.MaxFeatures <= 0 {
		o.MaxFeatures = 1000
	}
}

// Sentiments names the labels: 0 negative, 1 positive.
var Sentiments = [2]string{"negative", "positive"}

// Compute returns the EDA of texts with labels (0 negative, 1 positive).
// It refuses mismatched lengths, an empty corpus and labels other than 0/1.
func Compute(texts []string, labels []int, opt Options) (*Report, error) {
	opt.defaults()
	n := len(texts)
	if n == 0 {
		return nil, fmt.Errorf("eda: no texts")
	}
	if len(labels) != n {
		return nil, fmt.Errorf("eda: %d texts but %d labels", n, len(labels))
	}
	for i, l := range labels {
		if l != 0 && l != 1 {
			return nil, fmt.Errorf("eda: label %d of row %d, want 0 (negative) or 1 (positive)", l, i)
		}
	}
	if opt.Cleaned != nil && len(opt.Cleaned) != n {
		return nil, fmt.Errorf("eda: %d texts but %d cleaned texts", n, len(opt.Cleaned))
	}

	// Progress units: cleaning (n, unless given), counting (n), TF-IDF (n).
	total, base := 2*n, 0
	if opt.Cleaned == nil {
		total += n
	}
	report := func(done int) {
		if opt.Progress != nil {
			opt.Progress(base+done, total)
		}
	}
	cleaned := opt.Cleaned
	if cleaned == nil {
		cleaned = text.CleanAll(texts, func(done, _ int) { report(done) })
		base += n
	}

	r := &Report{Rows: n}
	rawCounts(r, texts, labels)

	words := make([]int, n)
	chars := make([]int, n)
	size := 0
	for _, s := range cleaned {
		size += len(s)
	}
	corp := newCorpus(size)
	var ascii [utf8.RuneSelf]bool
	other := make(map[rune]bool)
	for i, s := range cleaned {
		words[i] = corp.add(i, s, labels[i])
		chars[i] = countChars(s, &ascii, other)
		if (i+1)%1000 == 0 {
			report(i + 1)
		}
	}
	corp.finish()
	base += n

	var set []rune
	for c, seen := range ascii {
		if seen {
			set = append(set, rune(c))
		}
	}
	for c := range other {
		set = append(set, c)
	}
	slices.Sort(set)
	r.DistinctChars, r.Chars = len(set), string(set)
	r.WordCountPercentiles = percentiles(words, 5)

	maxWords, maxChars := slices.Max(words), slices.Max(chars)
	for label, name := range Sentiments {
		var w, c []int
		for i, l := range labels {
			if l == label {
				w = append(w, words[i])
				c = append(c, chars[i])
			}
		}
		r.Classes = append(r.Classes, ClassStats{
			Sentiment:      name,
			Label:          label,
			Count:          len(w),
			WordCount:      summarize(w),
			CharLength:     summarize(c),
			WordCountHist:  histogram(w, 0, float64(maxWords), opt.Bins),
			CharLengthHist: histogram(c, 0, float64(maxChars), opt.Bins),
			TopWords:       corp.topWords(label, opt.TopWords),
		})
	}

	top, vocab := corp.tfidf(opt.MaxFeatures, opt.TopTerms, report)
	r.TFIDF = TFIDF{MaxFeatures: opt.MaxFeatures, Vocabulary: vocab, Top: top}
	if opt.Progress != nil {
		opt.Progress(total, total)
	}
	return r, nil
}

// rawCounts fills the null, duplicate and describe fields from the raw
// texts. An empty text is pandas' NaN: a null, left out of describe, but
// equal to other NaNs for duplicated(), as pandas treats them.
func rawCounts(r *Report, texts []string, labels []int) {
	type seen struct {
		first  int    // index of first occurrence, for pandas' tie order
		count  int    // occurrences
		labels [2]int // occurrences per label
	}
	m := make(map[string]*seen, len(texts))
	for i, s := range texts {
		if s == "" {
			r.NullReviews++
		}
		e := m[s]
		if e == nil {
			e = &seen{first: i}
			m[s] = e
		} else {
			r.DuplicateReviews++
			// A text repeated with the other label is a duplicate
			// review but not a duplicate row.
			if e.labels[labels[i]] > 0 {
				r.DuplicateRows++
			}
		}
		e.count++
		e.labels[labels[i]]++
	}
	d := &r.Describe.Review
	d.Count = len(texts) - r.NullReviews
	best := -1
	for s, e := range m {
		if s == "" {
			continue
		}
		d.Unique++
		if e.count > d.Freq || (e.count == d.Freq && e.first < best) {
			d.Top, d.Freq, best = s, e.count, e.first
		}
	}

	// pandas keeps the first-seen value among equal counts: negative wins
	// the 25,000/25,000 tie on the IMDB data because row 0 is negative.
	var per [2]int
	for _, l := range labels {
		per[l]++
	}
	sd := &r.Describe.Sentiment
	sd.Count = len(labels)
	first := labels[0]
	sd.Top, sd.Freq = Sentiments[first], per[first]
	if per[1-first] > per[first] {
		sd.Top, sd.Freq = Sentiments[1-first], per[1-first]
	}
	for _, c := range per {
		if c > 0 {
			sd.Unique++
		}
	}

	texts2 := 0 // distinct texts that occur more than once
	for _, e := range m {
		if e.count > 1 {
			texts2++
		}
		if e.labels[0] > 0 && e.labels[1] > 0 {
			r.ContradictoryTexts++
		}
	}
	r.Warnings = data.Hygiene{Reviews: len(texts), Positive: per[1], Negative: per[0],
		DuplicateReviews: r.DuplicateReviews, DuplicateTexts: texts2, ContradictoryTexts: r.ContradictoryTexts}.Warnings()
}

// countChars returns the number of code points of s (Python's len) and
// marks every code point it holds.
func countChars(s string, ascii *[utf8.RuneSelf]bool, other map[rune]bool) int {
	n := 0
	for j := 0; j < len(s); n++ {
		if b := s[j]; b < utf8.RuneSelf {
			ascii[b] = true
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		other[r] = true
		j += size
	}
	return n
}
