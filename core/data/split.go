package data

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
)

// splitStream is the PCG stream (second seed word) of Split, so that another
// package seeding PCG with the same user seed (weight initialisation, batch
// order) draws an unrelated sequence. The bytes spell "split".
const splitStream = 0x73706c6974

// Split shuffles a copy of reviews with PCG(seed, splitStream) and returns
// the last testFrac of it as test, the rest as train. The test size is
// ceil(testFrac·n), scikit-learn's train_test_split rule (10,000 of 50,000
// at 0.2); the shuffle itself is ours, so the split is not sklearn's. The
// same seed gives the same split natively and in WebAssembly. The input is
// not modified; the Review values are copied, their texts shared.
func Split(reviews []Review, testFrac float64, seed uint64) (train, test []Review, err error) {
	tr, te, err := SplitIndices(reviews, testFrac, seed, RulePermutation)
	if err != nil {
		return nil, nil, err
	}
	train, test = gather(reviews, tr, te)
	return train, test, nil
}

// gather copies the reviews at the indexes tr, then te, into one array and
// returns its two parts.
func gather(reviews []Review, tr, te []int) (train, test []Review) {
	out := make([]Review, 0, len(tr)+len(te))
	for _, i := range append(tr[:len(tr):len(tr)], te...) {
		out = append(out, reviews[i])
	}
	return out[:len(tr):len(tr)], out[len(tr):]
}

// checkTestFrac refuses a test fraction outside (0, 1).
func checkTestFrac(testFrac float64) error {
	if !(testFrac > 0 && testFrac < 1) {
		return fmt.Errorf("split: test fraction %v out of range (0, 1)", testFrac)
	}
	return nil
}

// Split rules: how SplitIndices assigns reviews to training and test.
const (
	// RulePermutation is Split's: a seeded permutation of the reviews, so
	// copies of a repeated review can land on both sides (the thesis's
	// split leaks 133 of its 10,000 test reviews into training at seed 42).
	RulePermutation = "permutation"
	// RuleGrouped is SplitGrouped's: exact duplicates stay on one side.
	RuleGrouped = "grouped"
)

// SplitIndices returns the indexes into reviews of the training and the
// test reviews under rule, in the order Split (RulePermutation) or
// SplitGrouped (RuleGrouped) returns them.
func SplitIndices(reviews []Review, testFrac float64, seed uint64, rule string) (train, test []int, err error) {
	switch rule {
	case RuleGrouped:
		return groupedIndices(reviews, testFrac, seed)
	case RulePermutation:
	default:
		return nil, nil, fmt.Errorf("split rule %q: want %s or %s", rule, RulePermutation, RuleGrouped)
	}
	if err := checkTestFrac(testFrac); err != nil {
		return nil, nil, err
	}
	n := len(reviews)
	nTest := int(math.Ceil(testFrac * float64(n)))
	if nTest == 0 || nTest >= n {
		return nil, nil, fmt.Errorf("split: %d reviews at test fraction %v leave %d for training and %d for test; both must be non-empty",
			n, testFrac, n-nTest, nTest)
	}
	idx := Permutation(n, seed)
	return idx[: n-nTest : n-nTest], idx[n-nTest:], nil
}

// Permutation is the shuffle Split applies: element i of the result is the
// index of the input review placed at position i.
func Permutation(n int, seed uint64) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	rng := rand.New(rand.NewPCG(seed, splitStream))
	rng.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	return idx
}

// ValidationSplit returns how many of n training examples Keras's
// fit(validation_split=valFrac) trains on: floor(n·(1−valFrac)). Keras takes
// the LAST n−trainN examples, before any shuffling, as validation, so the
// caller trains on [0, trainN) and validates on [trainN, n). (With a shuffled
// training set, as Split returns, that is a random validation set; with
// sorted data it would be one class only.) valFrac 0 means no validation.
func ValidationSplit(n int, valFrac float64) (trainN int, err error) {
	if valFrac == 0 {
		return n, nil
	}
	if !(valFrac > 0 && valFrac < 1) {
		return 0, fmt.Errorf("validation split %v out of range [0, 1)", valFrac)
	}
	trainN = int(math.Floor(float64(n) * (1 - valFrac)))
	if trainN <= 0 || trainN >= n {
		return 0, fmt.Errorf("validation split %v of %d examples leaves %d for training and %d for validation; both must be non-empty",
			valFrac, n, trainN, n-trainN)
	}
	return trainN, nil
}

// First returns the first n reviews (all of them if there are fewer), for
// quick classroom runs on a subset. It shares the input's backing array.
func First(reviews []Review, n int) []Review {
	if n < 0 {
		n = 0
	}
	if n < len(reviews) {
		return reviews[:n:n]
	}
	return reviews
}

// Counts returns the number of positive and negative reviews.
func Counts(reviews []Review) (pos, neg int) {
	for _, r := range reviews {
		if r.Label == 1 {
			pos++
		} else {
			neg++
		}
	}
	return pos, neg
}

// Hash fingerprints a dataset, in order, for a model file's provenance:
// the hex SHA-256 of, for each review, its text length (8 bytes, little
// endian), its UTF-8 text and its label (one byte).
func Hash(reviews []Review) string {
	h := sha256.New()
	var buf [8]byte
	// The texts go through one buffer: io.WriteString copied each into a
	// new byte slice, 53 MB of garbage for 40,000 reviews (issue 11).
	var chunk [4096]byte
	for _, r := range reviews {
		binary.LittleEndian.PutUint64(buf[:], uint64(len(r.Text)))
		h.Write(buf[:])
		for t := r.Text; len(t) > 0; {
			n := copy(chunk[:], t)
			h.Write(chunk[:n])
			t = t[n:]
		}
		h.Write([]byte{byte(r.Label)})
	}
	return hex.EncodeToString(h.Sum(nil))
}
