package text

import (
	"slices"
	"strings"
	"testing"
)

func TestFitTokenizerOrderTiesAndOOV(t *testing.T) {
	texts := []string{
		"The cat sat on the mat.",
		"The dog ate my homework!",
		"cat_dog CAT, dog", // '_' is a Keras filter: "cat_dog" is two words
	}
	// Counts: the 3, cat 3, dog 3, then the count-1 words in order of first
	// appearance: sat on mat ate my homework.
	full := FitTokenizer(texts, 0)
	want := []string{"", OOV, "the", "cat", "dog", "sat", "on", "mat", "ate", "my", "homework"}
	if got := full.Words(); !slices.Equal(got, want) {
		t.Fatalf("Words() = %q\nwant %q", got, want)
	}
	if full.Distinct() != 9 || full.NumWords() != 11 {
		t.Errorf("Distinct %d NumWords %d, want 9 and 11", full.Distinct(), full.NumWords())
	}

	tok := FitTokenizer(texts, 5) // indices 0..4: pad, OOV, the, cat, dog
	if got := tok.Words(); !slices.Equal(got, want[:5]) {
		t.Fatalf("num_words=5: Words() = %q, want %q", got, want[:5])
	}
	// "ate" has index 8 >= 5: OOV; "dog's" keeps its apostrophe, unknown: OOV;
	// '\r' is not a filter, so "cat\r" is an unknown word too.
	got := tok.Sequence("THE cat ate the dog's bone; dog\tcat\r dog")
	if w := []int32{2, 3, 1, 2, 1, 1, 4, 1, 4}; !slices.Equal(got, w) {
		t.Errorf("Sequence = %v, want %v", got, w)
	}
	if got := full.Sequence("ate homework"); !slices.Equal(got, []int32{8, 10}) {
		t.Errorf("full Sequence = %v, want [8 10]", got)
	}
	if got := tok.Sequence(" ... "); len(got) != 0 {
		t.Errorf("Sequence of filters only = %v, want empty", got)
	}
	seqs := tok.Sequences([]string{"the", "", "dog cat"})
	if len(seqs) != 3 || !slices.Equal(seqs[0], []int32{2}) || len(seqs[1]) != 0 || !slices.Equal(seqs[2], []int32{4, 3}) {
		t.Errorf("Sequences = %v", seqs)
	}
}

func TestFitTokenizerSmallNumWords(t *testing.T) {
	for _, n := range []int{1, 2} {
		tok := FitTokenizer([]string{"a b"}, n)
		if got := tok.Words(); !slices.Equal(got, []string{"", OOV}) {
			t.Errorf("num_words=%d: Words() = %q", n, got)
		}
		if got := tok.Sequence("a b c"); !slices.Equal(got, []int32{1, 1, 1}) {
			t.Errorf("num_words=%d: Sequence = %v, want all OOV", n, got)
		}
	}
	empty := FitTokenizer(nil, 100)
	if got := empty.Words(); !slices.Equal(got, []string{"", OOV}) {
		t.Errorf("empty fit: Words() = %q", got)
	}
}

func TestFitTokenizerFiltersAndCase(t *testing.T) {
	// Every default Keras filter splits; apostrophes and non-ASCII do not.
	tok := FitTokenizer([]string{"a!b\"c#d$e%f&g(h)i*j+k,l-m.n/o:p;q<r=s>t?u@v[w\\x]y^z_0`1{2|3}4~5\t6\n7 it's ÉTÉ"}, 0)
	words := tok.Words()[2:]
	want := strings.Fields("a b c d e f g h i j k l m n o p q r s t u v w x y z 0 1 2 3 4 5 6 7 it's été")
	if !slices.Equal(words, want) {
		t.Errorf("words = %q\nwant %q", words, want)
	}
}

func TestTokenizerVocabRoundTrip(t *testing.T) {
	texts := []string{"b a c a b a", "d e c", "a f"}
	tok := FitTokenizer(texts, 5)
	re, err := NewTokenizerFromVocab(tok.Words())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(re.Words(), tok.Words()) {
		t.Fatalf("round trip words %q != %q", re.Words(), tok.Words())
	}
	for _, s := range append(texts, "f e d c b a z", "") {
		if a, b := tok.Sequence(s), re.Sequence(s); !slices.Equal(a, b) {
			t.Errorf("Sequence(%q): fitted %v, rebuilt %v", s, a, b)
		}
	}
	// Words returns a copy: changing it must not change the tokenizer.
	w := re.Words()
	w[2] = "zzz"
	if re.Index("zzz") != 1 {
		t.Error("Words() aliases the tokenizer's vocabulary")
	}
}

func TestNewTokenizerFromVocabRejects(t *testing.T) {
	bad := map[string][]string{
		"too short":     {""},
		"no padding":    {"x", OOV, "a"},
		"no OOV":        {"", "a", "b"},
		"duplicate":     {"", OOV, "a", "b", "a"},
		"empty word":    {"", OOV, "a", ""},
		"OOV repeated":  {"", OOV, OOV},
		"nil vocabular": nil,
	}
	for name, words := range bad {
		if _, err := NewTokenizerFromVocab(words); err == nil {
			t.Errorf("%s: %q accepted", name, words)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}
