package web

import (
	"reflect"
	"strings"
	"testing"
)

func TestSettingsRoundTrip(t *testing.T) {
	s := Settings{Step: "train", Preset: "classroom", Epochs: 3, BatchSize: 64, LR: 0.001, Seed: 7, TrainLimit: 10000,
		TestFrac: 0.2, ValSplit: 0.1, Vocab: 5000, Embed: 32, Hidden: 32, MaxLen: 100, Padding: "post", Masking: true, Dropout: 0.2,
		Workers: 2, Act7: true, Variants: []string{"base", "int8"}}
	var got Settings
	if bad := got.ParseQuery("?" + s.Query()); bad != nil {
		t.Fatalf("bad keys %v", bad)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, s)
	}
}

// The int8 models' 7-bit hidden state is in a link only when on, so the
// links made before it stay as they were; a malformed value is reported.
func TestAct7InLink(t *testing.T) {
	if q := (Settings{Step: "try"}).Query(); strings.Contains(q, "act7") {
		t.Fatalf("off, yet in the link: %s", q)
	}
	s := Settings{Act7: true}
	if bad := s.ParseQuery("act7=maybe"); !s.Act7 || strings.Join(bad, " ") != "act7=maybe" {
		t.Fatalf("act7=maybe: Act7 %v, reported %v", s.Act7, bad)
	}
	if bad := s.ParseQuery("act7=false"); s.Act7 || bad != nil {
		t.Fatalf("act7=false: Act7 %v, reported %v", s.Act7, bad)
	}
}

func TestParseQueryRefusesBadValues(t *testing.T) {
	s := Settings{Epochs: 3, LR: 0.001, Step: "data"}
	bad := s.ParseQuery("epochs=-1&lr=abc&step=nowhere&seed=5&padding=middle")
	if s.Epochs != 3 || s.LR != 0.001 || s.Step != "data" || s.Seed != 5 || s.Padding != "" {
		t.Fatalf("bad values changed settings: %+v", s)
	}
	if got := strings.Join(bad, " "); got != "step=nowhere epochs=-1 lr=abc padding=middle" {
		t.Fatalf("reported %q", got)
	}
}

func TestLessonRoundTrip(t *testing.T) {
	s := Settings{Step: "try", Preset: "fast", Epochs: 2, BatchSize: 32, LR: 0.002, Seed: 9, TrainLimit: 5000,
		TestFrac: 0.25, ValSplit: 0.1, Vocab: 4000, Embed: 16, Hidden: 16, MaxLen: 80, Masking: true, Dropout: 0.1,
		Workers: 1, Variants: []string{"base", "base-int8"}}
	ls := Lesson{Rows: 3000, Review: "Dull & slow, but the ending? Wonderful = 10/10 ✓",
		Compress: CompressSettings{Source: "base-prune", Initial: 0.3, Final: 0.9, Epochs: 2, Alpha: 0.5, T: 4, Embed: 24, Hidden: 48,
			GridAlphas: "0.1, 0.5, 0.85", GridTs: "1.5, 20"}}
	q := LessonQuery(s, ls)
	if !strings.Contains(q, "galphas=0.1%2C0.5%2C0.85") || !strings.Contains(q, "gts=1.5%2C20") {
		t.Errorf("the grid's values are not in the link %s", q)
	}
	var gotS Settings
	var gotL Lesson
	if bad := ParseLesson("?"+q, &gotS, &gotL); bad != nil {
		t.Fatalf("bad keys %v in %s", bad, q)
	}
	if !reflect.DeepEqual(gotS, s) || !reflect.DeepEqual(gotL, ls) {
		t.Fatalf("round trip of %s:\n got %+v %+v\nwant %+v %+v", q, gotS, gotL, s, ls)
	}
}

func TestLessonLeavesLongAndDefaultReviewOut(t *testing.T) {
	for _, r := range []string{defaultReview, strings.Repeat("é", maxLinkReview+1)} {
		q := LessonQuery(Settings{}, Lesson{Review: r, Compress: CompressSettings{Epochs: 1, T: 1}})
		if strings.Contains(q, "review=") {
			t.Errorf("review of %d characters is in the link %s", len([]rune(r)), q)
		}
	}
	// Exactly 500 characters (1,000 bytes) fit.
	r := strings.Repeat("é", maxLinkReview)
	var ls Lesson
	q := LessonQuery(Settings{}, Lesson{Review: r, Compress: CompressSettings{Epochs: 1, T: 1}})
	if bad := ParseLesson(q, &Settings{}, &ls); strings.Contains(strings.Join(bad, " "), "review") || ls.Review != r {
		t.Fatalf("500-character review: bad %v, got %d characters", bad, len([]rune(ls.Review)))
	}
}

func TestParseLessonRefusesBadValues(t *testing.T) {
	want := Lesson{Rows: 100, Review: "kept", Compress: CompressSettings{Source: "base", Initial: 0.2, Final: 0.8, Epochs: 3, Alpha: 0.85, T: 1.5,
		GridAlphas: "0.5, 0.85", GridTs: "1.5, 3"}}
	ls := want
	s := Settings{Step: "data"}
	bad := ParseLesson("rows=-5&from=&sp0=1.5&sp1=x&ftepochs=0&alpha=2&temp=0&sembed=-1&shidden=99999&review="+strings.Repeat("a", 501)+
		"&galphas=0.5,1.5&gts=1,1&step=compress", &s, &ls)
	if !reflect.DeepEqual(ls, want) {
		t.Fatalf("bad values changed the lesson: %+v", ls)
	}
	if s.Step != "compress" {
		t.Fatalf("a good key beside bad ones was not applied: step %q", s.Step)
	}
	if got := strings.Join(bad, " "); got != "rows=-5 sp0=1.5 sp1=x ftepochs=0 alpha=2 temp=0 sembed=-1 shidden=99999 galphas=0.5,1.5 gts=1,1 review (501 characters, at most 500)" {
		t.Fatalf("reported %q", got)
	}
	// A control character cannot name a model.
	if bad := ParseLesson("from=a%0Ab", &s, &ls); len(bad) != 1 || ls.Compress.Source != "base" {
		t.Fatalf("from with a newline: bad %v, source %q", bad, ls.Compress.Source)
	}
}

// Grid values typed wrong stay out of the link (the grid reports them when
// it runs); good ones go in as a plain list.
func TestLessonQueryGridValues(t *testing.T) {
	for _, c := range []struct{ alphas, ts, want string }{
		{"0.5, 0.85", " 3 ,1.5", "galphas=0.5%2C0.85&gts=3%2C1.5"},
		{"0.5, x", "1.5", "gts=1.5"},
		{"", "0.01", ""},
	} {
		q := LessonQuery(Settings{}, Lesson{Compress: CompressSettings{Epochs: 1, T: 1, GridAlphas: c.alphas, GridTs: c.ts}})
		var got []string
		for _, kv := range strings.Split(q, "&") {
			if strings.HasPrefix(kv, "galphas=") || strings.HasPrefix(kv, "gts=") {
				got = append(got, kv)
			}
		}
		if strings.Join(got, "&") != c.want {
			t.Errorf("%q × %q: %q in the link, want %q", c.alphas, c.ts, strings.Join(got, "&"), c.want)
		}
	}
}
