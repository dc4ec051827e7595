package lab

import (
	"errors"
	"slices"
	"testing"

	"sentilab/core/data"
)

// A corpus without cleaned texts splits into the same rows and texts as
// one with them; SplitTest and SplitRows clean less; Cleaning's error
// stops the split.
func TestSplitCleansOnTheFly(t *testing.T) {
	reviews := toyReviews(t, 600, 3)
	reviews[5].Text = "<b>Loud</b> HTML, and Punctuation!!" // the cleaning must matter
	cleaned := NewCorpus(reviews, nil)
	sp := SplitSpec{Seed: 7, TestFrac: 0.25, TrainLimit: 400, Rule: data.RuleGrouped}
	want, err := cleaned.Split(sp)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	lazy := Corpus{Reviews: reviews, Cleaning: func(done, total int) error {
		calls++
		if total != 400+150 || done%256 != 0 || done >= total {
			t.Errorf("Cleaning(%d, %d), want multiples of 256 below 550", done, total)
		}
		return nil
	}}
	got, err := lazy.Split(sp)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.TrainX, want.TrainX) || !slices.Equal(got.TestX, want.TestX) || !slices.Equal(got.TrainIndex, want.TrainIndex) ||
		!slices.Equal(got.TestIndex, want.TestIndex) || !slices.Equal(got.TrainY, want.TrainY) || got.TrainHash() != want.TrainHash() {
		t.Fatal("a corpus cleaned on the fly splits differently")
	}
	if calls != 3 { // at 0, 256 and 512 of 550
		t.Errorf("Cleaning ran %d times, want 3", calls)
	}
	lazy.Cleaning = nil
	test, err := lazy.SplitTest(sp)
	if err != nil || test.TrainX != nil || !slices.Equal(test.TestX, want.TestX) || test.TrainHash() != want.TrainHash() {
		t.Fatalf("SplitTest: %v, %d training texts", err, len(test.TrainX))
	}
	rows, err := lazy.SplitRows(sp)
	if err != nil || rows.TrainX != nil || rows.TestX != nil || !slices.Equal(rows.TestIndex, want.TestIndex) {
		t.Fatalf("SplitRows: %v", err)
	}
	stop := errors.New("canceled")
	lazy.Cleaning = func(done, total int) error {
		if done > 0 {
			return stop
		}
		return nil
	}
	if _, err := lazy.Split(sp); err != stop {
		t.Fatalf("a Cleaning error: Split returned %v", err)
	}
}
