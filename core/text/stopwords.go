package text

import (
	_ "embed"
	"slices"
	"strings"
)

// nltkEnglishFile is the NLTK English stopword list; its provenance is in the
// file's comment header.
//
//go:embed stopwords_nltk_english.txt
var nltkEnglishFile string

// nltkEnglish is built once from the embedded file and never written again.
var nltkEnglish = newWordSet(ParseWordList(nltkEnglishFile))

// ParseWordList reads one word per line, skipping blank lines and lines
// that start with '#' (the provenance comments of the embedded lists).
func ParseWordList(file string) []string {
	var words []string
	for _, line := range strings.Split(file, "\n") {
		w := strings.TrimSpace(line)
		if w == "" || strings.HasPrefix(w, "#") {
			continue
		}
		words = append(words, w)
	}
	return words
}

// wordSet is a small read-only set of short ASCII words, bucketed by length
// and first byte. Cleaning the 50k reviews asks it 11 million times; a
// bucket holds a handful of words, and comparing them beats a map's
// hashing (measured on the 50k: lookups went from 0.26 s with a map to
// 0.14 s, and CleanAll from 1.04 s to 0.64 s with per-word lowercasing).
type wordSet struct {
	buckets [maxStopLen + 1][128][]string
	all     map[string]struct{} // for words the buckets cannot hold
}

const maxStopLen = 16

func newWordSet(words []string) *wordSet {
	s := &wordSet{all: make(map[string]struct{}, len(words))}
	for _, w := range words {
		s.all[w] = struct{}{}
		if len(w) <= maxStopLen && w[0] < 128 {
			s.buckets[len(w)][w[0]] = append(s.buckets[len(w)][w[0]], w)
		}
	}
	return s
}

func (s *wordSet) containsBytes(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if len(b) > maxStopLen || b[0] >= 128 {
		_, ok := s.all[string(b)]
		return ok
	}
	for _, w := range s.buckets[len(b)][b[0]] {
		if w == string(b) {
			return true
		}
	}
	return false
}

func (s *wordSet) contains(w string) bool {
	_, ok := s.all[w]
	return ok
}

// NLTKStopwords returns a copy of the 198 NLTK English stopwords, sorted.
func NLTKStopwords() []string {
	return sortedKeys(nltkEnglish.all)
}

// IsNLTKStopword reports whether w (already lowercase) is an NLTK English stopword.
func IsNLTKStopword(w string) bool {
	return nltkEnglish.contains(w)
}

func sortedKeys(set map[string]struct{}) []string {
	out := make([]string, 0, len(set))
	for w := range set {
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}
