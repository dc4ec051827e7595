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
