package text

import (
	"fmt"
	"slices"
	"strings"
)

// OOV is the out-of-vocabulary token; it always has index 1 (index 0 is padding).
const OOV = "<OOV>"

// kerasFilters are Keras's default Tokenizer filters: each becomes a space.
// Note '_' and the apostrophe: "_" splits words, "'" does not.
const kerasFilters = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n"

var isFilter = func() (t [128]bool) {
	for i := 0; i < len(kerasFilters); i++ {
		t[kerasFilters[i]] = true
	}
	return t
}()

// Tokenizer maps words to indices like keras.preprocessing.text.Tokenizer
// with oov_token="<OOV>". The zero value is not usable; build one with
// FitTokenizer or NewTokenizerFromVocab.
type Tokenizer struct {
	words    []string         // index order: "" (padding), OOV, then by count
	index    map[string]int32 // word -> index, only indices < len(words)
	distinct int              // distinct words seen when fitting (0 if rebuilt)
}

// FitTokenizer counts the words of texts and keeps the numWords most frequent
// indices (padding and OOV included, as Keras's num_words does: words whose
// index is >= numWords map to OOV). numWords <= 0 keeps every word. Ties in
// count keep the order in which words first appeared, as Keras's stable sort
// over its insertion-ordered dict does.
func FitTokenizer(texts []string, numWords int) *Tokenizer {
	type entry struct {
		word  string
		count int64
	}
	var entries []entry // first-appearance order
	// Size the map for the input: the 40k IMDB training texts (33 MB
	// cleaned) hold 112k distinct words; a fixed large hint costs a tiny
	// fit more than the fit itself in WebAssembly.
	size := 0
	for _, t := range texts {
		size += len(t)
	}
	ids := make(map[string]int32, min(size/256, 1<<17))
	for _, t := range texts {
		eachKerasWord(t, func(w string) {
			if id, ok := ids[w]; ok {
				entries[id].count++
				return
			}
			// Clone so the vocabulary does not pin the whole text in memory.
			w = strings.Clone(w)
			ids[w] = int32(len(entries))
			entries = append(entries, entry{w, 1})
		})
	}
	slices.SortStableFunc(entries, func(a, b entry) int {
		switch {
		case a.count > b.count:
			return -1
		case a.count < b.count:
			return 1
		}
		return 0
	})
	n := len(entries) + 2
	if numWords > 0 && numWords < n {
		n = numWords
	}
	if n < 2 {
		n = 2 // padding and OOV always exist, even for num_words < 2
	}
	words := make([]string, n)
	words[1] = OOV
	for i := 2; i < n; i++ {
		words[i] = entries[i-2].word
	}
	return &Tokenizer{words: words, index: indexOf(words), distinct: len(entries)}
}

// NewTokenizerFromVocab rebuilds a tokenizer from Words() as stored in a
// model file. It checks that entry 0 is "" (padding), entry 1 is OOV, and no
// other entry is empty, OOV or repeated.
func NewTokenizerFromVocab(words []string) (*Tokenizer, error) {
	if len(words) < 2 {
		return nil, fmt.Errorf("text: vocab has %d entries, want at least 2 (padding and %s)", len(words), OOV)
	}
	if words[0] != "" {
		return nil, fmt.Errorf("text: vocab entry 0 is %q, want \"\" (padding)", words[0])
	}
	if words[1] != OOV {
		return nil, fmt.Errorf("text: vocab entry 1 is %q, want %q", words[1], OOV)
	}
	seen := make(map[string]int, len(words))
	for i, w := range words[2:] {
		i += 2
		if w == "" || w == OOV {
			return nil, fmt.Errorf("text: vocab entry %d is %q, which only entry 0 (padding) or 1 (OOV) may hold", i, w)
		}
		if j, dup := seen[w]; dup {
			return nil, fmt.Errorf("text: vocab entry %d %q repeats entry %d", i, w, j)
		}
		seen[w] = i
	}
	return &Tokenizer{words: slices.Clone(words), index: indexOf(words)}, nil
}

func indexOf(words []string) map[string]int32 {
	m := make(map[string]int32, len(words))
	for i, w := range words[2:] {
		m[w] = int32(i + 2)
	}
	return m
}

// Words returns the vocabulary in index order: "" (padding), OOV, then the
// words, numWords entries at most. This is what a model file stores.
func (t *Tokenizer) Words() []string { return slices.Clone(t.words) }

// NumWords is the number of indices in use, padding and OOV included: every
// index in a sequence is < NumWords.
func (t *Tokenizer) NumWords() int { return len(t.words) }

// Distinct is the number of distinct words seen by FitTokenizer (Keras's
// len(word_index) - 1), or 0 for a tokenizer rebuilt from a vocab.
func (t *Tokenizer) Distinct() int { return t.distinct }

// Index returns the index of w (1 for an unknown word).
func (t *Tokenizer) Index(w string) int32 {
	if id, ok := t.index[w]; ok {
		return id
	}
	return 1
}

// Sequence turns one text into word indices (Keras texts_to_sequences).
func (t *Tokenizer) Sequence(text string) []int32 {
	return t.AppendSequence(make([]int32, 0, 16), text)
}

// AppendSequence appends text's word indices to dst.
func (t *Tokenizer) AppendSequence(dst []int32, text string) []int32 {
	eachKerasWord(text, func(w string) {
		dst = append(dst, t.Index(w))
	})
	return dst
}

// Sequences turns every text into word indices.
func (t *Tokenizer) Sequences(texts []string) [][]int32 {
	out := make([][]int32, len(texts))
	for i, s := range texts {
		out[i] = t.Sequence(s)
	}
	return out
}

// eachKerasWord calls f with every word of Keras's text_to_word_sequence:
// lowercase, every filter character becomes a space, split on ' ' only,
// empty strings dropped. Other whitespace (e.g. '\r', U+00A0) stays inside
// words, as in Keras. The strings passed to f alias s.
func eachKerasWord(s string, f func(string)) {
	s = strings.ToLower(s)
	start := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		sep := c == ' ' || (c < 128 && isFilter[c])
		if sep {
			if start >= 0 {
				f(s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		f(s[start:])
	}
}
