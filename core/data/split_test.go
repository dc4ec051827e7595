package data

import (
	"strconv"
	"testing"
)

func numbered(n int) []Review {
	r := make([]Review, n)
	for i := range r {
		r[i] = Review{Text: strconv.Itoa(i), Label: i % 2}
	}
	return r
}

func TestSplit(t *testing.T) {
	in := numbered(50)
	train, test, err := Split(in, 0.2, 42)
	if err != nil {
		t.Fatal(err)
	}
	if len(train) != 40 || len(test) != 10 {
		t.Fatalf("sizes %d/%d, want 40/10", len(train), len(test))
	}
	seen := map[string]bool{}
	for _, r := range append(append([]Review(nil), train...), test...) {
		if seen[r.Text] {
			t.Fatalf("review %s twice", r.Text)
		}
		seen[r.Text] = true
	}
	if len(seen) != 50 || in[7].Text != "7" {
		t.Fatal("split lost reviews or modified its input")
	}
	// Pinned: the same seed must give this order natively and in wasm
	// (run the tests with GOOS=js GOARCH=wasm to check).
	want := []int{27, 8, 23, 10, 28, 6, 7, 35, 49, 21}
	for i, w := range want {
		if test[i].Text != strconv.Itoa(w) {
			got := make([]string, len(test))
			for j := range test {
				got[j] = test[j].Text
			}
			t.Fatalf("seed 42 test part %v, want %v", got, want)
		}
	}
	again, _, _ := Split(in, 0.2, 42)
	other, _, _ := Split(in, 0.2, 43)
	same := 0
	for i := range again {
		if again[i] != train[i] {
			t.Fatal("same seed, different split")
		}
		if other[i] == train[i] {
			same++
		}
	}
	if same > 10 {
		t.Fatalf("seeds 42 and 43 agree on %d of 40 positions", same)
	}
	// ceil, as scikit-learn: 0.25 of 10 is 2.5 → 3 test reviews.
	if tr, te, _ := Split(numbered(10), 0.25, 1); len(tr) != 7 || len(te) != 3 {
		t.Fatalf("0.25 of 10: %d/%d, want 7/3", len(tr), len(te))
	}
}

func TestSplitRefuses(t *testing.T) {
	for _, c := range []struct {
		n    int
		frac float64
	}{{10, 0}, {10, 1}, {10, -0.1}, {10, 2}, {1, 0.5}, {0, 0.2}, {10, 0.95}} {
		if _, _, err := Split(numbered(c.n), c.frac, 1); err == nil {
			t.Errorf("Split(%d reviews, %v) accepted", c.n, c.frac)
		}
	}
}

func TestValidationSplit(t *testing.T) {
	for _, c := range []struct {
		n    int
		frac float64
		want int
	}{{40000, 0.1, 36000}, {40000, 0, 40000}, {10, 0.25, 7}, {9, 0.1, 8}} {
		got, err := ValidationSplit(c.n, c.frac)
		if err != nil || got != c.want {
			t.Errorf("ValidationSplit(%d, %v) = %d, %v; want %d", c.n, c.frac, got, err, c.want)
		}
	}
	for _, c := range []struct {
		n    int
		frac float64
	}{{1, 0.5}, {10, 1}, {10, -0.1}, {10, 1e-17}} {
		if got, err := ValidationSplit(c.n, c.frac); err == nil {
			t.Errorf("ValidationSplit(%d, %v) = %d, want an error", c.n, c.frac, got)
		}
	}
}

func TestHashFirstCounts(t *testing.T) {
	a := []Review{{"ab", 1}, {"c", 0}}
	// Length prefixes keep "ab"+"c" and "a"+"bc" apart.
	b := []Review{{"a", 1}, {"bc", 0}}
	if Hash(a) == Hash(b) || Hash(a) == Hash([]Review{{"ab", 0}, {"c", 0}}) {
		t.Fatal("hash collides on different datasets")
	}
	// Computed independently with Python's hashlib over the documented encoding.
	if got, want := Hash(a), "52f6f4530ce78c574a373a4b40950922c28d20bfd4fd603cd5e11d41ea9f4aa2"; got != want {
		t.Fatalf("Hash = %s, want %s", got, want)
	}
	if Hash(a) != Hash([]Review{{"ab", 1}, {"c", 0}}) {
		t.Fatal("hash not deterministic")
	}
	if len(First(a, 1)) != 1 || len(First(a, 5)) != 2 || len(First(a, -1)) != 0 {
		t.Fatal("First")
	}
	if p, n := Counts(a); p != 1 || n != 1 {
		t.Fatalf("Counts = %d, %d", p, n)
	}
}
