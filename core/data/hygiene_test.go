package data

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestCheckHygiene(t *testing.T) {
	revs := []Review{{"a", 1}, {"b", 0}, {"a", 1}, {"c", 1}, {"a", 0}, {"b", 0}, {"d", 0}, {"d", 1}}
	h := CheckHygiene(revs)
	want := Hygiene{Reviews: 8, Positive: 4, Negative: 4, DuplicateReviews: 4, DuplicateTexts: 3, ContradictoryTexts: 2}
	if h != want {
		t.Fatalf("got %+v, want %+v", h, want)
	}
	w := h.Warnings()
	if len(w) != 2 || !strings.HasPrefix(w[0], "2 review texts appear with both labels") ||
		!strings.HasPrefix(w[1], "4 reviews repeat an earlier one word for word (3 distinct texts)") {
		t.Fatalf("warnings %q", w)
	}
	one := CheckHygiene([]Review{{"x", 1}, {"y", 1}})
	if w := one.Warnings(); len(w) != 1 || w[0] != "all 2 reviews are positive: a classifier needs both classes" {
		t.Fatalf("single class: %q", w)
	}
	if w := CheckHygiene([]Review{{"x", 1}, {"y", 0}}).Warnings(); w != nil {
		t.Fatalf("clean data warned: %q", w)
	}
}

// Without duplicates SplitGrouped is Split.
func TestSplitGroupedNoDuplicates(t *testing.T) {
	revs := make([]Review, 1000)
	for i := range revs {
		revs[i] = Review{fmt.Sprint("review ", i), i % 2}
	}
	for _, seed := range []uint64{1, 42} {
		tr1, te1, _ := Split(revs, 0.2, seed)
		tr2, te2, err := SplitGrouped(revs, 0.2, seed)
		if err != nil || !reflect.DeepEqual(tr1, tr2) || !reflect.DeepEqual(te1, te2) {
			t.Fatalf("seed %d: grouped split differs from Split (%v)", seed, err)
		}
	}
}

// With duplicates, no text is on both sides; every review is on one side
// exactly once; Split on the same data leaks.
func TestSplitGroupedKeepsCopiesTogether(t *testing.T) {
	var revs []Review
	for i := range 500 {
		revs = append(revs, Review{fmt.Sprint("review ", i), i % 2})
		if i%10 == 0 { // 50 texts repeated 2 to 4 times
			for range 1 + i%3 {
				revs = append(revs, Review{fmt.Sprint("review ", i), i % 2})
			}
		}
	}
	train, test, err := SplitGrouped(revs, 0.2, 42)
	if err != nil {
		t.Fatal(err)
	}
	if n := Overlap(train, test); n != 0 {
		t.Fatalf("%d test reviews also in training", n)
	}
	nTest := (len(revs) + 4) / 5
	if len(test) < nTest || len(test) > nTest+3 || len(train)+len(test) != len(revs) {
		t.Fatalf("sizes %d + %d of %d, want test in [%d, %d]", len(train), len(test), len(revs), nTest, nTest+3)
	}
	all := append(slices.Clone(train), test...)
	key := func(a, b Review) int { return strings.Compare(a.Text, b.Text) }
	slices.SortFunc(all, key)
	sorted := slices.Clone(revs)
	slices.SortFunc(sorted, key)
	if !reflect.DeepEqual(all, sorted) {
		t.Fatal("the two sides are not the input, each review once")
	}
	again, _, _ := SplitGrouped(revs, 0.2, 42)
	other, _, _ := SplitGrouped(revs, 0.2, 7)
	if !reflect.DeepEqual(train, again) || reflect.DeepEqual(train, other) {
		t.Fatal("the split must depend on the seed and on nothing else")
	}
	tr, te, _ := Split(revs, 0.2, 42)
	if Overlap(tr, te) == 0 {
		t.Fatal("Split kept every copy together by chance: the data does not test the rule")
	}
}

// SplitIndices names the same reviews as Split and SplitGrouped, in the
// same order, for either rule; an unknown rule is refused.
func TestSplitIndices(t *testing.T) {
	var revs []Review
	for i := range 300 {
		revs = append(revs, Review{fmt.Sprint("review ", i%250), i % 2}) // 50 repeated
	}
	pick := func(idx []int) []Review {
		out := []Review{}
		for _, i := range idx {
			out = append(out, revs[i])
		}
		return out
	}
	for rule, split := range map[string]func([]Review, float64, uint64) ([]Review, []Review, error){
		RulePermutation: Split, RuleGrouped: SplitGrouped} {
		tr, te, err := SplitIndices(revs, 0.2, 42, rule)
		if err != nil {
			t.Fatal(err)
		}
		wantTr, wantTe, _ := split(revs, 0.2, 42)
		if !reflect.DeepEqual(pick(tr), wantTr) || !reflect.DeepEqual(pick(te), wantTe) {
			t.Errorf("%s: indexes name other reviews than the split", rule)
		}
	}
	if _, _, err := SplitIndices(revs, 0.2, 42, "random"); err == nil || !strings.Contains(err.Error(), `split rule "random": want permutation or grouped`) {
		t.Errorf("unknown rule: %v", err)
	}
}
