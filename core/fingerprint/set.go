package fingerprint

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
)

// Version is the first byte of an encoded set.
const Version = 1

// Bits per value beyond the unary part: the false-positive rate is 2^-P.
const (
	DefaultBits = 20
	// MinBits bounds memory: a decoded value (8 bytes) takes at least P+1
	// bits of the encoding, so a set costs at most 64/(P+1) times its size.
	MinBits = 8
	MaxBits = 32
)

// Set is a decoded fingerprint set: the sorted values of its texts.
type Set struct {
	p      uint     // bits of the remainder
	n      uint64   // distinct texts when built: the range is n·2^p
	values []uint64 // sorted, in [0, n·2^p)
}

// Hash is a text's 64-bit fingerprint: the first eight bytes of its
// SHA-256, big endian.
func Hash(text string) uint64 {
	s := sha256.Sum256([]byte(text))
	return binary.BigEndian.Uint64(s[:8])
}

// New builds the set of texts (duplicates count once) with p bits per value.
func New(texts []string, p int) (*Set, error) {
	if p < MinBits || p > MaxBits {
		return nil, fmt.Errorf("fingerprint: %d bits per value out of range [%d, %d]", p, MinBits, MaxBits)
	}
	hs := make([]uint64, len(texts))
	for i, t := range texts {
		hs[i] = Hash(t)
	}
	slices.Sort(hs)
	hs = slices.Compact(hs) // a repeated review is one member
	s := &Set{p: uint(p), n: uint64(len(hs))}
	s.values = make([]uint64, len(hs))
	for i, h := range hs {
		s.values[i] = s.reduce(h)
	}
	slices.Sort(s.values)
	return s, nil
}

// reduce maps a hash uniformly onto [0, n·2^p).
func (s *Set) reduce(h uint64) uint64 {
	hi, _ := bits.Mul64(h, s.n<<s.p)
	return hi
}

// Len is the number of distinct texts the set was built from.
func (s *Set) Len() int { return int(s.n) }

// Bits is P: a text outside the set is taken for a member with
// probability about 2^-P.
func (s *Set) Bits() int { return int(s.p) }

// Contains reports whether text is (probably) one of the set's texts.
func (s *Set) Contains(text string) bool {
	if s == nil || s.n == 0 {
		return false
	}
	_, ok := slices.BinarySearch(s.values, s.reduce(Hash(text)))
	return ok
}

// Size is the length of Encode's bytes, computed without encoding.
func (s *Set) Size() int {
	n := uint64(2 + len(binary.AppendUvarint(nil, s.n)))
	bitsUsed, prev := uint64(0), uint64(0)
	for _, v := range s.values {
		bitsUsed += (v-prev)>>s.p + 1 + uint64(s.p)
		prev = v
	}
	return int(n + (bitsUsed+7)/8)
}

// Encode returns the set's bytes (see the package doc).
func (s *Set) Encode() []byte {
	out := []byte{Version, byte(s.p)}
	out = binary.AppendUvarint(out, s.n)
	w := bitWriter{buf: out}
	prev := uint64(0)
	for _, v := range s.values {
		d := v - prev
		prev = v
		for q := d >> s.p; q > 0; q-- {
			w.bit(1)
		}
		w.bit(0)
		w.bits(d&(1<<s.p-1), s.p)
	}
	return w.flush()
}

// Decode reads an encoded set, refusing a bad version, P, count, code or
// padding with an error that says which.
func Decode(b []byte) (*Set, error) {
	if len(b) < 2 {
		return nil, fmt.Errorf("fingerprint: %d bytes, want at least 2 (version, bits)", len(b))
	}
	if b[0] != Version {
		return nil, fmt.Errorf("fingerprint: version %d, want %d", b[0], Version)
	}
	p := int(b[1])
	if p < MinBits || p > MaxBits {
		return nil, fmt.Errorf("fingerprint: %d bits per value out of range [%d, %d]", p, MinBits, MaxBits)
	}
	n, k := binary.Uvarint(b[2:])
	if k <= 0 || k != len(binary.AppendUvarint(nil, n)) {
		return nil, errors.New("fingerprint: bad count (uvarint, shortest form) after the header")
	}
	body := b[2+k:]
	// Each value takes at least p+1 bits: check before allocating.
	if avail := uint64(len(body)) * 8 / uint64(p+1); n > avail {
		return nil, fmt.Errorf("fingerprint: count %d needs at least %d bits; only %d bytes follow", n, n*uint64(p+1), len(body))
	}
	s := &Set{p: uint(p), n: n, values: make([]uint64, 0, n)}
	limit := n << uint(p) // the range [0, n·2^p); n·2^p fits: n < 2^31 here
	r := bitReader{buf: body}
	prev := uint64(0)
	for i := uint64(0); i < n; i++ {
		var q uint64
		for {
			bit, ok := r.bit()
			if !ok {
				return nil, fmt.Errorf("fingerprint: value %d of %d: the data ends inside its code", i+1, n)
			}
			if bit == 0 {
				break
			}
			q++
			if q > limit>>uint(p) {
				return nil, fmt.Errorf("fingerprint: value %d of %d: gap past the range %d", i+1, n, limit)
			}
		}
		rem, ok := r.bits(uint(p))
		if !ok {
			return nil, fmt.Errorf("fingerprint: value %d of %d: the data ends inside its code", i+1, n)
		}
		v := prev + (q<<uint(p) | rem)
		if v < prev || v >= limit {
			return nil, fmt.Errorf("fingerprint: value %d of %d is %d, past the range [0, %d)", i+1, n, v, limit)
		}
		s.values = append(s.values, v)
		prev = v
	}
	if used := (r.pos + 7) / 8; used != len(body) {
		return nil, fmt.Errorf("fingerprint: %d bytes after the %d values", len(body)-used, n)
	}
	if r.pos%8 != 0 && body[r.pos/8]<<(r.pos%8) != 0 {
		return nil, errors.New("fingerprint: padding bits after the last value are set")
	}
	return s, nil
}

// bitWriter appends bits, most significant first.
type bitWriter struct {
	buf  []byte
	cur  byte
	used uint
}

func (w *bitWriter) bit(b uint64) {
	w.cur = w.cur<<1 | byte(b&1)
	if w.used++; w.used == 8 {
		w.buf, w.cur, w.used = append(w.buf, w.cur), 0, 0
	}
}

func (w *bitWriter) bits(v uint64, n uint) {
	for i := n; i > 0; i-- {
		w.bit(v >> (i - 1))
	}
}

func (w *bitWriter) flush() []byte {
	if w.used > 0 {
		w.buf = append(w.buf, w.cur<<(8-w.used))
	}
	return w.buf
}

// bitReader reads bits, most significant first.
type bitReader struct {
	buf []byte
	pos int // in bits
}

func (r *bitReader) bit() (uint64, bool) {
	if r.pos >= 8*len(r.buf) {
		return 0, false
	}
	b := r.buf[r.pos/8] >> (7 - r.pos%8) & 1
	r.pos++
	return uint64(b), true
}

func (r *bitReader) bits(n uint) (uint64, bool) {
	var v uint64
	for ; n > 0; n-- {
		b, ok := r.bit()
		if !ok {
			return 0, false
		}
		v = v<<1 | b
	}
	return v, true
}
