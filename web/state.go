package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Settings is the shareable page state: it round-trips through the URL.
type Settings struct {
	Step       string
	Preset     string
	Epochs     int
	BatchSize  int
	LR         float64
	Seed       int
	TrainLimit int
	TestFrac   float64
	ValSplit   float64
	Vocab      int
	Embed      int
	Hidden     int
	MaxLen     int
	Padding    string // "pre" keeps a review's last MaxLen words, "post" its first
	Masking    bool
	Dropout    float64
	Workers    int
	// Act7 scores int8 models with their hidden state quantized to 7 bits
	// (core/compress/act7.go): relaxed SIMD's fast path, an opt-in of Try.
	Act7     bool
	Variants []string // chosen for Compare and Try
}

// Apply sets the hyperparameters to preset p's.
func (s *Settings) Apply(p Preset) {
	s.Preset, s.Epochs, s.BatchSize, s.LR = p.Name, p.Epochs, p.BatchSize, p.LR
	s.TrainLimit, s.TestFrac, s.ValSplit = p.TrainLimit, p.TestFrac, p.ValSplit
	s.Vocab, s.Embed, s.Hidden, s.MaxLen, s.Masking, s.Dropout = p.Vocab, p.Embed, p.Hidden, p.MaxLen, p.Masking, p.Dropout
	s.Padding = p.Padding
}

// Query encodes s as a URL query string (keys sorted, so equal states give
// equal URLs).
func (s Settings) Query() string { return s.values().Encode() }

func (s Settings) values() url.Values {
	v := url.Values{}
	set := func(k string, x int) { v.Set(k, strconv.Itoa(x)) }
	setF := func(k string, x float64) { v.Set(k, strconv.FormatFloat(x, 'g', -1, 64)) }
	v.Set("step", s.Step)
	v.Set("preset", s.Preset)
	set("epochs", s.Epochs)
	set("batch", s.BatchSize)
	setF("lr", s.LR)
	set("seed", s.Seed)
	set("limit", s.TrainLimit)
	setF("test", s.TestFrac)
	setF("val", s.ValSplit)
	set("vocab", s.Vocab)
	set("embed", s.Embed)
	set("hidden", s.Hidden)
	set("maxlen", s.MaxLen)
	if s.Padding != "" {
		v.Set("padding", s.Padding)
	}
	v.Set("masking", strconv.FormatBool(s.Masking))
	setF("dropout", s.Dropout)
	set("workers", s.Workers)
	if s.Act7 { // absent when off: the links made before it stay the same
		v.Set("act7", "true")
	}
	if len(s.Variants) > 0 {
		v.Set("variants", strings.Join(s.Variants, ","))
	}
	return v
}

// linkReader reads typed values of a link: a value out of [lo, hi] or
// malformed keeps the old one and is added to *bad as "key=value".
type linkReader struct {
	v   url.Values
	bad *[]string
}

func (r linkReader) num(k string, dst *int, lo, hi int) {
	if x := r.v.Get(k); x != "" {
		n, err := strconv.Atoi(x)
		if err != nil || n < lo || n > hi {
			*r.bad = append(*r.bad, k+"="+x)
			return
		}
		*dst = n
	}
}

func (r linkReader) flt(k string, dst *float64, lo, hi float64) {
	if x := r.v.Get(k); x != "" {
		f, err := strconv.ParseFloat(x, 64)
		if err != nil || !(f >= lo && f <= hi) {
			*r.bad = append(*r.bad, k+"="+x)
			return
		}
		*dst = f
	}
}

// ParseQuery overlays the keys present in q onto s; malformed values are
// ignored (a hand-edited link must not break the page), and reported.
func (s *Settings) ParseQuery(q string) (bad []string) {
	v, err := url.ParseQuery(strings.TrimPrefix(q, "?"))
	if err != nil {
		return []string{err.Error()}
	}
	r := linkReader{v, &bad}
	num, flt := r.num, r.flt
	if x := v.Get("step"); x != "" {
		if stepIndex(x) < 0 {
			bad = append(bad, "step="+x)
		} else {
			s.Step = x
		}
	}
	if x := v.Get("preset"); x != "" {
		s.Preset = x
	}
	num("epochs", &s.Epochs, 1, 1000)
	num("batch", &s.BatchSize, 1, 65536)
	flt("lr", &s.LR, 1e-6, 1)
	num("seed", &s.Seed, 0, 1<<30)
	num("limit", &s.TrainLimit, 0, 1<<24)
	flt("test", &s.TestFrac, 0.01, 0.99)
	flt("val", &s.ValSplit, 0, 0.9)
	num("vocab", &s.Vocab, 2, 1<<22)
	num("embed", &s.Embed, 1, 4096)
	num("hidden", &s.Hidden, 1, 4096)
	num("maxlen", &s.MaxLen, 1, 100000)
	if x := v.Get("padding"); x != "" {
		if x != "pre" && x != "post" {
			bad = append(bad, "padding="+clip(x, 40))
		} else {
			s.Padding = x
		}
	}
	if x := v.Get("masking"); x != "" {
		b, err := strconv.ParseBool(x)
		if err != nil {
			bad = append(bad, "masking="+x)
		} else {
			s.Masking = b
		}
	}
	flt("dropout", &s.Dropout, 0, 0.99)
	num("workers", &s.Workers, 1, 64)
	if x := v.Get("act7"); x != "" {
		b, err := strconv.ParseBool(x)
		if err != nil {
			bad = append(bad, "act7="+clip(x, 40))
		} else {
			s.Act7 = b
		}
	}
	if x := v.Get("variants"); x != "" {
		s.Variants = strings.Split(x, ",")
	}
	return bad
}

// Lesson is the rest of what a teacher sets, beside Settings, that a shared
// link restores (issue 10): the data slice, the Compress step's inputs and
// the review typed in Try. Not the data or the models themselves.
type Lesson struct {
	Rows     int // the Data step's "first N reviews" (0 = all)
	Compress CompressSettings
	Review   string
}

// maxLinkReview is the longest review (in characters) a link carries; a
// longer one stays out of the URL (Try says so).
const maxLinkReview = 500

// ReviewInLink reports whether review fits in a link.
func ReviewInLink(review string) bool { return utf8.RuneCountInString(review) <= maxLinkReview }

// LessonQuery encodes settings s and lesson ls as one URL query (keys
// sorted). The review is left out when it is the default one or too long.
func LessonQuery(s Settings, ls Lesson) string {
	v := s.values()
	v.Set("rows", strconv.Itoa(ls.Rows))
	cs := ls.Compress
	setF := func(k string, x float64) { v.Set(k, strconv.FormatFloat(x, 'g', -1, 64)) }
	v.Set("from", cs.Source)
	setF("sp0", cs.Initial)
	setF("sp1", cs.Final)
	v.Set("ftepochs", strconv.Itoa(cs.Epochs))
	setF("alpha", cs.Alpha)
	setF("temp", cs.T)
	v.Set("sembed", strconv.Itoa(cs.Embed))
	v.Set("shidden", strconv.Itoa(cs.Hidden))
	// The α×T grid's values (its teacher is "from", the model to
	// compress), as checked lists: values typed wrong stay out.
	if xs, err := ParseGridValues("α values", cs.GridAlphas, 0, 1); err == nil {
		v.Set("galphas", gridList(xs, ","))
	}
	if xs, err := ParseGridValues("T values", cs.GridTs, 0.1, 100); err == nil {
		v.Set("gts", gridList(xs, ","))
	}
	if ls.Review != defaultReview && ReviewInLink(ls.Review) {
		v.Set("review", ls.Review)
	}
	return v.Encode()
}

// ParseLesson overlays the keys present in q onto s and ls; like
// ParseQuery, a malformed value keeps the old one and is reported.
func ParseLesson(q string, s *Settings, ls *Lesson) (bad []string) {
	bad = s.ParseQuery(q)
	v, err := url.ParseQuery(strings.TrimPrefix(q, "?"))
	if err != nil {
		return bad // reported by ParseQuery
	}
	r := linkReader{v, &bad}
	num, flt := r.num, r.flt
	num("rows", &ls.Rows, 0, 1<<24)
	cs := &ls.Compress
	if x := v.Get("from"); x != "" {
		if !variantName(x) {
			bad = append(bad, "from="+clip(x, 40))
		} else {
			cs.Source = x
		}
	}
	// The same bounds as a saved lab's (CompressSettings.check).
	flt("sp0", &cs.Initial, 0, 0.99)
	flt("sp1", &cs.Final, 0, 0.99)
	num("ftepochs", &cs.Epochs, 1, 1000)
	flt("alpha", &cs.Alpha, 0, 1)
	flt("temp", &cs.T, 1e-3, 1000)
	num("sembed", &cs.Embed, 0, 4096)
	num("shidden", &cs.Hidden, 0, 4096)
	grid := func(k string, dst *string, lo, hi float64) {
		if x := v.Get(k); x != "" {
			xs, err := ParseGridValues(k, x, lo, hi)
			if err != nil {
				bad = append(bad, k+"="+clip(x, 40))
				return
			}
			*dst = gridList(xs, ", ")
		}
	}
	grid("galphas", &cs.GridAlphas, 0, 1) // the bounds of the grid's inputs
	grid("gts", &cs.GridTs, 0.1, 100)
	if v.Has("review") {
		if r := v.Get("review"); !ReviewInLink(r) {
			bad = append(bad, fmt.Sprintf("review (%d characters, at most %d)", utf8.RuneCountInString(r), maxLinkReview))
		} else {
			ls.Review = r
		}
	}
	return bad
}

// variantName reports whether x can name a model: 1-100 printable
// characters (a pre-trained model's name is the server's file name).
func variantName(x string) bool {
	if len(x) == 0 || len(x) > 100 {
		return false
	}
	for _, r := range x {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// gridList writes grid values as a list, as the inputs show them (sep
// ", ") or as a link carries them (",").
func gridList(xs []float64, sep string) string {
	f := make([]string, len(xs))
	for i, x := range xs {
		f[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(f, sep)
}
