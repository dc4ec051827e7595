package data

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"
)

func makeZip(t testing.TB, files [][2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		w, err := zw.Create(f[0])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f[1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Kaggle's download, as a Mac re-zips it: the CSV plus __MACOSX junk.
func TestReadAutoZipCSV(t *testing.T) {
	z := makeZip(t, [][2]string{
		{"__MACOSX/._IMDB Dataset.csv", "\x00\x05\x16\x07junk"},
		{"IMDB Dataset.csv", "review,sentiment\n\"Great, great.\",positive\nBad.,negative\n"},
		{"readme.txt", "x"},
	})
	got, err := ReadAuto(bytes.NewReader(z), "archive.zip", Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkReviews(t, got, []Review{{"Great, great.", 1}, {"Bad.", 0}})
}

func TestReadAutoZipAclImdb(t *testing.T) {
	var files [][2]string
	for p, s := range tree {
		files = append(files, [2]string{"aclImdb/" + p, s})
	}
	got, err := ReadAuto(bytes.NewReader(makeZip(t, files)), "aclImdb.zip", Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkReviews(t, got, treeWant)
}

func TestReadAutoZipErrors(t *testing.T) {
	cases := []struct {
		name   string
		in     []byte
		member string
		want   string
	}{
		{"no csv", makeZip(t, [][2]string{{"a.txt", "x"}}), "", "zip holds no .csv file and no aclImdb reviews"},
		{"two csv", makeZip(t, [][2]string{{"b.csv", "x"}, {"a.csv", "y"}}), "", `zip holds 2 CSV files ["a.csv" "b.csv"]; want one`},
		{"bad csv", makeZip(t, [][2]string{{"d.csv", "review,sentiment\na,positive\nb,meh\n"}}), "d.csv", `unknown label "meh"`},
		{"truncated", makeZip(t, [][2]string{{"d.csv", "review,sentiment\na,positive\n"}})[:30], "", "bad zip archive"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadAuto(bytes.NewReader(c.in), "k.zip", Options{})
			var e *Error
			if !errors.As(err, &e) || e.File != "k.zip" || e.Member != c.member || !strings.Contains(e.Msg, c.want) {
				t.Fatalf("got %v, want k.zip member %q containing %q", err, c.member, c.want)
			}
		})
	}
	big := makeZip(t, [][2]string{{"d.csv", "review,sentiment\n" + strings.Repeat("\"a long review\",positive\n", 10000)}})
	if _, err := ReadAuto(bytes.NewReader(big), "k.zip", Options{MaxBytes: 100000}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("zip bomb: %v", err)
	}
	if err := (&Error{File: "k.zip", Member: "d.csv", Line: 3, Msg: "m"}).Error(); err != "k.zip: d.csv:3: m" {
		t.Fatalf("message %q", err)
	}
}
