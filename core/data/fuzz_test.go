package data

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkResult asserts what every reader promises: an accepted input gives
// at least one review, each labelled 0 or 1 with valid UTF-8; a refused one
// gives an *Error that starts with the input's name.
func checkResult(t *testing.T, name string, revs []Review, err error) {
	t.Helper()
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v is %T, want *Error", err, err)
		}
		if !strings.HasPrefix(err.Error(), name) || e.Msg == "" {
			t.Fatalf("error %q does not name %s or is empty", err, name)
		}
		return
	}
	if len(revs) == 0 {
		t.Fatal("accepted input with no reviews")
	}
	for i, r := range revs {
		if r.Label != 0 && r.Label != 1 {
			t.Fatalf("review %d label %d", i, r.Label)
		}
		if !utf8.ValidString(r.Text) {
			t.Fatalf("review %d is not UTF-8: %q", i, r.Text)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"review,sentiment\na,positive\n",
		"\xEF\xBB\xBFreview,sentiment\r\n\"x\r\ny\",negative\r\n",
		"sentiment,review\nPOSITIVE,\"a \"\"b\"\" c\"\n",
		"review,sentiment\n\"unclosed,positive\n",
		"review,sentiment\na,b,c\n",
		"review,sentiment\n\xff,positive\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		revs, err := ReadCSV(bytes.NewReader(b), "f.csv", Options{MaxBytes: 1 << 20})
		checkResult(t, "f.csv", revs, err)
		if err == nil && !bytes.HasPrefix(b, gzipMagic) && !isTarHeader(b) {
			// ReadAuto must agree with ReadCSV on a plain CSV.
			again, err := ReadAuto(bytes.NewReader(b), "f.csv", Options{MaxBytes: 1 << 20})
			if err != nil || len(again) != len(revs) {
				t.Fatalf("ReadAuto: %d reviews, %v; ReadCSV: %d", len(again), err, len(revs))
			}
			for i := range revs {
				if again[i] != revs[i] {
					t.Fatalf("review %d differs: %+v vs %+v", i, again[i], revs[i])
				}
			}
		}
	})
}

func FuzzReadAuto(f *testing.F) {
	tr := makeTar(f, "aclImdb/", map[string]string{"train/pos/1_7.txt": "good", "test/neg/2_1.txt": "bad"})
	f.Add(tr)
	f.Add(gz(f, tr))
	f.Add(gz(f, []byte("review,sentiment\n\"a\nb\",positive\n")))
	f.Add(tr[:600])
	f.Add(makeZip(f, [][2]string{{"IMDB Dataset.csv", "review,sentiment\na,positive\n"}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		revs, err := ReadAuto(bytes.NewReader(b), "f.tgz", Options{MaxBytes: 1 << 20})
		checkResult(t, "f.tgz", revs, err)
	})
}
