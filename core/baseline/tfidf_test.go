package baseline

import (
	"context"
	"math"
	"reflect"
	"testing"
)

// A corpus small enough to do by hand: n = 3 reviews, unigrams and bigrams,
// min_df 1.
//
//	d0 "Good movie"        good movie | good movie
//	d1 "Bad movie"         bad movie  | bad movie
//	d2 "good, GOOD film!"  good good film | good good, good film
//
// df: good 2, movie 2, the rest 1; smooth idf(df) = ln((1+3)/(1+df)) + 1:
// idf(2) = ln(4/3)+1 = 1.2876820724517808, idf(1) = ln 2 + 1 = 1.6931471805599454,
// stored as float32 1.287682056427002 and 1.6931471824645996.
// Row d2 with raw tf: good 2·a, film b, good film b, good good b (a, b the
// float32 idfs), norm √(4a²+3b²): 0.65985662, 0.43381611 (three times).
// With sublinear tf good's tf is 1+ln 2: 0.59662724, 0.46333426.
var handCorpus = []string{"Good movie", "Bad movie", "good, GOOD film!"}

func TestTFIDFByHand(t *testing.T) {
	cfg := Config{Tokens: TokensSklearn, NGramMin: 1, NGramMax: 2}
	terms, idf, _, err := fitVocabulary(context.Background(), handCorpus, cfg, 100, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	// By document frequency, then alphabetically.
	wantTerms := []string{"good", "movie", "bad", "bad movie", "film", "good film", "good good", "good movie"}
	if !reflect.DeepEqual(terms, wantTerms) {
		t.Fatalf("terms %q, want %q", terms, wantTerms)
	}
	a, b := float32(1.287682056427002), float32(1.6931471824645996)
	if want := []float32{a, a, b, b, b, b, b, b}; !reflect.DeepEqual(idf, want) {
		t.Fatalf("idf %v, want %v", idf, want)
	}
	for _, c := range []struct {
		sublinear bool
		want      []float32 // good, film, good film, good good
	}{
		{false, []float32{0.6598566174507141, 0.4338161051273346, 0.4338161051273346, 0.4338161051273346}},
		{true, []float32{0.5966272354125977, 0.46333426237106323, 0.46333426237106323, 0.46333426237106323}},
	} {
		cfg.Sublinear = c.sublinear
		m, err := New(cfg, terms, idf, make([]float32, len(terms)), 0)
		if err != nil {
			t.Fatal(err)
		}
		var v Vectorizer
		idx, val := v.Row(m, handCorpus[2])
		if want := []int32{0, 4, 5, 6}; !reflect.DeepEqual(idx, want) {
			t.Fatalf("row indices %v, want %v", idx, want)
		}
		for k := range val {
			if math.Abs(float64(val[k]-c.want[k])) > 1e-7 {
				t.Errorf("sublinear %v: x[%s] = %.9g, want %.9g", c.sublinear, terms[idx[k]], val[k], c.want[k])
			}
		}
		// A review of unknown words only is an empty row.
		if idx, _ := v.Row(m, "zzz qqq"); len(idx) != 0 {
			t.Errorf("unknown words gave a row %v", idx)
		}
	}
	// max_terms keeps the most frequent; min_df 2 keeps good and movie only.
	if terms, _, _, _ := fitVocabulary(context.Background(), handCorpus, cfg, 3, 1, nil); !reflect.DeepEqual(terms, wantTerms[:3]) {
		t.Errorf("max_terms 3: %q", terms)
	}
	if terms, _, _, _ := fitVocabulary(context.Background(), handCorpus, cfg, 100, 2, nil); !reflect.DeepEqual(terms, []string{"good", "movie"}) {
		t.Errorf("min_df 2: %q", terms)
	}
	// Bigrams only: a bigram is counted across an unknown-to-unigram word
	// boundary only when both words are adjacent in the review.
	cfg.NGramMin = 2
	if terms, _, _, _ := fitVocabulary(context.Background(), handCorpus, cfg, 100, 1, nil); !reflect.DeepEqual(terms, []string{"bad movie", "good film", "good good", "good movie"}) {
		t.Errorf("bigrams only: %q", terms)
	}
	if _, _, _, err := fitVocabulary(context.Background(), handCorpus, cfg, 100, 5, nil); err == nil {
		t.Errorf("min_df 5 of 3 reviews: no error")
	}
}

func TestNewRefuses(t *testing.T) {
	cfg := Config{Tokens: TokensSklearn, NGramMin: 1, NGramMax: 2}
	one := []float32{1}
	for _, c := range []struct {
		name  string
		cfg   Config
		terms []string
		idf   []float32
		w     []float32
	}{
		{"tokens", Config{Tokens: "x", NGramMin: 1, NGramMax: 1}, []string{"a"}, one, one},
		{"range", Config{Tokens: TokensSklearn, NGramMin: 2, NGramMax: 1}, []string{"a"}, one, one},
		{"lengths", cfg, []string{"a", "b"}, one, one},
		{"unigram in bigram-only", Config{Tokens: TokensSklearn, NGramMin: 2, NGramMax: 2}, []string{"a"}, one, one},
		{"trigram", cfg, []string{"a b c"}, one, one},
		{"double space", cfg, []string{"a  b"}, one, one},
		{"empty", cfg, []string{""}, one, one},
		{"idf", cfg, []string{"a"}, []float32{-1}, one},
		{"weight", cfg, []string{"a"}, one, []float32{float32(math.Inf(1))}},
		{"duplicate", cfg, []string{"a", "a"}, []float32{1, 1}, []float32{1, 1}},
	} {
		if _, err := New(c.cfg, c.terms, c.idf, c.w, 0); err == nil {
			t.Errorf("%s: New accepted it", c.name)
		}
	}
	if _, err := New(cfg, []string{"a"}, one, one, float32(math.NaN())); err == nil {
		t.Errorf("NaN bias accepted")
	}
}

// Train builds the training rows from the word ids it kept while counting
// (corpus.rows); prediction tokenizes (Vectorizer.Row). Both must give the
// same rows, bit for bit.
func TestTrainingRowsMatchPrediction(t *testing.T) {
	texts, _ := synthetic(300, 5)
	texts = append(texts, handCorpus...)
	texts = append(texts, "Ünïcode wörds, <br />HTML & 10/10 — not great!", "")
	for _, cfg := range []Config{
		{Tokens: TokensSklearn, NGramMin: 1, NGramMax: 2, Sublinear: true},
		{Tokens: TokensThesis, NGramMin: 1, NGramMax: 2},
		{Tokens: TokensSklearn, NGramMin: 2, NGramMax: 2},
		{Tokens: TokensSklearn, NGramMin: 1, NGramMax: 1},
	} {
		terms, idf, corp, err := fitVocabulary(context.Background(), texts, cfg, 150, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		m, err := New(cfg, terms, idf, make([]float32, len(terms)), 0)
		if err != nil {
			t.Fatal(err)
		}
		a, err := corp.rows(context.Background(), m, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := vectorizeAll(context.Background(), m, texts, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%+v: training rows differ from prediction rows", cfg)
		}
		if a.nnz() == 0 {
			t.Errorf("%+v: empty matrix", cfg)
		}
	}
}
