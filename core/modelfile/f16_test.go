package modelfile

import (
	"math"
	"testing"
)

func TestF16Edges(t *testing.T) {
	cases := []struct {
		f float32
		h uint16
	}{
		{0, 0x0000},
		{float32(math.Copysign(0, -1)), 0x8000},
		{1, 0x3c00},
		{-2, 0xc000},
		{0x1p-24, 0x0001},               // smallest subnormal
		{1023 * 0x1p-24, 0x03ff},        // largest subnormal
		{0x1p-14, 0x0400},               // smallest normal
		{65504, 0x7bff},                 // largest finite
		{65519.996, 0x7bff},             // just under the halfway point to 2^16
		{65520, 0x7c00},                 // halfway: ties to even, which is Inf
		{-65520, 0xfc00},                //
		{float32(math.Inf(1)), 0x7c00},  //
		{float32(math.Inf(-1)), 0xfc00}, //
		{1 + 0x1p-11, 0x3c00},           // tie between 0x3c00 and 0x3c01: even
		{1 + 3*0x1p-11, 0x3c02},         // tie between 0x3c01 and 0x3c02: even
		{1 + 0x1p-11 + 0x1p-23, 0x3c01}, // just above the tie
		{0x1p-25, 0x0000},               // tie between 0 and the smallest subnormal
		{0x1p-25 + 0x1p-40, 0x0001},     // just above it
		{3 * 0x1p-25, 0x0002},           // tie between subnormals 1 and 2
		{0x1p-26, 0x0000},               // underflow
		{-0x1p-26, 0x8000},              // keeps the sign
		{(2047 * 0x1p-25), 0x0400},      // rounds up across into the normals
		{0.1, 0x2e66},                   // 0.0999755859375
		{3.14159265, 0x4248},            // 3.140625
	}
	for _, c := range cases {
		if got := F16FromF32(c.f); got != c.h {
			t.Errorf("F16FromF32(%g) = %#04x, want %#04x", c.f, got, c.h)
		}
	}
	nan := F16FromF32(float32(math.NaN()))
	if nan&0x7c00 != 0x7c00 || nan&0x3ff == 0 {
		t.Errorf("NaN → %#04x, not a NaN", nan)
	}
	// A NaN whose payload sits only in the bits float16 drops stays NaN.
	if h := F16FromF32(math.Float32frombits(0x7f800001)); h&0x3ff == 0 {
		t.Errorf("NaN 0x7f800001 → %#04x, became Inf", h)
	}
	if f := F32FromF16(0x7e00); !math.IsNaN(float64(f)) {
		t.Errorf("F32FromF16(0x7e00) = %v, want NaN", f)
	}
	if f := F32FromF16(0x0001); f != 0x1p-24 {
		t.Errorf("F32FromF16(1) = %g", f)
	}
	if f := F32FromBF16(0x3f80); f != 1 {
		t.Errorf("F32FromBF16(0x3f80) = %g", f)
	}
}

// Exhaustive: every float16 converts to float32 and back unchanged, and the
// exact midpoint between neighbours rounds to the even one, a hair either
// side of it to the nearer one.
func TestF16Exhaustive(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := F32FromF16(uint16(h))
		if math.IsNaN(float64(f)) {
			if back := F16FromF32(f); back != uint16(h)|0x200 {
				t.Fatalf("NaN %#04x → %#04x", h, back)
			}
			continue
		}
		if back := F16FromF32(f); back != uint16(h) {
			t.Fatalf("%#04x → %g → %#04x", h, f, back)
		}
		if h&0x7fff >= 0x7bff { // no finite upper neighbour to test against
			continue
		}
		lo, hi := float64(f), float64(F32FromF16(uint16(h+1)))
		if h&0x8000 != 0 && h&0x7fff == 0 {
			continue // -0's "next" code is the negative subnormal
		}
		mid := float32((lo + hi) / 2) // exact: needs 12 significant bits
		even := uint16(h)
		if h&1 == 1 {
			even = uint16(h + 1)
		}
		if got := F16FromF32(mid); got != even {
			t.Fatalf("midpoint %g of %#04x,%#04x → %#04x, want %#04x", mid, h, h+1, got, even)
		}
		below := math.Nextafter32(mid, float32(lo))
		above := math.Nextafter32(mid, float32(hi))
		if F16FromF32(below) != uint16(h) || F16FromF32(above) != uint16(h+1) {
			t.Fatalf("around midpoint of %#04x: %#04x %#04x", h, F16FromF32(below), F16FromF32(above))
		}
	}
}
