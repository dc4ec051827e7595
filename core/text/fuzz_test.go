package text

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzClean checks what must hold for any input: no panic, no run of two
// spaces, no '\n' or '\t', valid UTF-8 in gives valid UTF-8 out, and every
// kept rune is a word rune, whitespace or an apostrophe.
func FuzzClean(f *testing.F) {
	for _, c := range cleanCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Clean(s)
		if strings.Contains(got, "  ") || strings.ContainsAny(got, "\n\t") {
			t.Fatalf("Clean(%q) = %q: double space, newline or tab", s, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Clean(%q) = %q: invalid UTF-8", s, got)
		}
		for _, r := range got {
			if !IsWordRune(r) && !IsSpaceRune(r) && r != '\'' {
				t.Fatalf("Clean(%q) = %q keeps %q", s, got, r)
			}
		}
	})
}

// FuzzTokenizer fits on the input and checks the vocabulary round trip and
// that every index is in range.
func FuzzTokenizer(f *testing.F) {
	f.Add("The cat sat on the mat. The dog!", 5)
	f.Add("a a b b c", 3)
	f.Fuzz(func(t *testing.T, s string, numWords int) {
		numWords %= 64
		tok := FitTokenizer(strings.Split(s, "\n"), numWords)
		re, err := NewTokenizerFromVocab(tok.Words())
		if err != nil {
			t.Fatalf("vocab of %q does not round-trip: %v", s, err)
		}
		a, b := tok.Sequence(s), re.Sequence(s)
		if !slices.Equal(a, b) {
			t.Fatalf("sequences differ: %v vs %v", a, b)
		}
		for _, id := range a {
			if id < 1 || int(id) >= tok.NumWords() {
				t.Fatalf("index %d out of [1, %d)", id, tok.NumWords())
			}
		}
	})
}
