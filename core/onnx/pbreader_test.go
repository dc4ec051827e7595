package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
	"testing"
)

// A minimal protobuf reader, written independently of the writer, to decode
// what Marshal produced: a message is a list of fields in file order.

type field struct {
	num  int
	wire int
	v    uint64 // varint or fixed32 value
	b    []byte // length-delimited payload
}

type msg []field

func parseMsg(b []byte) (msg, error) {
	var out msg
	for i := 0; i < len(b); {
		key, n := binary.Uvarint(b[i:])
		if n <= 0 {
			return nil, fmt.Errorf("bad key varint at byte %d", i)
		}
		i += n
		f := field{num: int(key >> 3), wire: int(key & 7)}
		switch f.wire {
		case 0:
			v, n := binary.Uvarint(b[i:])
			if n <= 0 {
				return nil, fmt.Errorf("bad varint at byte %d", i)
			}
			f.v, i = v, i+n
		case 5:
			if i+4 > len(b) {
				return nil, fmt.Errorf("fixed32 past the end at byte %d", i)
			}
			f.v, i = uint64(binary.LittleEndian.Uint32(b[i:])), i+4
		case 2:
			l, n := binary.Uvarint(b[i:])
			if n <= 0 || i+n+int(l) > len(b) {
				return nil, fmt.Errorf("bad length at byte %d", i)
			}
			i += n
			f.b, i = b[i:i+int(l)], i+int(l)
		default:
			return nil, fmt.Errorf("wire type %d at byte %d", f.wire, i)
		}
		out = append(out, f)
	}
	return out, nil
}

// all returns the fields numbered num.
func (m msg) all(num int) []field {
	var out []field
	for _, f := range m {
		if f.num == num {
			out = append(out, f)
		}
	}
	return out
}

func (m msg) str(num int) string {
	fs := m.all(num)
	if len(fs) == 0 {
		return ""
	}
	return string(fs[len(fs)-1].b)
}

func (m msg) int(num int) int64 {
	fs := m.all(num)
	if len(fs) == 0 {
		return 0
	}
	return int64(fs[len(fs)-1].v)
}

func (m msg) strs(num int) []string {
	var out []string
	for _, f := range m.all(num) {
		out = append(out, string(f.b))
	}
	return out
}

func mustMsg(t *testing.T, b []byte) msg {
	t.Helper()
	m, err := parseMsg(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (m msg) sub(t *testing.T, num int) []msg {
	t.Helper()
	var out []msg
	for _, f := range m.all(num) {
		out = append(out, mustMsg(t, f.b))
	}
	return out
}

// packedInts decodes a packed repeated int64 field.
func packedInts(t *testing.T, b []byte) []int64 {
	t.Helper()
	var out []int64
	for i := 0; i < len(b); {
		v, n := binary.Uvarint(b[i:])
		if n <= 0 {
			t.Fatalf("bad packed varint at byte %d", i)
		}
		out = append(out, int64(v))
		i += n
	}
	return out
}

// decodedTensor is a TensorProto as read back.
type decodedTensor struct {
	name  string
	dtype int
	dims  []int64
	raw   []byte
}

func readTensor(t *testing.T, m msg) decodedTensor {
	t.Helper()
	d := decodedTensor{name: m.str(8), dtype: int(m.int(2)), raw: m.all(9)[0].b}
	if f := m.all(1); len(f) > 0 {
		d.dims = packedInts(t, f[0].b)
	}
	return d
}

func (d decodedTensor) floats() []float32 {
	out := make([]float32, len(d.raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(d.raw[4*i:]))
	}
	return out
}

func (d decodedTensor) int8s() []int8 {
	out := make([]int8, len(d.raw))
	for i, b := range d.raw {
		out[i] = int8(b)
	}
	return out
}
