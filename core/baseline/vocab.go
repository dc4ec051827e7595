package baseline

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// corpus is the training reviews as word ids: seqs[d][i] is the id of the
// i-th token of review d, words[id] its text.
type corpus struct {
	words []string
	seqs  [][]uint32
}

// rows builds the corpus's TF-IDF rows under m, translating each word id
// to m's once instead of tokenizing every review again (on wasm that
// halves the time to features). It frees each review's ids once its row
// is built, so call it once.
func (c *corpus) rows(ctx context.Context, m *Model, progress func(done, total int)) (*rows, error) {
	tr := make([]uint32, len(c.words))
	for id, w := range c.words {
		tr[id] = m.words[w]
	}
	x := &rows{idx: make([][]int32, 0, len(c.seqs)), val: make([][]float32, 0, len(c.seqs))}
	var v Vectorizer
	for d, seq := range c.seqs {
		if d%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if progress != nil {
				progress(d, len(c.seqs))
			}
		}
		v.ids = v.ids[:0]
		for _, id := range seq {
			v.ids = append(v.ids, tr[id])
		}
		idx, val := v.rowOfIDs(m, v.ids)
		x.add(idx, val)
		c.seqs[d] = nil // the ids are no longer needed: free them as the rows grow
	}
	if progress != nil {
		progress(len(c.seqs), len(c.seqs))
	}
	return x, nil
}

// term is a vocabulary candidate: an n-gram and its document frequency.
type term struct {
	text string
	df   int32
}

// cand is a candidate before it has a text: its key (see key) and df.
type cand struct {
	key uint64
	df  int32
}

// fitVocabulary picks the vocabulary from the training reviews: every
// n-gram (of cfg's range) occurring in at least minDF reviews, the maxTerms
// with the highest document frequency (ties broken by the n-gram's bytes,
// so the result never depends on map order), in that order; and the smooth
// IDF of each. Memory stays bounded by the distinct n-grams, never n×V:
// words get 32-bit ids and a bigram is counted under its two packed ids; a
// bigram can only reach minDF if both its words do, so bigrams of rarer
// words are never counted (on the IMDB training split that skips most of
// the millions of bigrams that occur once).
//
// It also returns the reviews as word ids into words (id 0 unused), so
// that Train builds their features without tokenizing them again.
func fitVocabulary(ctx context.Context, reviews []string, cfg Config, maxTerms, minDF int, progress func(done, total int)) (terms []string, idf []float32, c *corpus, err error) {
	n := len(reviews)
	words := map[string]uint32{}
	list := []string{""} // id 0 is unused
	var uniDF []int32 = []int32{0}
	var last []int32 = []int32{-1} // the last review that counted the word
	seqs := make([][]uint32, n)    // the reviews as word ids, for the bigram pass
	var toks []string
	for d, r := range reviews {
		if d%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, nil, err
			}
			if progress != nil {
				progress(d, 2*n)
			}
		}
		toks = Tokens(toks[:0], r, cfg.Tokens)
		ids := make([]uint32, len(toks))
		for i, w := range toks {
			id, ok := words[w]
			if !ok {
				// A token is a substring of its (lowercased) review: keep a
				// copy, not the whole review, in the vocabulary.
				w = strings.Clone(w)
				id = uint32(len(list))
				words[w] = id
				list = append(list, w)
				uniDF = append(uniDF, 0)
				last = append(last, -1)
			}
			ids[i] = id
			if last[id] != int32(d) {
				last[id] = int32(d)
				uniDF[id]++
			}
		}
		seqs[d] = ids
	}
	clear(toks)
	// Candidates as (key, df): numbers, not strings, until the cut.
	var cands []cand
	if cfg.NGramMin == 1 {
		for id := 1; id < len(list); id++ {
			if int(uniDF[id]) >= minDF {
				cands = append(cands, cand{key(0, uint32(id)), uniDF[id]})
			}
		}
	}
	if cfg.NGramMax == 2 {
		df := map[uint64]int32{}
		var keys []uint64
		for d, ids := range seqs {
			if d%256 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, nil, nil, err
				}
				if progress != nil {
					progress(n+d, 2*n)
				}
			}
			keys = keys[:0]
			for i := 0; i+1 < len(ids); i++ {
				a, b := ids[i], ids[i+1]
				if int(uniDF[a]) >= minDF && int(uniDF[b]) >= minDF {
					keys = append(keys, key(a, b))
				}
			}
			slices.Sort(keys)
			for i, k := range keys {
				if i == 0 || k != keys[i-1] {
					df[k]++
				}
			}
		}
		for k, c := range df {
			if int(c) >= minDF {
				cands = append(cands, cand{k, c})
			}
		}
	}
	if progress != nil {
		progress(2*n-1, 2*n) // the ranking below takes up to a second in wasm
	}
	if len(cands) == 0 {
		return nil, nil, nil, fmt.Errorf("no n-gram occurs in %d or more of the %d training reviews", minDF, n)
	}
	text := func(k uint64) string {
		if k>>32 == 0 {
			return list[k]
		}
		return list[k>>32] + " " + list[uint32(k)]
	}
	// Rank by df, then by text. Only the candidates that make the cut, and
	// those tied with the last one, are turned into strings: sorting the
	// ~700,000 IMDB candidates by text would cost ten times as much.
	slices.SortFunc(cands, func(a, b cand) int {
		if c := cmp.Compare(b.df, a.df); c != 0 {
			return c
		}
		return cmp.Compare(a.key, b.key)
	})
	keep := len(cands)
	if keep > maxTerms {
		last := cands[maxTerms-1].df
		for keep > 0 && cands[keep-1].df < last {
			keep--
		}
	}
	ranked := make([]term, keep)
	for j, c := range cands[:keep] {
		ranked[j] = term{text(c.key), c.df}
	}
	cands = nil
	if progress != nil {
		progress(2*n-1, 2*n)
	}
	slices.SortFunc(ranked, func(a, b term) int {
		if c := cmp.Compare(b.df, a.df); c != 0 {
			return c
		}
		return cmp.Compare(a.text, b.text)
	})
	ranked = ranked[:min(maxTerms, len(ranked))]
	if progress != nil {
		progress(2*n, 2*n)
	}
	terms = make([]string, len(ranked))
	idf = make([]float32, len(ranked))
	for j, c := range ranked {
		terms[j], idf[j] = c.text, smoothIDF(n, int(c.df))
	}
	return terms, idf, &corpus{words: list, seqs: seqs}, nil
}
