package main

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// Shard buffers carry float32 and int32 values little-endian. On a
// little-endian machine (wasm, amd64) that is their memory layout, so they
// are copied as whole blocks: converting value by value cost ≈50 ms a step
// each way at the thesis shape in wasm (2.7 M weights), more than the
// matmuls of a helper's share of a batch once those ran in SIMD.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

func bytesOf[T float32 | int32](v []T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), 4*len(v))
}

// appendLE appends v's little-endian bytes to out.
func appendLE[T float32 | int32](out []byte, v []T) []byte {
	if littleEndian {
		return append(out, bytesOf(v)...)
	}
	for _, x := range v {
		switch x := any(x).(type) {
		case float32:
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(x))
		case int32:
			out = binary.LittleEndian.AppendUint32(out, uint32(x))
		}
	}
	return out
}

// readLE fills v from the first 4·len(v) bytes of b (the caller checks the
// length) and returns the rest.
func readLE[T float32 | int32](v []T, b []byte) []byte {
	n := 4 * len(v)
	if littleEndian {
		copy(bytesOf(v), b[:n])
		return b[n:]
	}
	for i := range v {
		u := binary.LittleEndian.Uint32(b[4*i:])
		switch p := any(&v[i]).(type) {
		case *float32:
			*p = math.Float32frombits(u)
		case *int32:
			*p = int32(u)
		}
	}
	return b[n:]
}

// viewLE is the first n values of b seen in place, when b's bytes are
// their memory layout (little-endian and aligned); ok is false otherwise.
func viewLE[T float32 | int32](b []byte, n int) (v []T, ok bool) {
	if !littleEndian || len(b) < 4*n || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%4 != 0 {
		return nil, false
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n), true
}
