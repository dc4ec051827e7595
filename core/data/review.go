package data

import (
	"strconv"
)

// Review is one labelled review.
type Review struct {
	Text  string
	Label int // 1 positive, 0 negative
}

// Error is a refused input: File is the name given to the reader (or the
// path), Member the entry inside an archive or folder ("" for a CSV), Line
// the 1-based physical line where the offending record starts (0 when the
// problem has no line, such as a bad gzip header).
type Error struct {
	File   string
	Member string
	Line   int
	Msg    string
	Err    error // underlying cause, if any
}

func (e *Error) Error() string {
	s := e.File
	if e.Member != "" {
		s += ": " + e.Member
	}
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	return s + ": " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// TextsLabels splits reviews into their raw texts and 0/1 labels, the
// input of core/baseline.
func TextsLabels(rs []Review) ([]string, []int) {
	xs, ys := make([]string, len(rs)), make([]int, len(rs))
	for i, r := range rs {
		xs[i], ys[i] = r.Text, r.Label
	}
	return xs, ys
}

// FloatLabels are 0/1 labels as the metrics take them.
func FloatLabels(ys []int) []float32 {
	out := make([]float32, len(ys))
	for i, y := range ys {
		out[i] = float32(y)
	}
	return out
}
