package data

import (
	"strings"
	"testing"
	"time"

	"sentilab/internal/testenv"
)

// The shared Kaggle CSV: 50,000 reviews, 25,000 of each class.
func TestSharedCSV(t *testing.T) {
	path := testenv.DataPath(t)
	start := time.Now()
	var progress int64
	revs, err := Open(path, Options{Progress: func(n int64) { progress = n }})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("read %d reviews in %v", len(revs), time.Since(start))
	if len(revs) != 50000 {
		t.Fatalf("%d reviews, want 50000", len(revs))
	}
	if pos, neg := Counts(revs); pos != 25000 || neg != 25000 {
		t.Fatalf("%d positive, %d negative; want 25000 each", pos, neg)
	}
	if progress != 26462578 {
		t.Errorf("progress ended at %d, want the gzip file's 26462578 bytes", progress)
	}
	if !strings.HasPrefix(revs[0].Text, "After reading several good reviews") {
		t.Errorf("first review %.40q", revs[0].Text)
	}
	train, test, err := Split(revs, 0.2, 42)
	if err != nil {
		t.Fatal(err)
	}
	if len(train) != 40000 || len(test) != 10000 {
		t.Fatalf("split %d/%d, want 40000/10000", len(train), len(test))
	}
	// Pinned so a change of reader, shuffle or platform shows up here.
	if pos, _ := Counts(test); pos != 5030 {
		t.Errorf("seed 42 test set has %d positive reviews, want 5030", pos)
	}
	if h, want := Hash(revs), "72d7e415c13199e5de3789b8771176e05153e81207759af4971cd95c8e203984"; h != want {
		t.Errorf("data hash %s, want %s", h, want)
	}

	// Hygiene: the CSV repeats reviews; the thesis split leaks some of them
	// into the test set, the grouped split none.
	h := CheckHygiene(revs)
	t.Logf("hygiene %+v; warnings %q", h, h.Warnings())
	if h.DuplicateReviews != 418 {
		t.Errorf("%d duplicate reviews, want pandas' 418", h.DuplicateReviews)
	}
	leak := Overlap(train, test)
	gtrain, gtest, err := SplitGrouped(revs, 0.2, 42)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seed 42: %d of Split's 10000 test reviews also in training; SplitGrouped: %d/%d, overlap %d",
		leak, len(gtrain), len(gtest), Overlap(gtrain, gtest))
	if leak != 133 || Overlap(gtrain, gtest) != 0 || len(gtest) != 10000 {
		t.Errorf("overlap %d (want 133) with Split, %d (want 0) with SplitGrouped of test size %d (want 10000)",
			leak, Overlap(gtrain, gtest), len(gtest))
	}
}

func BenchmarkOpenSharedCSV(b *testing.B) {
	path := testenv.DataPath(b)
	for b.Loop() {
		if _, err := Open(path, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
