package text

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

// TestCleanRandomMatchesPython replays 1,000 random strings built from the
// characters that make Clean hard (every kind of Python whitespace, tags,
// apostrophes, combining marks, numerics of other scripts, stopwords glued
// to tags). testdata/clean_python.jsonl holds each input with the output of
// the thesis's Python pipeline (Python 3.11 re, the same 198 stopwords),
// generated with random.seed(7). Σ and İ are left out: strings.ToLower
// differs from str.lower on them (see doc.go).
func TestCleanRandomMatchesPython(t *testing.T) {
	f, err := os.Open("testdata/clean_python.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for line := 1; sc.Scan(); line++ {
		var c struct{ In, Want string }
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("testdata/clean_python.jsonl:%d: %v", line, err)
		}
		if got := Clean(c.In); got != c.Want {
			t.Errorf("line %d: Clean(%q)\n got %q\nwant %q", line, c.In, got, c.Want)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 1000 {
		t.Errorf("%d cases, want 1000", n)
	}
}
