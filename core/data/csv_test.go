package data

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func readString(t *testing.T, s string) ([]Review, error) {
	t.Helper()
	return ReadCSV(strings.NewReader(s), "in.csv", Options{})
}

func TestReadCSVValid(t *testing.T) {
	in := "\xEF\xBB\xBFreview,sentiment\r\n" +
		"\"Great, \"\"really\"\" great\r\nsecond line\",positive\r\n" +
		"\r\n" + // blank lines are skipped
		"plain text,NEGATIVE\r\n" +
		"\"\", Positive \n" + // empty review, label with spaces, LF ending
		"last,negative" // no final newline
	got, err := readString(t, in)
	if err != nil {
		t.Fatal(err)
	}
	want := []Review{
		{"Great, \"really\" great\nsecond line", 1},
		{"plain text", 0},
		{"", 1},
		{"last", 0},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d reviews %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("review %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestReadCSVSwappedColumns(t *testing.T) {
	got, err := readString(t, "sentiment,review\npositive,good\nnegative,\"bad, bad\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != (Review{"good", 1}) || got[1] != (Review{"bad, bad", 0}) {
		t.Fatalf("got %+v", got)
	}
}

// Each bad input must be refused with the file, the line where the record
// starts and the problem.
func TestReadCSVErrors(t *testing.T) {
	cases := []struct {
		name, in string
		line     int
		want     string
	}{
		{"empty", "", 0, "empty file: no header"},
		{"bom only", "\xEF\xBB\xBF", 0, "empty file: no header"},
		{"header only", "review,sentiment\n", 0, "no reviews after the header"},
		{"wrong header", "text,label\na,positive\n", 1, `missing column review`},
		{"misspelt", "review,sentimen\na,positive\n", 1, `missing column sentiment`},
		{"one column", "review\na\n", 1, `missing column sentiment`},
		{"extra column", "review,sentiment,id\na,positive,1\n", 1, "extra column"},
		{"duplicate", "review,review\na,b\n", 1, "missing column sentiment"},
		{"missing field", "review,sentiment\na,positive\nonly one field\n", 3, "missing column: record has 1 field"},
		{"extra field", "review,sentiment\na,positive\nb,c,negative\n", 3, "extra field: record has 3 fields"},
		{"unknown label", "review,sentiment\na,positive\nb,neutral\n", 3, `unknown label "neutral"`},
		{"empty label", "review,sentiment\na,\n", 2, `unknown label ""`},
		{"unclosed quote", "review,sentiment\na,positive\n\"never closed,positive\nmore\n", 3, "unbalanced quote (line 4"},
		{"text after quote", "review,sentiment\n\"a\"b,positive\n", 2, "unbalanced quote (line 2, column 3)"},
		{"bare quote", "review,sentiment\nsay \"hi\",positive\n", 2, "bare quote in an unquoted field (line 2, column 5)"},
		{"bad utf8", "review,sentiment\na,positive\n\"ok\nbad \xff here\",negative\n", 3, "invalid UTF-8: byte 0xFF on line 4"},
		{"bad utf8 label", "review,sentiment\na,posit\xffive\n", 2, `unknown label "posit\xffive"`},
		{"bad utf8 header", "revi\xffew,sentiment\na,positive\n", 1, "header: invalid UTF-8"},
		{"gzip", "\x1f\x8b\x08\x00", 0, "gzip-compressed input"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := readString(t, c.in)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if e.File != "in.csv" || e.Line != c.line || !strings.Contains(e.Msg, c.want) {
				t.Fatalf("got file %q line %d msg %q, want in.csv line %d msg containing %q", e.File, e.Line, e.Msg, c.line, c.want)
			}
			prefix := "in.csv: "
			if c.line > 0 {
				prefix = "in.csv:" + strconv.Itoa(c.line) + ": "
			}
			if !strings.HasPrefix(err.Error(), prefix) {
				t.Fatalf("message %q does not start with %q", err.Error(), prefix)
			}
		})
	}
}

func TestReadCSVTooLarge(t *testing.T) {
	in := "review,sentiment\n" + strings.Repeat("\"long review\",positive\n", 100)
	_, err := ReadCSV(strings.NewReader(in), "big.csv", Options{MaxBytes: 500})
	if !errors.Is(err, ErrTooLarge) || !strings.HasPrefix(err.Error(), "big.csv:") || !strings.Contains(err.Error(), "500 bytes") {
		t.Fatalf("got %v, want big.csv: ... too large (500 bytes)", err)
	}
	// Exactly at the limit is accepted.
	if _, err := ReadCSV(strings.NewReader(in), "big.csv", Options{MaxBytes: int64(len(in))}); err != nil {
		t.Fatalf("input of exactly MaxBytes refused: %v", err)
	}
}

func TestReadCSVProgress(t *testing.T) {
	in := "review,sentiment\n" + strings.Repeat("\""+strings.Repeat("x", 999)+"\",positive\n", 1000)
	var calls []int64
	revs, err := ReadCSV(strings.NewReader(in), "p.csv", Options{Progress: func(n int64) { calls = append(calls, n) }})
	if err != nil || len(revs) != 1000 {
		t.Fatalf("%d reviews, err %v", len(revs), err)
	}
	if len(calls) < 3 || calls[len(calls)-1] != int64(len(in)) {
		t.Fatalf("progress calls %v, want several ending at %d", calls, len(in))
	}
	for i := 1; i < len(calls); i++ {
		if calls[i] <= calls[i-1] {
			t.Fatalf("progress not increasing: %v", calls)
		}
	}
}
