package baseline

import (
	"context"
	"math"
	"testing"
)

// TestTFIDFMatchesScikitLearn checks the features against scikit-learn
// 1.2.1 (Debian's python3-sklearn), which printed the constants below for
//
//	TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True|False).fit_transform(sklearnDocs)
//
// (min_df 1, no max_features, so the vocabulary is every n-gram): the same
// n-grams, the same idf to float32 precision, the same L2-normalized rows.
// The documents exercise the token pattern: case, punctuation, "<br />",
// the apostrophe of "don't" and "film's", digits, '_' and accented letters,
// one-letter words dropped ("x y z" has no token at all).
func TestTFIDFMatchesScikitLearn(t *testing.T) {
	for _, sublinear := range []bool{true, false} {
		cfg := Config{Tokens: TokensSklearn, NGramMin: 1, NGramMax: 2, Sublinear: sublinear}
		terms, idf, _, err := fitVocabulary(context.Background(), sklearnDocs, cfg, 1000, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(terms) != len(sklearnIDF) {
			t.Errorf("%d n-grams, scikit-learn has %d", len(terms), len(sklearnIDF))
		}
		for j, term := range terms {
			want, ok := sklearnIDF[term]
			if !ok || math.Abs(float64(idf[j])-want) > 1e-6 {
				t.Errorf("idf[%q] = %v, scikit-learn %v (present %v)", term, idf[j], want, ok)
			}
		}
		m, err := New(cfg, terms, idf, make([]float32, len(terms)), 0)
		if err != nil {
			t.Fatal(err)
		}
		want := sklearnRowsRaw
		if sublinear {
			want = sklearnRowsSublinear
		}
		var v Vectorizer
		for d, doc := range sklearnDocs {
			idx, val := v.Row(m, doc)
			if len(idx) != len(want[d]) {
				t.Errorf("sublinear %v, doc %d: %d n-grams, scikit-learn %d", sublinear, d, len(idx), len(want[d]))
			}
			for k, j := range idx {
				w, ok := want[d][terms[j]]
				// float32 values from float32 idf: 1e-6 is a few ulp.
				if !ok || math.Abs(float64(val[k])-w) > 1e-6 {
					t.Errorf("sublinear %v, doc %d: x[%q] = %v, scikit-learn %v (present %v)", sublinear, d, terms[j], val[k], w, ok)
				}
			}
		}
	}
}

// Printed by scikit-learn 1.2.1 (see TestTFIDFMatchesScikitLearn).

var sklearnDocs = []string{
	"A GREAT movie, not a great plot.<br /><br />Great!",
	"Worst film ever: don't watch it... 0/10",
	"Élan and naïveté; the film's ending_scene was great",
	"not bad, not bad at all",
	"x y z",
}

var sklearnRowsSublinear = []map[string]float64{
	{"br": 0.431672395431, "br br": 0.254952670616, "br great": 0.254952670616, "great": 0.431672395431, "great movie": 0.254952670616, "great plot": 0.254952670616, "movie": 0.254952670616, "movie not": 0.254952670616, "not": 0.205694209341, "not great": 0.254952670616, "plot": 0.254952670616, "plot br": 0.254952670616},
	{"10": 0.281150598646, "don": 0.281150598646, "don watch": 0.281150598646, "ever": 0.281150598646, "ever don": 0.281150598646, "film": 0.226830532719, "film ever": 0.281150598646, "it": 0.281150598646, "it 10": 0.281150598646, "watch": 0.281150598646, "watch it": 0.281150598646, "worst": 0.281150598646, "worst film": 0.281150598646},
	{"and": 0.26442600368, "and naïveté": 0.26442600368, "ending_scene": 0.26442600368, "ending_scene was": 0.26442600368, "film": 0.213337234808, "film ending_scene": 0.26442600368, "great": 0.213337234808, "naïveté": 0.26442600368, "naïveté the": 0.26442600368, "the": 0.26442600368, "the film": 0.26442600368, "was": 0.26442600368, "was great": 0.26442600368, "élan": 0.26442600368, "élan and": 0.26442600368},
	{"all": 0.281723599661, "at": 0.281723599661, "at all": 0.281723599661, "bad": 0.476999518463, "bad at": 0.281723599661, "bad not": 0.281723599661, "not": 0.384840208063, "not bad": 0.476999518463},
	{},
}

var sklearnIDF = map[string]float64{
	"10": 2.0986122886681096, "all": 2.0986122886681096, "and": 2.0986122886681096, "and naïveté": 2.0986122886681096, "at": 2.0986122886681096, "at all": 2.0986122886681096, "bad": 2.0986122886681096, "bad at": 2.0986122886681096, "bad not": 2.0986122886681096, "br": 2.0986122886681096, "br br": 2.0986122886681096, "br great": 2.0986122886681096, "don": 2.0986122886681096, "don watch": 2.0986122886681096, "ending_scene": 2.0986122886681096, "ending_scene was": 2.0986122886681096, "ever": 2.0986122886681096, "ever don": 2.0986122886681096, "film": 1.6931471805599454, "film ending_scene": 2.0986122886681096, "film ever": 2.0986122886681096, "great": 1.6931471805599454, "great movie": 2.0986122886681096, "great plot": 2.0986122886681096, "it": 2.0986122886681096, "it 10": 2.0986122886681096, "movie": 2.0986122886681096, "movie not": 2.0986122886681096, "naïveté": 2.0986122886681096, "naïveté the": 2.0986122886681096, "not": 1.6931471805599454, "not bad": 2.0986122886681096, "not great": 2.0986122886681096, "plot": 2.0986122886681096, "plot br": 2.0986122886681096, "the": 2.0986122886681096, "the film": 2.0986122886681096, "was": 2.0986122886681096, "was great": 2.0986122886681096, "watch": 2.0986122886681096, "watch it": 2.0986122886681096, "worst": 2.0986122886681096, "worst film": 2.0986122886681096, "élan": 2.0986122886681096, "élan and": 2.0986122886681096,
}

var sklearnRowsRaw = []map[string]float64{
	{"br": 0.452804465862, "br br": 0.226402232931, "br great": 0.226402232931, "great": 0.547979687953, "great movie": 0.226402232931, "great plot": 0.226402232931, "movie": 0.226402232931, "movie not": 0.226402232931, "not": 0.182659895984, "not great": 0.226402232931, "plot": 0.226402232931, "plot br": 0.226402232931},
	{"10": 0.281150598646, "don": 0.281150598646, "don watch": 0.281150598646, "ever": 0.281150598646, "ever don": 0.281150598646, "film": 0.226830532719, "film ever": 0.281150598646, "it": 0.281150598646, "it 10": 0.281150598646, "watch": 0.281150598646, "watch it": 0.281150598646, "worst": 0.281150598646, "worst film": 0.281150598646},
	{"and": 0.26442600368, "and naïveté": 0.26442600368, "ending_scene": 0.26442600368, "ending_scene was": 0.26442600368, "film": 0.213337234808, "film ending_scene": 0.26442600368, "great": 0.213337234808, "naïveté": 0.26442600368, "naïveté the": 0.26442600368, "the": 0.26442600368, "the film": 0.26442600368, "was": 0.26442600368, "was great": 0.26442600368, "élan": 0.26442600368, "élan and": 0.26442600368},
	{"all": 0.253155111423, "at": 0.253155111423, "at all": 0.253155111423, "bad": 0.506310222846, "bad at": 0.253155111423, "bad not": 0.253155111423, "not": 0.408487899804, "not bad": 0.506310222846},
	{},
}
