package text

import (
	"slices"
	"testing"
)

func TestPad(t *testing.T) {
	seqs := [][]int32{{1, 2, 3, 4, 5}, {6, 7}, {}, {8, 9, 10}}
	cases := []struct {
		padding, truncating string
		want                []int32
	}{
		{"post", "post", []int32{1, 2, 3, 6, 7, 0, 0, 0, 0, 8, 9, 10}},
		{"post", "pre", []int32{3, 4, 5, 6, 7, 0, 0, 0, 0, 8, 9, 10}},
		{"pre", "post", []int32{1, 2, 3, 0, 6, 7, 0, 0, 0, 8, 9, 10}},
		{"pre", "pre", []int32{3, 4, 5, 0, 6, 7, 0, 0, 0, 8, 9, 10}},
	}
	for _, c := range cases {
		got, err := Pad(seqs, 3, c.padding, c.truncating)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Pad(%s,%s) = %v, want %v", c.padding, c.truncating, got, c.want)
		}
	}
	if got := Lengths(seqs, 3); !slices.Equal(got, []int32{3, 2, 0, 3}) {
		t.Errorf("Lengths = %v", got)
	}
	// The input must not be modified.
	if !slices.Equal(seqs[0], []int32{1, 2, 3, 4, 5}) {
		t.Error("Pad modified its input")
	}
}

func TestPadRejects(t *testing.T) {
	for _, c := range []struct {
		maxLen int
		p, tr  string
	}{{0, "post", "post"}, {-1, "pre", "pre"}, {3, "Post", "post"}, {3, "post", "middle"}, {3, "", ""}} {
		if _, err := Pad([][]int32{{1}}, c.maxLen, c.p, c.tr); err == nil {
			t.Errorf("Pad(maxLen=%d, %q, %q) accepted", c.maxLen, c.p, c.tr)
		}
	}
	got, err := Pad(nil, 4, "post", "post")
	if err != nil || len(got) != 0 {
		t.Errorf("Pad(nil) = %v, %v", got, err)
	}
}
