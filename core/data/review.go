package data

import (
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Review is one labelled review.
type Review struct {
	Text  string
	Label int // 1 positive, 0 negative
}

// DefaultMaxBytes is the input limit when Options.MaxBytes is 0. The Kaggle
// CSV is 66 MB and the whole aclImdb tar 0.5 GB uncompressed, so 1 GiB
// accepts both and still stops a gzip bomb before it fills a browser tab.
const DefaultMaxBytes = 1 << 30

// Options tunes the readers. The zero value is ready to use.
type Options struct {
	// MaxBytes refuses inputs larger than this many bytes after
	// decompression (for a folder: the sum of the review files read).
	// 0 means DefaultMaxBytes.
	MaxBytes int64
	// Progress, if set, is called with the number of input bytes consumed
	// so far: bytes of the file as given (compressed, for a .gz), so a
	// caller can compare it with the file size; for a folder, the bytes of
	// the review files read. It is called about every 256 KiB and once at
	// the end.
	Progress func(bytesRead int64)
}

func (o Options) maxBytes() int64 {
	if o.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return o.MaxBytes
}

// ErrTooLarge is wrapped by the *Error returned for inputs over MaxBytes.
var ErrTooLarge = errors.New("input larger than the MaxBytes limit")

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

// meter counts the bytes read through it. With a limit it fails the read
// that goes past limit bytes; with a progress callback it reports the count.
type meter struct {
	r        io.Reader
	n        int64
	limit    int64 // 0 = none
	progress func(int64)
	reported int64
}

const progressEvery = 256 << 10

func (m *meter) Read(p []byte) (int, error) {
	if m.limit > 0 && int64(len(p)) > m.limit+1-m.n {
		// Read at most one byte past the limit: enough to know it is exceeded.
		p = p[:m.limit+1-m.n]
	}
	k, err := m.r.Read(p)
	m.n += int64(k)
	if m.limit > 0 && m.n > m.limit {
		return k, fmt.Errorf("%w (%d bytes)", ErrTooLarge, m.limit)
	}
	if m.progress != nil && (m.n-m.reported >= progressEvery || err == io.EOF) {
		m.reported = m.n
		m.progress(m.n)
	}
	return k, err
}

// done reports the final count once, for readers that stop before EOF.
func (m *meter) done() {
	if m.progress != nil && m.reported != m.n {
		m.reported = m.n
		m.progress(m.n)
	}
}

// asError wraps a read error (from the meter, gzip or the file) as an *Error
// unless it already is one.
func asError(err error, file, member string, line int) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	msg := "read error: " + err.Error()
	if errors.Is(err, ErrTooLarge) {
		msg = err.Error() + "; raise Options.MaxBytes to read it"
	} else if err == io.ErrUnexpectedEOF {
		msg = "unexpected end of input (truncated file?)"
	}
	return &Error{File: file, Member: member, Line: line, Msg: msg, Err: err}
}
