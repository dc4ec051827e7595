package data

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// The default limits. Every one is enforced while the input streams, before
// the memory it guards is spent. The real data sets are far below them: the
// Kaggle CSV is 26 MB gzipped, 66 MB of text in 50,000 rows whose longest
// review is 13.7 KB, at a gzip ratio of 2.5; the aclImdb tar is 0.5 GB
// uncompressed (reviews, unsup and feature files) at a ratio of 6.
const (
	DefaultMaxInputBytes  = 1 << 30   // the file as given (compressed)
	DefaultMaxBytes       = 1 << 30   // the stream after decompression
	DefaultMaxTextBytes   = 256 << 20 // review text held in memory
	DefaultMaxRows        = 1_000_000 // reviews
	DefaultMaxReviewBytes = 1 << 20   // one CSV record or review file
	DefaultMaxRatio       = 100       // decompressed ÷ compressed bytes

	// ratioFloor is how many decompressed bytes pass before the ratio is
	// checked: a small file may compress well without being a bomb.
	ratioFloor = 1 << 20
)

// Options tunes the readers. The zero value is ready to use: a limit of 0
// means its default, a negative limit means no limit.
//
// The limits bound memory, not just file size: MaxTextBytes and MaxRows
// bound what is kept (about MaxTextBytes + 24 bytes per row), MaxReviewBytes
// what one record buffers while it is parsed, MaxInputBytes, MaxBytes and
// MaxRatio how long a stream may run. Each refusal wraps ErrTooLarge and
// names the lab flag that raises the limit (--max-bytes for MaxBytes).
type Options struct {
	// MaxInputBytes refuses inputs longer than this many bytes as given
	// (compressed, for a .gz or a zip). Flag --max-input-bytes.
	MaxInputBytes int64
	// MaxBytes refuses inputs longer than this many bytes after
	// decompression: the CSV or tar stream, or all zip members together;
	// for a folder, the review files read. Flag --max-bytes.
	MaxBytes int64
	// MaxTextBytes refuses inputs whose reviews hold more text than this
	// many bytes in all. Flag --max-text-bytes.
	MaxTextBytes int64
	// MaxRows refuses inputs with more reviews than this. Flag --max-rows.
	MaxRows int
	// MaxReviewBytes refuses a CSV record, or an aclImdb review file,
	// longer than this many bytes: checked as the record streams (an
	// unclosed quote can make the rest of a file one field) and, for a
	// review file, from its size before it is read. Flag --max-review-bytes.
	MaxReviewBytes int64
	// MaxRatio refuses a compressed stream (gzip, a zip member) that
	// expands more than this many times, checked once past 1 MiB of
	// output. Flag --max-ratio.
	MaxRatio float64

	// AllowSpecial lets Open read a path that is not a regular file or a
	// folder (a named pipe, a device such as /dev/stdin) as a stream. Such
	// a path is refused by default: a FIFO blocks until someone writes,
	// and /dev/zero never ends. Flag --allow-special.
	AllowSpecial bool

	// Progress, if set, is called with the number of input bytes consumed
	// so far: bytes of the file as given (compressed, for a .gz), so a
	// caller can compare it with the file size; for a folder, the bytes of
	// the review files read. It is called about every 256 KiB and once at
	// the end.
	Progress func(bytesRead int64)
}

// limit returns v, or def when v is 0, or -1 (none) when v is negative.
func limit(v, def int64) int64 {
	switch {
	case v == 0:
		return def
	case v < 0:
		return -1
	}
	return v
}

func (o Options) maxInputBytes() int64  { return limit(o.MaxInputBytes, DefaultMaxInputBytes) }
func (o Options) maxBytes() int64       { return limit(o.MaxBytes, DefaultMaxBytes) }
func (o Options) maxTextBytes() int64   { return limit(o.MaxTextBytes, DefaultMaxTextBytes) }
func (o Options) maxRows() int64        { return limit(int64(o.MaxRows), DefaultMaxRows) }
func (o Options) maxReviewBytes() int64 { return limit(o.MaxReviewBytes, DefaultMaxReviewBytes) }

func (o Options) maxRatio() float64 {
	switch {
	case o.MaxRatio == 0:
		return DefaultMaxRatio
	case o.MaxRatio < 0:
		return -1
	}
	return o.MaxRatio
}

// ErrTooLarge is wrapped by every refusal for a limit of Options.
var ErrTooLarge = errors.New("input over a size limit of Options")

// tooLarge is a limit refusal; errors.Is(err, ErrTooLarge) tells it.
type tooLarge struct{ msg string }

func (e *tooLarge) Error() string        { return e.msg }
func (e *tooLarge) Is(target error) bool { return target == ErrTooLarge }

// limitError says what went over which limit, and the flag that raises it.
func limitError(what string, max int64, flag string) error {
	return &tooLarge{fmt.Sprintf("%s %s (%d bytes), the %s limit; if the file is genuine, raise it with %s=N",
		what, humanBytes(max), max, flag, flag)}
}

// humanBytes writes n in the largest binary unit that divides it, or in
// bytes: 1 GiB, 256 MiB, 1500 bytes.
func humanBytes(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// meter counts the bytes read through it and stops the stream early: when
// ctx is done, when the count passes limit (flag names the option in the
// error), or when the count passes ratio times what the source meter has
// read. With a progress callback it reports the count.
type meter struct {
	ctx      context.Context
	r        io.Reader
	n        int64
	limit    int64  // -1 or 0 = none
	what     string // "input", "decompressed input": for the error
	flag     string
	ratio    float64      // ≤ 0 = none
	source   func() int64 // compressed bytes, for the ratio
	base     int64        // n when this stream started, for the ratio
	progress func(int64)
	reported int64
}

const progressEvery = 256 << 10

func (m *meter) Read(p []byte) (int, error) {
	if m.ctx != nil {
		if err := m.ctx.Err(); err != nil {
			return 0, err
		}
	}
	if m.limit > 0 && int64(len(p)) > m.limit+1-m.n {
		// Read at most one byte past the limit: enough to know it is exceeded.
		p = p[:m.limit+1-m.n]
	}
	k, err := m.r.Read(p)
	m.n += int64(k)
	if m.limit > 0 && m.n > m.limit {
		return k, limitError(m.what, m.limit, m.flag)
	}
	if out := m.n - m.base; m.ratio > 0 && out > ratioFloor {
		if c := m.source(); float64(out) > m.ratio*float64(c) {
			// The bytes are withheld, so that a reader that needed them
			// cannot finish as if the stream had ended well.
			return 0, &tooLarge{fmt.Sprintf("compressed data expands more than %g times (%d bytes from %d), "+
				"as a decompression bomb does: over the --max-ratio limit; if the file is genuine, raise it with --max-ratio=N",
				m.ratio, out, c)}
		}
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

// budget counts the reviews kept against MaxRows and MaxTextBytes.
type budget struct {
	rows, text       int64
	maxRows, maxText int64
}

func newBudget(opt Options) *budget {
	return &budget{maxRows: opt.maxRows(), maxText: opt.maxTextBytes()}
}

// add accounts one review of n bytes.
func (b *budget) add(n int) error {
	b.rows++
	b.text += int64(n)
	if b.maxRows > 0 && b.rows > b.maxRows {
		return &tooLarge{fmt.Sprintf("more than %d reviews, the --max-rows limit; if the file is genuine, raise it with --max-rows=N",
			b.maxRows)}
	}
	if b.maxText > 0 && b.text > b.maxText {
		return limitError("review text longer than", b.maxText, "--max-text-bytes")
	}
	return nil
}

// asError wraps a read error (from a meter, gzip or the file) as an *Error
// unless it already is one or is a cancellation, which is returned as is so
// that callers can tell it with errors.Is(err, context.Canceled).
func asError(err error, file, member string, line int) error {
	var e *Error
	if errors.As(err, &e) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := "read error: " + err.Error()
	if errors.Is(err, ErrTooLarge) {
		msg = err.Error()
	} else if err == io.ErrUnexpectedEOF {
		msg = "unexpected end of input (truncated file?)"
	}
	return &Error{File: file, Member: member, Line: line, Msg: msg, Err: err}
}
