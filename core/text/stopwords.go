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
var nltkEnglish = parseWordList(nltkEnglishFile)

// parseWordList reads one word per line, skipping blank lines and '#' comments.
func parseWordList(file string) map[string]struct{} {
	set := make(map[string]struct{}, 256)
	for _, line := range strings.Split(file, "\n") {
		w := strings.TrimSpace(line)
		if w == "" || strings.HasPrefix(w, "#") {
			continue
		}
		set[w] = struct{}{}
	}
	return set
}

// NLTKStopwords returns a copy of the 198 NLTK English stopwords, sorted.
func NLTKStopwords() []string {
	return sortedKeys(nltkEnglish)
}

// IsNLTKStopword reports whether w (already lowercase) is an NLTK English stopword.
func IsNLTKStopword(w string) bool {
	_, ok := nltkEnglish[w]
	return ok
}

func sortedKeys(set map[string]struct{}) []string {
	out := make([]string, 0, len(set))
	for w := range set {
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}
