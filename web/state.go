package web

import (
	"net/url"
	"strconv"
	"strings"
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
	Masking    bool
	Dropout    float64
	Workers    int
	Variants   []string // chosen for Compare and Try
}

// Apply sets the hyperparameters to preset p's.
func (s *Settings) Apply(p Preset) {
	s.Preset, s.Epochs, s.BatchSize, s.LR = p.Name, p.Epochs, p.BatchSize, p.LR
	s.TrainLimit, s.TestFrac, s.ValSplit = p.TrainLimit, p.TestFrac, p.ValSplit
	s.Vocab, s.Embed, s.Hidden, s.MaxLen, s.Masking, s.Dropout = p.Vocab, p.Embed, p.Hidden, p.MaxLen, p.Masking, p.Dropout
}

// Query encodes s as a URL query string (keys sorted, so equal states give
// equal URLs).
func (s Settings) Query() string {
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
	v.Set("masking", strconv.FormatBool(s.Masking))
	setF("dropout", s.Dropout)
	set("workers", s.Workers)
	if len(s.Variants) > 0 {
		v.Set("variants", strings.Join(s.Variants, ","))
	}
	return v.Encode()
}

// ParseQuery overlays the keys present in q onto s; malformed values are
// ignored (a hand-edited link must not break the page), and reported.
func (s *Settings) ParseQuery(q string) (bad []string) {
	v, err := url.ParseQuery(strings.TrimPrefix(q, "?"))
	if err != nil {
		return []string{err.Error()}
	}
	num := func(k string, dst *int, lo, hi int) {
		if x := v.Get(k); x != "" {
			n, err := strconv.Atoi(x)
			if err != nil || n < lo || n > hi {
				bad = append(bad, k+"="+x)
				return
			}
			*dst = n
		}
	}
	flt := func(k string, dst *float64, lo, hi float64) {
		if x := v.Get(k); x != "" {
			f, err := strconv.ParseFloat(x, 64)
			if err != nil || !(f >= lo && f <= hi) {
				bad = append(bad, k+"="+x)
				return
			}
			*dst = f
		}
	}
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
	if x := v.Get("variants"); x != "" {
		s.Variants = strings.Split(x, ",")
	}
	return bad
}
