package text

import (
	"strings"
	"testing"
)

// cleanCases' expected outputs were produced by the thesis's Python (3.11,
// re module) with the same 198-word stopword list; see Clean's comment.
var cleanCases = []struct{ in, want string }{
	{"This movie was GREAT.<br /><br />I loved it!", "movie great i loved it "},
	{"A <b>bold</b> move, wasn't it? It's 10/10.", "bold move it 10 10 "},
	{"He'd say he'll go; she's here, they've gone, we're done, I'm in, i've been, it'd rain", "say go here gone done in been rain "},
	{"snake_case and __init__ stay; dash-es split", "snake_case __init__ stay dash es split "},
	{"Café crème, naïve façade — Ελληνικά ΣΟΦΙΑ, русский, 日本語 テスト, عربي", "café crème naïve façade ελληνικά σοφια русский 日本語 テスト عربي "},
	{"Digits ٣ ٤ ½ ² and Ⅻ stay; €100 and £5 don't", "digits ٣ ٤ ½ ² ⅻ stay 100 5 "},
	{"tabs\tand\nnewlines\r\nand\u00a0nbsp\u3000ideographic\u001cfs", "tabs newlines nbsp ideographic fs "},
	{"a < b and c > d", " "},
	{"<<a>> tag<br", " tag br "},
	{"<> empty <> brackets", " empty brackets "},
	{"unclosed <tag and more words", "unclosed tag words "},
	{"", ""},
	{"   ", ""},
	{"the and a of", ""},
	{"...!!!", " "},
	{"end with punctuation!", "end punctuation "},
	{"\"quoted\" start", " quoted start "},
	{"O'Brien's ''double'' 'single'", "o'brien's ''double'' 'single' "},
	{"combining e\u0301 mark", "combining e mark "},
	{"emoji 😀 and ZWJ 👩\u200d💻 ok", "emoji zwj ok "},
	{"multiple     spaces and .  ,  ;  punct", "multiple spaces punct "},
	{"<br/>tag at start", "tag start "},
	{"x<y>z <p class=\"a b\">para</p>", "xz para "},
}

func TestCleanMatchesPython(t *testing.T) {
	for _, c := range cleanCases {
		if got := Clean(c.in); got != c.want {
			t.Errorf("Clean(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestCleanAllMatchesClean(t *testing.T) {
	in := make([]string, 0, 2500)
	for len(in) < 2500 {
		for _, c := range cleanCases {
			in = append(in, c.in)
		}
	}
	var calls []int
	out := CleanAll(in, func(done, total int) {
		if total != len(in) {
			t.Fatalf("progress total %d, want %d", total, len(in))
		}
		calls = append(calls, done)
	})
	for i := range in {
		if out[i] != Clean(in[i]) {
			t.Fatalf("CleanAll[%d] = %q, Clean = %q", i, out[i], Clean(in[i]))
		}
	}
	if len(calls) != 3 || calls[0] != 1000 || calls[1] != 2000 || calls[2] != len(in) {
		t.Errorf("progress calls %v, want [1000 2000 %d]", calls, len(in))
	}
}

func TestStopwordList(t *testing.T) {
	words := NLTKStopwords()
	if len(words) != 198 {
		t.Fatalf("%d NLTK stopwords, want 198", len(words))
	}
	newer := strings.Fields("he'd he'll he's i'd i'll i'm i've it'd it'll she'd she'll they'd they'll they're they've we'd we'll we're we've")
	classic := strings.Fields("i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves he him his himself she she's her hers herself it it's its itself they them their theirs themselves what which who whom this that that'll these those am is are was were be been being have has had having do does did doing a an the and but if or because as until while of at by for with about against between into through during before after above below to from up down in out on off over under again further then once here there when where why how all any both each few more most other some such no nor not only own same so than too very s t can will just don don't should should've now d ll m o re ve y ain aren aren't couldn couldn't didn didn't doesn doesn't hadn hadn't hasn hasn't haven haven't isn isn't ma mightn mightn't mustn mustn't needn needn't shan shan't shouldn shouldn't wasn wasn't weren weren't won won't wouldn wouldn't")
	if len(classic) != 179 || len(newer) != 19 {
		t.Fatalf("test lists have %d and %d words", len(classic), len(newer))
	}
	for _, w := range append(classic, newer...) {
		if !IsNLTKStopword(w) {
			t.Errorf("%q is not a stopword", w)
		}
		if len(w) > 10 {
			t.Errorf("%q is longer than the 10 bytes appendWithoutStopwords assumes", w)
		}
	}
	for _, w := range []string{"movie", "film", "good", "bad", "he’s", "cannot", ""} {
		if IsNLTKStopword(w) {
			t.Errorf("%q should not be a stopword", w)
		}
	}
}

func TestCountWordsAndFields(t *testing.T) {
	for _, s := range []string{"", " ", "a", " a  b ", "x\x1cy", "a\u00a0b\u3000c", "é ü", "\xff \xfe"} {
		f := Fields(s)
		if CountWords(s) != len(f) {
			t.Errorf("CountWords(%q) = %d, len(Fields) = %d", s, CountWords(s), len(f))
		}
	}
	if got := Fields("x\x1cy\u0085z"); len(got) != 3 {
		t.Errorf("Fields splits on Python whitespace: got %q", got)
	}
}

func TestWordAndSpaceRunes(t *testing.T) {
	for _, r := range "aZ09_éßΣж日٣½²Ⅻ" {
		if !IsWordRune(r) {
			t.Errorf("%q should be \\w", r)
		}
	}
	for _, r := range "'-.<>!\u0301\u200d😀€£ " {
		if IsWordRune(r) {
			t.Errorf("%q should not be \\w", r)
		}
	}
	for _, r := range " \t\n\v\f\r\x1c\x1d\x1e\x1f\u0085\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000" {
		if !IsSpaceRune(r) {
			t.Errorf("%U should be \\s", r)
		}
	}
	for _, r := range "a_\u200b\u180e\ufeff" {
		if IsSpaceRune(r) {
			t.Errorf("%U should not be \\s", r)
		}
	}
}

func TestCleanInvalidUTF8(t *testing.T) {
	// Python cannot hold these bytes in a str; Go can. They count as
	// punctuation (a space), and Clean must not panic or grow the text.
	got := Clean("good\xff\xfemovie \xc3")
	if got != "good movie " {
		t.Errorf("Clean(invalid UTF-8) = %q", got)
	}
}
