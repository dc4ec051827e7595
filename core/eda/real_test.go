package eda_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"sentilab/core/data"
	"sentilab/core/eda"
	"sentilab/core/text"
	"sentilab/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

const goldenPath = "testdata/eda-imdb50k.golden.json"

func loadIMDB(t testing.TB) (texts []string, labels []int) {
	rs, err := data.Open(testenv.DataPath(t), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		texts = append(texts, r.Text)
		labels = append(labels, r.Label)
	}
	return texts, labels
}

// TestThesisEDA asserts the thesis's EDA numbers on the shared 50k CSV, to
// the digits the thesis printed, and pins the whole report to a golden file.
func TestThesisEDA(t *testing.T) {
	texts, labels := loadIMDB(t)
	start := time.Now()
	cleaned := text.CleanAll(texts, nil)
	cleanTime := time.Since(start)
	calls := 0
	r, err := eda.Compute(texts, labels, eda.Options{Cleaned: cleaned, Progress: func(done, total int) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Clean %v + EDA %v on %d reviews (%d progress calls)", cleanTime, time.Since(start)-cleanTime, len(texts), calls)

	check := func(name, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	f5 := func(x float64) string { return fmt.Sprintf("%.5f", x) }
	neg, pos := r.Classes[0], r.Classes[1]
	check("rows", fmt.Sprint(r.Rows), "50000")
	check("nulls", fmt.Sprint(r.NullReviews), "0")
	check("duplicate reviews", fmt.Sprint(r.DuplicateReviews), "418")
	check("duplicate rows", fmt.Sprint(r.DuplicateRows), "418")
	check("describe review", fmt.Sprint(r.Describe.Review.Count, r.Describe.Review.Unique, r.Describe.Review.Freq), "50000 49582 5")
	check("describe review top", r.Describe.Review.Top[:20], "Loved today's show!!")
	check("describe sentiment", fmt.Sprint(r.Describe.Sentiment), "{50000 2 negative 25000}")

	// The thesis's word counts, exactly.
	check("negative word count", fmt.Sprintf("%s %d %d", f5(neg.WordCount.Mean), neg.WordCount.Min, neg.WordCount.Max), "125.08472 3 875")
	check("positive word count", fmt.Sprintf("%s %d %d", f5(pos.WordCount.Mean), pos.WordCount.Min, pos.WordCount.Max), "127.81848 6 1465")
	// Character lengths are Python's len() of the cleaned text (code points).
	check("negative char length", fmt.Sprintf("%s %d %d", f5(neg.CharLength.Mean), neg.CharLength.Min, neg.CharLength.Max), "835.48688 18 5951")
	check("positive char length", fmt.Sprintf("%s %d %d", f5(pos.CharLength.Mean), pos.CharLength.Min, pos.CharLength.Max), "869.16684 37 9394")

	pct := map[int]float64{}
	for _, p := range r.WordCountPercentiles {
		pct[p.P] = p.Value
	}
	check("word count percentiles 5/50/95", fmt.Sprint(pct[5], pct[50], pct[95]), "34 94 326")
	check("word count percentiles 0/100", fmt.Sprint(pct[0], pct[100]), "3 1465")
	check("distinct chars", fmt.Sprint(r.DistinctChars), "88")

	wantTFIDF := []string{"movie 0.084599", "film 0.074423", "like 0.041603", "good 0.036216", "time 0.030779",
		"story 0.030717", "really 0.030418", "bad 0.028125", "great 0.027587", "people 0.025366"}
	for i, w := range wantTFIDF {
		check(fmt.Sprintf("tfidf[%d]", i), fmt.Sprintf("%s %.6f", r.TFIDF.Top[i].Term, r.TFIDF.Top[i].Score), w)
	}

	got, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("%v (run go test -run ThesisEDA -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		out := filepath.Join(t.TempDir(), "eda.json")
		os.WriteFile(out, got, 0o644)
		t.Errorf("report differs from %s; got written to %s (diff them; -update accepts it)", goldenPath, out)
	}
}
