package eda

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// The expected values in this file were computed with pandas 1.5.3,
// numpy 1.24.2 and scikit-learn 1.2.1 (Debian bookworm packages).

func TestTFIDFMatchesSklearn(t *testing.T) {
	docs := []string{"the movie was good good good", "a film, a movie: bad acting and bad plot", "great film great cast",
		"", "movie movie movie film", "café naïve résumé x y z 42 4 _a_ b_c", "good plot, good film"}
	// TfidfVectorizer(stop_words='english', max_features=5); "bad",
	// "great" and "plot" tie at 2 occurrences: alphabetical order keeps
	// bad and great.
	want := []TermScore{
		{"good", 0.2713233748635197},
		{"movie", 0.22224180486939565},
		{"film", 0.17128780277585115},
		{"great", 0.13652767254120046},
		{"bad", 0.1292982007235218},
	}
	top, vocab := tfidfMeans(docs, 5, 10)
	if len(top) != len(want) {
		t.Fatalf("got %d terms %v, want %d", len(top), top, len(want))
	}
	for i, w := range want {
		if top[i].Term != w.Term || math.Abs(top[i].Score-w.Score) > 1e-15 {
			t.Errorf("term %d = %v, want %v", i, top[i], w)
		}
	}
	// sorted(TfidfVectorizer(stop_words='english').fit(docs).vocabulary_):
	// 42 _a_ acting b_c bad café cast film good great movie naïve plot résumé
	if vocab != 14 {
		t.Errorf("vocabulary %d, want 14", vocab)
	}
}

func TestEachTokenIsSklearnPattern(t *testing.T) {
	var got []string
	eachToken("it's a b_c x1 é 42 café—naïve ab\xffcd 日本語 z", func(s string) { got = append(got, s) })
	want := []string{"it", "b_c", "x1", "42", "café", "naïve", "ab", "cd", "日本語"}
	if !slices.Equal(got, want) {
		t.Errorf("tokens %q, want %q", got, want)
	}
}

func TestSklearnStopwords(t *testing.T) {
	w := SklearnStopwords()
	if len(w) != 318 || w[0] != "a" || w[len(w)-1] != "yourselves" {
		t.Errorf("%d sklearn stop words, first %q last %q", len(w), w[0], w[len(w)-1])
	}
	for _, s := range []string{"the", "and", "would", "thereupon", "co", "de"} {
		if !slices.Contains(w, s) {
			t.Errorf("%q missing", s)
		}
	}
	// These are the thesis's top TF-IDF terms, so not stop words.
	for _, s := range []string{"movie", "film", "good", "really", "make", "seen"} {
		if slices.Contains(w, s) {
			t.Errorf("%q should not be a sklearn stop word", s)
		}
	}
}

func TestPercentilesMatchPandas(t *testing.T) {
	// pd.Series([3,1,4,1,5,9,2,6,5,3,5]).quantile([i/20 for i in range(21)])
	want := []float64{1.0, 1.0, 1.0, 1.5, 2.0, 2.5, 3.0, 3.0, 3.0, 3.5, 4.0, 4.5, 5.0, 5.0, 5.0, 5.0, 5.0, 5.5, 6.0, 7.5, 9.0}
	got := percentiles([]int{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5}, 5)
	if len(got) != 21 {
		t.Fatalf("%d percentiles", len(got))
	}
	for i, p := range got {
		if p.P != 5*i || p.Value != want[i] {
			t.Errorf("percentile %d = %v, want %v", 5*i, p.Value, want[i])
		}
	}
	if got := percentiles([]int{7}, 50); len(got) != 3 || got[0].Value != 7 || got[2].Value != 7 {
		t.Errorf("one value: %v", got)
	}
}

func TestHistogramMatchesNumpy(t *testing.T) {
	// np.histogram(range(11), bins=4, range=(0, 10))
	h := histogram([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0, 10, 4)
	if !slices.Equal(h.Counts, []int{3, 2, 3, 3}) || !slices.Equal(h.Edges, []float64{0, 2.5, 5, 7.5, 10}) {
		t.Errorf("histogram %v", h)
	}
	// Degenerate range and out-of-range values must not panic.
	h = histogram([]int{0, 0, -1, 5}, 0, 0, 3)
	if sum(h.Counts) != 2 || len(h.Edges) != 4 {
		t.Errorf("degenerate histogram %v", h)
	}
}

func sum(xs []int) (s int) {
	for _, x := range xs {
		s += x
	}
	return s
}

func TestComputeCountsMatchPandas(t *testing.T) {
	// df = DataFrame(review=['a','b','a','c','a',NaN,NaN,'b'],
	//                sentiment=[pos,neg,pos,neg,neg,pos,pos,neg])
	// df.duplicated().sum() = 3, df.review.duplicated().sum() = 4,
	// nulls 2; describe: review count 6 unique 3 top a freq 3;
	// sentiment count 8 unique 2 top positive freq 4.
	texts := []string{"a", "b", "a", "c", "a", "", "", "b"}
	labels := []int{1, 0, 1, 0, 0, 1, 1, 0}
	r, err := Compute(texts, labels, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(r.NullReviews, r.DuplicateRows, r.DuplicateReviews, r.Describe.Review, r.Describe.Sentiment)
	if want := "2 3 4 {6 3 a 3} {8 2 positive 4}"; got != want {
		t.Errorf("counts %s, want %s", got, want)
	}
}

func TestComputeStats(t *testing.T) {
	texts := []string{
		"Great movie, GREAT cast!<br />Loved it.",
		"Bad. Bad film; the worst film.",
		"An okay film I think",
		"great great film",
	}
	labels := []int{1, 0, 0, 1}
	var calls []int
	r, err := Compute(texts, labels, Options{Bins: 2, TopWords: 2, TopTerms: 3, Progress: func(done, total int) {
		if total != 12 {
			t.Errorf("progress total %d, want 12", total)
		}
		calls = append(calls, done)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if calls[len(calls)-1] != 12 {
		t.Errorf("last progress %v, want 12", calls)
	}
	// Cleaned (checked with the Python pipeline): "great movie great cast
	// loved it " (the tag glued "it." to "<br", so "it" survives), "bad bad
	// film worst film ", "okay film think ", "great great film ".
	neg, pos := r.Classes[0], r.Classes[1]
	if fmt.Sprint(neg.Count, neg.WordCount, neg.CharLength) != "2 {4 3 5} {20 16 24}" {
		t.Errorf("negative %v %v %v", neg.Count, neg.WordCount, neg.CharLength)
	}
	if fmt.Sprint(pos.Count, pos.WordCount, pos.CharLength) != "2 {4.5 3 6} {24.5 17 32}" {
		t.Errorf("positive %v %v %v", pos.Count, pos.WordCount, pos.CharLength)
	}
	if fmt.Sprint(pos.TopWords) != "[{great 4} {cast 1}]" || fmt.Sprint(neg.TopWords) != "[{film 3} {bad 2}]" {
		t.Errorf("top words %v / %v", pos.TopWords, neg.TopWords)
	}
	if fmt.Sprint(neg.WordCountHist.Counts, pos.WordCountHist.Counts, pos.WordCountHist.Edges) != "[0 2] [0 2] [0 3 6]" {
		t.Errorf("histograms %v %v %v", neg.WordCountHist, pos.WordCountHist, pos.WordCountHist.Edges)
	}
	if r.Chars != " abcdefghiklmnorstvwy" || r.DistinctChars != len(r.Chars) {
		t.Errorf("chars %q (%d)", r.Chars, r.DistinctChars)
	}
	if len(r.TFIDF.Top) != 3 || r.TFIDF.Top[0].Term != "great" {
		t.Errorf("tfidf %v", r.TFIDF.Top)
	}
}

func TestComputeRejects(t *testing.T) {
	cases := map[string]struct {
		texts  []string
		labels []int
		opt    Options
	}{
		"empty":          {nil, nil, Options{}},
		"length":         {[]string{"a", "b"}, []int{1}, Options{}},
		"label":          {[]string{"a", "b"}, []int{1, 2}, Options{}},
		"negative label": {[]string{"a"}, []int{-1}, Options{}},
		"cleaned":        {[]string{"a", "b"}, []int{1, 0}, Options{Cleaned: []string{"a"}}},
	}
	for name, c := range cases {
		if _, err := Compute(c.texts, c.labels, c.opt); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.HasPrefix(err.Error(), "eda: ") {
			t.Errorf("%s: error %q lacks the package prefix", name, err)
		}
	}
}

// Contradictory and single-class data are accepted, with a warning.
func TestWarnings(t *testing.T) {
	r, err := Compute([]string{"good film", "good film", "bad film", "fine"}, []int{1, 0, 0, 1}, Options{Bins: 2})
	if err != nil {
		t.Fatal(err)
	}
	if r.ContradictoryTexts != 1 || r.DuplicateReviews != 1 || len(r.Warnings) != 2 ||
		!strings.HasPrefix(r.Warnings[0], "1 review text appears with both labels") ||
		!strings.HasPrefix(r.Warnings[1], "1 review repeats an earlier one word for word (1 distinct text)") {
		t.Fatalf("contradictory %d, duplicates %d, warnings %q", r.ContradictoryTexts, r.DuplicateReviews, r.Warnings)
	}
	r, err = Compute([]string{"good film", "great film"}, []int{1, 1}, Options{Bins: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Warnings) != 1 || r.Warnings[0] != "all 2 reviews are positive: a classifier needs both classes" {
		t.Fatalf("single class: warnings %q", r.Warnings)
	}
}
