package onnx

import (
	"encoding/binary"
	"math"
)

// The protobuf wire format, written by hand: a message is a sequence of
// fields, each a varint key (field number << 3 | wire type) followed by a
// varint (wire type 0), 4 little-endian bytes (type 5) or a varint length
// and that many bytes (type 2: strings, bytes, nested messages, packed
// repeated numbers). Field numbers are onnx.proto's (checked against
// onnx/onnx's onnx.proto); see model.go.

const (
	wireVarint = 0
	wireI32    = 5
	wireLen    = 2
)

// pb accumulates one message's encoding.
type pb []byte

func (b *pb) varint(v uint64) {
	*b = binary.AppendUvarint(*b, v)
}

func (b *pb) key(field, wire int) {
	b.varint(uint64(field)<<3 | uint64(wire))
}

// int64 writes an int64/int32 field; negative values take ten bytes, as
// protobuf's int64 encoding does (two's complement as uint64).
func (b *pb) int64(field int, v int64) {
	b.key(field, wireVarint)
	b.varint(uint64(v))
}

func (b *pb) float32(field int, v float32) {
	b.key(field, wireI32)
	*b = binary.LittleEndian.AppendUint32(*b, math.Float32bits(v))
}

func (b *pb) bytes(field int, v []byte) {
	b.key(field, wireLen)
	b.varint(uint64(len(v)))
	*b = append(*b, v...)
}

func (b *pb) string(field int, s string) {
	b.key(field, wireLen)
	b.varint(uint64(len(s)))
	*b = append(*b, s...)
}

// message writes a nested message field.
func (b *pb) message(field int, m pb) { b.bytes(field, m) }

// packedInt64s writes a packed repeated int64 field.
func (b *pb) packedInt64s(field int, vs []int64) {
	var p pb
	for _, v := range vs {
		p.varint(uint64(v))
	}
	b.bytes(field, p)
}

// packedFloat32s writes a packed repeated float field.
func (b *pb) packedFloat32s(field int, vs []float32) {
	p := make(pb, 0, 4*len(vs))
	for _, v := range vs {
		p = binary.LittleEndian.AppendUint32(p, math.Float32bits(v))
	}
	b.bytes(field, p)
}
