package fingerprint

import (
	"fmt"
	"strings"
	"testing"
)

func texts(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s review %d: a film I watched", prefix, i)
	}
	return out
}

// A set round-trips through its bytes, holds every member, and takes few
// outsiders for members: at most the rate 2^-P allows.
func TestRoundTripAndFalsePositives(t *testing.T) {
	members := texts("seen", 40000)
	members = append(members, members[:500]...) // duplicates count once
	s, err := New(members, DefaultBits)
	if err != nil {
		t.Fatal(err)
	}
	b := s.Encode()
	// 40,000 values at P+1.5 bits ≈ 107.5 KB; the bound is the package doc's.
	if s.Size() != len(b) {
		t.Errorf("Size %d, Encode %d bytes", s.Size(), len(b))
	}
	if s.Len() != 40000 || len(b) > 110_000 || len(b) < 100_000 {
		t.Errorf("%d distinct, %d bytes; want 40000 and about 107,500", s.Len(), len(b))
	}
	d, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != s.Len() || d.Bits() != DefaultBits || len(d.values) != len(s.values) {
		t.Fatalf("decoded %d values at %d bits", len(d.values), d.Bits())
	}
	for i := range s.values {
		if d.values[i] != s.values[i] {
			t.Fatalf("value %d: %d, want %d", i, d.values[i], s.values[i])
		}
	}
	for _, m := range members {
		if !d.Contains(m) {
			t.Fatalf("member %q missed", m)
		}
	}
	// 1,000,000 outsiders at 2^-20: about 0.95 expected; 6 would be a
	// 1-in-1000 fluke of a correct set (Poisson), so more means a bug.
	fp := 0
	for _, o := range texts("unseen", 1_000_000) {
		if d.Contains(o) {
			fp++
		}
	}
	t.Logf("%d bytes for %d reviews (%.2f bits each); %d false positives in 1,000,000", len(b), s.Len(), 8*float64(len(b))/float64(s.Len()), fp)
	if fp > 6 {
		t.Errorf("%d false positives in 1,000,000 outsiders; want about 1 at 2^-20", fp)
	}
	// At 8 bits the rate is 1/256: measurably so.
	s8, _ := New(members, MinBits)
	fp = 0
	for _, o := range texts("unseen", 100_000) {
		if s8.Contains(o) {
			fp++
		}
	}
	if fp < 250 || fp > 550 {
		t.Errorf("P=8: %d false positives in 100,000, want about 390", fp)
	}
}

func TestEmptyAndNil(t *testing.T) {
	s, err := New(nil, DefaultBits)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decode(s.Encode())
	if err != nil || d.Len() != 0 || d.Contains("x") || s.Size() != len(s.Encode()) {
		t.Fatalf("empty set: %v %v", d, err)
	}
	var none *Set
	if none.Contains("x") {
		t.Error("a nil set has members")
	}
	if _, err := New([]string{"a"}, 7); err == nil {
		t.Error("7 bits accepted")
	}
}

// Bad bytes are refused with an error naming the problem, never a panic.
func TestDecodeRefuses(t *testing.T) {
	s, _ := New(texts("x", 100), 10)
	good := s.Encode()
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "0 bytes, want at least 2"},
		{"version", mut(func(b []byte) []byte { b[0] = 2; return b }), "version 2, want 1"},
		{"bits", mut(func(b []byte) []byte { b[1] = 40; return b }), "40 bits per value out of range [8, 32]"},
		{"count", []byte{1, 10, 0xff}, "bad count"},
		{"huge count", []byte{1, 10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0}, "needs at least"},
		{"truncated", good[:len(good)-20], "needs at least"},
		{"cut code", good[:len(good)-1], "ends inside its code"},
		{"trailing", append(append([]byte(nil), good...), 0, 0), "2 bytes after the 100 values"},
		{"padding", mut(func(b []byte) []byte { b[len(b)-1] |= 1; return b }), ""},
	} {
		_, err := Decode(c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
	}
}

// Every prefix and every single-byte change of a valid set decodes or is
// refused, without a panic.
func TestDecodeNeverPanics(t *testing.T) {
	s, _ := New(texts("y", 50), 9)
	good := s.Encode()
	for i := 0; i <= len(good); i++ {
		Decode(good[:i])
	}
	for i := range good {
		for _, x := range []byte{0, 0xff, 0x80, 1} {
			b := append([]byte(nil), good...)
			b[i] = x
			Decode(b)
		}
	}
}

func FuzzDecode(f *testing.F) {
	s, _ := New(texts("z", 20), 8)
	f.Add(s.Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Decode(b)
		if err != nil {
			return
		}
		// What decodes re-encodes to the same bytes.
		if got := d.Encode(); string(got) != string(b) {
			t.Fatalf("re-encoded %x, read %x", got, b)
		}
	})
}
