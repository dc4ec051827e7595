package baseline

import (
	"reflect"
	"testing"
)

func TestTokens(t *testing.T) {
	for _, c := range []struct {
		mode, in string
		want     []string
	}{
		// scikit-learn: runs of ≥ 2 word characters, lowercased; the
		// apostrophe splits "don't", single letters go, "br" of <br /> stays.
		{TokensSklearn, "I don't like it.<br /><br />A 10/10 film_noir, Élan x", []string{"don", "like", "it", "br", "br", "10", "10", "film_noir", "élan"}},
		{TokensSklearn, "", nil},
		{TokensSklearn, "bad\xffbad", []string{"bad", "bad"}},
		// thesis: NLTK stopwords are dropped before the punctuation goes (as
		// the thesis did), so "i" and "don't" go but "it" and "a" of the
		// whitespace token "it.<br" and "/><br" "/>a" stay; HTML gone;
		// punctuation but not apostrophes to spaces.
		{TokensThesis, "I don't like it.<br /><br />A 10/10 film_noir, Élan x", []string{"like", "it", "a", "10", "10", "film_noir", "élan", "x"}},
		{TokensThesis, "The movie's END", []string{"movie's", "end"}},
	} {
		if got := Tokens(nil, c.in, c.mode); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %q: %q, want %q", c.mode, c.in, got, c.want)
		}
	}
}
