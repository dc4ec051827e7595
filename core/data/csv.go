package data

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ReadCSV reads a Kaggle-schema CSV (not compressed; see ReadAuto) named name
// in errors.
//
// The header must be exactly the two columns review and sentiment, in either
// order; a UTF-8 byte order mark before it is skipped. Records follow RFC
// 4180: fields may be quoted, quoted fields may hold commas, newlines and
// doubled quotes; lines may end in LF or CRLF (encoding/csv turns a CRLF
// inside a quoted field into LF). Blank lines are skipped. A label is
// "positive" or "negative" in any letter case, surrounding spaces ignored
// (pandas writes them lowercase; a hand-edited file may not). An empty
// review is accepted. At least one review is required.
func ReadCSV(r io.Reader, name string, opt Options) ([]Review, error) {
	return ReadCSVContext(context.Background(), r, name, opt)
}

// ReadCSVContext is ReadCSV stopped by ctx: it returns ctx's error within
// one 64 KiB read of the cancellation.
func ReadCSVContext(ctx context.Context, r io.Reader, name string, opt Options) ([]Review, error) {
	m := &meter{ctx: ctx, r: r, limit: opt.maxBytes(), what: "input longer than", flag: "--max-bytes", progress: opt.Progress}
	revs, err := readCSV(m, name, opt)
	m.done()
	return revs, err
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// readCSV parses the CSV from r, which already enforces the size limit and
// the context; readCSV enforces the record, row and text limits.
func readCSV(r io.Reader, name string, opt Options) ([]Review, error) {
	br := bufio.NewReaderSize(&recordGuard{r: r, file: name, max: opt.maxReviewBytes(), line: 1, start: 1}, 64<<10)
	b, _ := br.Peek(3)
	if bytes.Equal(b, bom) {
		br.Discard(3)
	}
	if bytes.HasPrefix(b, gzipMagic) {
		return nil, &Error{File: name, Msg: "gzip-compressed input: use ReadAuto or Open, which decompress it"}
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // counted here, for a message that says which column
	cr.ReuseRecord = true

	head, err := cr.Read()
	if err == io.EOF {
		return nil, &Error{File: name, Msg: "empty file: no header (want review,sentiment)"}
	}
	if err != nil {
		return nil, csvError(err, name)
	}
	textCol, labelCol, err := parseHeader(head)
	if err != nil {
		return nil, &Error{File: name, Line: 1, Msg: err.Error()}
	}

	var revs []Review
	kept := newBudget(opt)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err, name)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != 2 {
			return nil, &Error{File: name, Line: line, Msg: fieldCountMsg(len(rec))}
		}
		label, err := parseLabel(rec[labelCol])
		if err != nil {
			return nil, &Error{File: name, Line: line, Msg: err.Error()}
		}
		text := rec[textCol]
		if !utf8.ValidString(text) {
			return nil, &Error{File: name, Line: line, Msg: "review: " + invalidUTF8(text, line)}
		}
		if err := kept.add(len(text)); err != nil {
			return nil, &Error{File: name, Line: line, Msg: err.Error(), Err: err}
		}
		revs = append(revs, Review{Text: text, Label: label})
	}
	if len(revs) == 0 {
		return nil, &Error{File: name, Msg: "no reviews after the header"}
	}
	return revs, nil
}

// parseHeader returns the column indexes of the review text and the label.
func parseHeader(h []string) (text, label int, err error) {
	const want = "want exactly review,sentiment"
	if len(h) == 2 {
		switch {
		case h[0] == "review" && h[1] == "sentiment":
			return 0, 1, nil
		case h[0] == "sentiment" && h[1] == "review":
			return 1, 0, nil
		}
	}
	for _, f := range h {
		if !utf8.ValidString(f) {
			return 0, 0, fmt.Errorf("header: invalid UTF-8 (%s)", want)
		}
	}
	got := fmt.Sprintf("%.80q", strings.Join(h, ",")) // a binary file makes a long "header"
	has := func(s string) bool {
		for _, f := range h {
			if f == s {
				return true
			}
		}
		return false
	}
	switch {
	case len(h) > 2 && has("review") && has("sentiment"):
		return 0, 0, fmt.Errorf("header %s has %d columns, extra column(s) beside review and sentiment (%s)", got, len(h), want)
	case !has("review"):
		return 0, 0, fmt.Errorf("header %s: missing column review (%s)", got, want)
	case !has("sentiment"):
		return 0, 0, fmt.Errorf("header %s: missing column sentiment (%s)", got, want)
	}
	return 0, 0, fmt.Errorf("wrong header %s (%s)", got, want)
}

func parseLabel(s string) (int, error) {
	t := strings.TrimSpace(s)
	switch {
	case strings.EqualFold(t, "positive"):
		return 1, nil
	case strings.EqualFold(t, "negative"):
		return 0, nil
	}
	return 0, fmt.Errorf("unknown label %q (want positive or negative)", s)
}

func fieldCountMsg(n int) string {
	if n < 2 {
		return fmt.Sprintf("missing column: record has %d field, want 2 (review,sentiment)", n)
	}
	return fmt.Sprintf("extra field: record has %d fields, want 2 (review,sentiment); "+
		"a review holding a comma must be quoted", n)
}

// invalidUTF8 locates the first invalid byte of s, whose record starts on
// line start, by physical line and byte column.
func invalidUTF8(s string, start int) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	line := start + strings.Count(s[:i], "\n")
	col := i - strings.LastIndexByte(s[:i], '\n')
	return fmt.Sprintf("invalid UTF-8: byte 0x%02X on line %d, byte %d of the text on that line "+
		"(save the file as UTF-8)", s[i], line, col)
}

// csvError turns an encoding/csv error into an *Error at the line where the
// record starts, with the exact position of the fault in the message.
func csvError(err error, name string) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return asError(err, name, "", 0)
	}
	var msg string
	switch {
	case errors.Is(pe.Err, csv.ErrQuote):
		msg = fmt.Sprintf("unbalanced quote (line %d, column %d): a quoted field must close with \" "+
			"before the next comma or end of line, and a \" inside it must be doubled as \"\"", pe.Line, pe.Column)
	case errors.Is(pe.Err, csv.ErrBareQuote):
		msg = fmt.Sprintf("bare quote in an unquoted field (line %d, column %d): "+
			"quote the whole field and double the \" inside it", pe.Line, pe.Column)
	default:
		// A read error in the middle of a record (too large, bad gzip).
		return asError(pe.Err, name, "", pe.StartLine)
	}
	return &Error{File: name, Line: pe.StartLine, Msg: msg, Err: pe.Err}
}

// recordGuard refuses a CSV record longer than max bytes as it streams,
// before encoding/csv, which buffers a whole record (a whole line, then a
// whole field) however long, can hold it. It follows the quoting to know
// where a record ends: a newline outside quotes. A bare quote, which
// encoding/csv refuses on its line anyway, may put it out of step; then it
// errs on the side of a long record.
type recordGuard struct {
	r       io.Reader
	file    string
	max     int64 // ≤ 0 = none
	inQuote bool
	n       int64 // bytes of the current record so far
	line    int   // current physical line, 1-based
	start   int   // line where the current record starts
}

func (g *recordGuard) Read(p []byte) (int, error) {
	k, err := g.r.Read(p)
	if g.max <= 0 {
		return k, err
	}
	// Only quotes and newlines change the state: jump between them with
	// bytes.IndexByte, which is vectorised, rather than look at each byte.
	q := p[:k]
	pos, nextQ, nextN := 0, -1, -1
	for pos < len(q) {
		if nextQ < pos {
			nextQ = indexFrom(q, pos, '"')
		}
		end := nextQ // q[pos:end] is record content, q[end] a quote or a record's end
		if g.inQuote {
			g.line += bytes.Count(q[pos:end], newline)
		} else {
			if nextN < pos {
				nextN = indexFrom(q, pos, '\n')
			}
			end = min(end, nextN)
		}
		g.n += int64(end - pos)
		if end < len(q) && q[end] == '"' {
			g.n++ // quotes are part of the record
		}
		if g.n > g.max {
			return max(0, end-int(g.n-g.max)), g.tooLong()
		}
		if end == len(q) {
			break
		}
		if q[end] == '"' {
			g.inQuote = !g.inQuote
		} else { // a newline outside quotes ends the record
			g.line++
			g.n, g.start = 0, g.line
		}
		pos = end + 1
	}
	return k, err
}

var newline = []byte{'\n'}

// indexFrom is the index of the first c in q at or after from, or len(q).
func indexFrom(q []byte, from int, c byte) int {
	if i := bytes.IndexByte(q[from:], c); i >= 0 {
		return from + i
	}
	return len(q)
}

func (g *recordGuard) tooLong() error {
	msg := limitError("record longer than", g.max, "--max-review-bytes").Error()
	if g.inQuote {
		msg += " (a quote left open makes the rest of the file one field)"
	}
	return &Error{File: g.file, Line: g.start, Msg: msg, Err: ErrTooLarge}
}
