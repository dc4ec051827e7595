package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Hygiene counts what a reader accepts but a student should know about: a
// dataset of one class, reviews repeated word for word (the Kaggle CSV
// repeats 418), and repeated texts carrying both labels.
type Hygiene struct {
	Reviews  int `json:"reviews"`
	Positive int `json:"positive"`
	Negative int `json:"negative"`
	// DuplicateReviews counts reviews whose text equals an earlier one's
	// (pandas' df.review.duplicated().sum()); DuplicateTexts the distinct
	// texts that occur more than once.
	DuplicateReviews int `json:"duplicate_reviews"`
	DuplicateTexts   int `json:"duplicate_texts"`
	// ContradictoryTexts counts texts that occur with both labels.
	ContradictoryTexts int `json:"contradictory_texts"`
}

// CheckHygiene counts the duplicates and classes of reviews.
func CheckHygiene(reviews []Review) Hygiene {
	h := Hygiene{Reviews: len(reviews)}
	h.Positive, h.Negative = Counts(reviews)
	seen := make(map[string]*[2]int, len(reviews))
	for _, r := range reviews {
		c := seen[r.Text]
		if c == nil {
			c = new([2]int)
			seen[r.Text] = c
		} else {
			h.DuplicateReviews++
			if c[0]+c[1] == 1 {
				h.DuplicateTexts++
			}
			if c[r.Label] == 0 {
				h.ContradictoryTexts++ // its first copy with the other label
			}
		}
		c[r.Label]++
	}
	return h
}

// Warnings says, in a sentence each, what is wrong with the data: one
// class only, contradictory labels, duplicates. None for clean data.
func (h Hygiene) Warnings() []string {
	var w []string
	switch {
	case h.Reviews > 0 && h.Positive == 0:
		w = append(w, fmt.Sprintf("all %d reviews are negative: a classifier needs both classes", h.Reviews))
	case h.Reviews > 0 && h.Negative == 0:
		w = append(w, fmt.Sprintf("all %d reviews are positive: a classifier needs both classes", h.Reviews))
	}
	if n := h.ContradictoryTexts; n > 0 {
		w = append(w, fmt.Sprintf("%d review %s with both labels: the same words are called positive and negative",
			n, plural(n, "text appears", "texts appear")))
	}
	if n := h.DuplicateReviews; n > 0 {
		w = append(w, fmt.Sprintf("%d %s an earlier one word for word (%d distinct %s): "+
			"a random split can put copies in both training and test",
			n, plural(n, "review repeats", "reviews repeat"), h.DuplicateTexts, plural(h.DuplicateTexts, "text", "texts")))
	}
	return w
}

// SplitGrouped is Split that keeps exact duplicates on one side. The rule:
// reviews with byte-identical text form a group; the groups, listed in
// order of first appearance, are shuffled with PCG(seed, splitStream); the
// test set takes whole groups from the end of that order until it holds at
// least ceil(testFrac·n) reviews, and the training set is the rest, in
// that order (a group's copies adjacent, in input order). The test set may
// thus hold a few more reviews than Split's. Without duplicates the groups
// are the reviews and the split is Split's, review for review.
func SplitGrouped(reviews []Review, testFrac float64, seed uint64) (train, test []Review, err error) {
	tr, te, err := groupedIndices(reviews, testFrac, seed)
	if err != nil {
		return nil, nil, err
	}
	train, test = gather(reviews, tr, te)
	return train, test, nil
}

// groupedIndices is SplitGrouped on indexes into reviews.
func groupedIndices(reviews []Review, testFrac float64, seed uint64) (train, test []int, err error) {
	if err := checkTestFrac(testFrac); err != nil {
		return nil, nil, err
	}
	n := len(reviews)
	nTest := int(math.Ceil(testFrac * float64(n)))
	// groups[g] lists the indexes of group g's reviews, in input order.
	var groups [][]int
	index := make(map[string]int, n)
	for i, r := range reviews {
		g, ok := index[r.Text]
		if !ok {
			g = len(groups)
			index[r.Text] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	order := make([]int, len(groups))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(seed, splitStream))
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })

	cut, inTest := len(order), 0
	for cut > 0 && inTest < nTest {
		cut--
		inTest += len(groups[order[cut]])
	}
	if nTest == 0 || inTest >= n {
		return nil, nil, fmt.Errorf("split: %d reviews (%d distinct texts) at test fraction %v leave %d for training and %d for test; both must be non-empty",
			n, len(groups), testFrac, n-inTest, inTest)
	}
	out := make([]int, 0, n)
	for _, g := range order {
		out = append(out, groups[g]...)
	}
	return out[: n-inTest : n-inTest], out[n-inTest:], nil
}

// Overlap counts the test reviews whose text also appears, word for word,
// in the training set: with Split, the duplicates that leak across it.
func Overlap(train, test []Review) int {
	in := make(map[string]bool, len(train))
	for _, r := range train {
		in[r.Text] = true
	}
	n := 0
	for _, r := range test {
		if in[r.Text] {
			n++
		}
	}
	return n
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
