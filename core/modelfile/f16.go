package modelfile

import "math"

// F16FromF32 converts f to IEEE 754 binary16, rounding to nearest, ties to
// even: values from 65520 up become +Inf, values at or below 2^-25 in
// magnitude become ±0, subnormals are kept, NaN stays NaN (payload kept
// where it fits, never turned into Inf).
func F16FromF32(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant == 0 {
			return sign | 0x7c00
		}
		return sign | 0x7c00 | 0x200 | uint16(mant>>13) // quiet NaN
	}
	e := exp - 127 + 15 // binary16 biased exponent
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		// Subnormal result in units of 2^-24: the 24-bit significand
		// (implicit bit included) shifted right by 14-e.
		if e < -10 {
			return sign // below half the smallest subnormal
		}
		m := mant | 0x800000
		shift := uint(14 - e)
		r := m >> shift
		rem := m & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || rem == half && r&1 == 1 {
			r++ // may carry into the smallest normal, 0x0400: still right
		}
		return sign | uint16(r)
	}
	h := uint32(e)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || rem == 0x1000 && h&1 == 1 {
		h++ // may carry into the exponent, up to 0x7c00 = Inf: still right
	}
	return sign | uint16(h)
}

// F32FromF16 converts an IEEE 754 binary16 value to float32, exactly.
func F32FromF16(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0:
		f := float32(mant) * (1.0 / (1 << 24)) // exact: a power-of-two scale
		return math.Float32frombits(sign | math.Float32bits(f))
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// F32FromBF16 converts a bfloat16 value (the top half of a float32) exactly.
func F32FromBF16(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }
