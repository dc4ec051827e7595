package baseline

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"sentilab/core/text"
)

// The two tokenizations a model may use (Config.Tokens).
const (
	// TokensSklearn is scikit-learn's TfidfVectorizer default: lowercase,
	// then every match of (?u)\b\w\w+\b (a maximal run of at least two
	// word characters, Python's \w); no stopwords, no HTML stripping.
	TokensSklearn = "sklearn"
	// TokensThesis is the LSTM's own preprocessing (text.Clean: lowercase,
	// NLTK stopwords dropped, HTML tags removed, [^\w\s'] to a space), then
	// the cleaned text split on spaces.
	TokensThesis = "thesis"
)

// TokensDescription says in words what a tokenization does, for the model
// file's config.
func TokensDescription(mode string) string {
	switch mode {
	case TokensSklearn:
		return `lowercase; tokens are the matches of (?u)\b\w\w+\b (scikit-learn's default token_pattern); no stopwords`
	case TokensThesis:
		return `thesis cleaning (lowercase, NLTK stopwords, strip HTML, [^\w\s'] to space), then split on spaces`
	}
	return ""
}

func checkTokens(mode string) error {
	if TokensDescription(mode) == "" {
		return fmt.Errorf("tokenization %q: want %q or %q", mode, TokensSklearn, TokensThesis)
	}
	return nil
}

// Tokens appends the tokens of s to dst under the given tokenization.
// Tokens never contain a space, so an n-gram is its tokens joined by one
// space and splits back unambiguously.
func Tokens(dst []string, s, mode string) []string {
	if mode == TokensThesis {
		return append(dst, text.Fields(text.Clean(s))...)
	}
	return appendWordRuns(dst, strings.ToLower(s))
}

// appendWordRuns appends every maximal run of at least two word runes
// (text.IsWordRune, Python's \w) in s. Invalid UTF-8 bytes are not word
// characters.
func appendWordRuns(dst []string, s string) []string {
	start, runes := -1, 0
	for i := 0; i < len(s); {
		c := s[i]
		word, size := false, 1
		if c < utf8.RuneSelf {
			word = c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			word = !(r == utf8.RuneError && size == 1) && text.IsWordRune(r)
		}
		if word {
			if start < 0 {
				start, runes = i, 0
			}
			runes++
		} else if start >= 0 {
			if runes >= 2 {
				dst = append(dst, s[start:i])
			}
			start = -1
		}
		i += size
	}
	if start >= 0 && runes >= 2 {
		dst = append(dst, s[start:])
	}
	return dst
}
