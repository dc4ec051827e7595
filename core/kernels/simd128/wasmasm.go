//go:build !(js && wasm)

package simd128

import (
	"encoding/binary"
	"math"
)

// A minimal WebAssembly function assembler for simd128.go: i32 parameters,
// typed locals, structured loops, and the few scalar and SIMD instructions
// the kernels use. Encodings: the WebAssembly 2.0 binary format (core spec
// §5) with the fixed-width SIMD proposal's 0xFD-prefixed opcodes.

const (
	tI32  = 0x7f
	tF32  = 0x7d
	tV128 = 0x7b

	opBlock    = 0x02
	opIf       = 0x04
	opElse     = 0x05
	opLoop     = 0x03
	opEnd      = 0x0b
	opBr       = 0x0c
	opBrIf     = 0x0d
	opLocalGet = 0x20
	opLocalSet = 0x21
	opI32Load  = 0x28
	opF32Load  = 0x2a
	opI32Store = 0x36
	opF32Store = 0x38
	opI32Const = 0x41
	opF32Const = 0x43
	opI32GeS   = 0x4e
	opI32Add   = 0x6a
	opI32Sub   = 0x6b
	opI32Mul   = 0x6c
	opI32And   = 0x71
	opI32Shl   = 0x74
	opF32Add   = 0x92
	opF32Mul   = 0x94

	opSIMD        = 0xfd // prefix; the SIMD opcode follows as a LEB128 u32
	opV128Load    = 0x00
	opLoad32Splat = 0x09
	opV128Store   = 0x0b
	opV128Const   = 0x0c
	opF32x4Splat  = 0x13
	opI32x4Splat  = 0x11
	opF32x4Lt     = 0x43
	opF32x4Ge     = 0x46
	opBitselect   = 0x52
	opI32x4Shl    = 0xab
	opI32x4Add    = 0xae
	opI32x4Dot16  = 0xba // i32x4.dot_i16x8_s
	opF32x4Abs    = 0xe0
	opF32x4Neg    = 0xe1
	opF32x4Add    = 0xe4
	opF32x4Sub    = 0xe5
	opF32x4Mul    = 0xe6
	opF32x4Div    = 0xe7
	opF32x4Min    = 0xe8
	opF32x4Max    = 0xe9
	opI32TruncF32 = 0xf8 // i32x4.trunc_sat_f32x4_s
	opF32ConvI32  = 0xfa // f32x4.convert_i32x4_s
)

type wasmFn struct {
	params int    // all i32
	locals []byte // value types of the locals after the parameters
	code   []byte
}

// local declares a new local of type t and returns its index.
func (f *wasmFn) local(t byte) uint32 {
	f.locals = append(f.locals, t)
	return uint32(f.params + len(f.locals) - 1)
}

// op appends an opcode and its unsigned immediates (e.g. a memarg's
// alignment and offset).
func (f *wasmFn) op(code byte, imm ...uint32) {
	f.code = append(f.code, code)
	for _, v := range imm {
		f.code = uleb(f.code, v)
	}
}

func (f *wasmFn) simd(code uint32, imm ...uint32) {
	f.code = append(f.code, opSIMD)
	f.code = uleb(f.code, code)
	for _, v := range imm {
		f.code = uleb(f.code, v)
	}
}

func (f *wasmFn) simdOp(code uint32)   { f.simd(code) }
func (f *wasmFn) get(l uint32)         { f.op(opLocalGet, l) }
func (f *wasmFn) set(l uint32)         { f.op(opLocalSet, l) }
func (f *wasmFn) f32Load(off uint32)   { f.op(opF32Load, 2, off) }
func (f *wasmFn) f32Store(off uint32)  { f.op(opF32Store, 2, off) }
func (f *wasmFn) v128Load(off uint32)  { f.simd(opV128Load, 2, off) } // alignment hint 4 bytes: Go's float32 slices
func (f *wasmFn) v128Store(off uint32) { f.simd(opV128Store, 2, off) }
func (f *wasmFn) shl2()                { f.i32(2); f.op(opI32Shl) } // elements → bytes
// splat pushes v in all four lanes.
func (f *wasmFn) splat(v float32) {
	f.code = append(f.code, opF32Const)
	f.code = binary.LittleEndian.AppendUint32(f.code, math.Float32bits(v))
	f.simdOp(opF32x4Splat)
}

func (f *wasmFn) f32Zero()  { f.code = append(f.code, opF32Const, 0, 0, 0, 0) }
func (f *wasmFn) v128Zero() { f.simd(opV128Const); f.code = append(f.code, make([]byte, 16)...) }
func (f *wasmFn) setMasked(dst, src uint32, mask int32) {
	f.get(src)
	f.i32(mask)
	f.op(opI32And)
	f.set(dst)
}

func (f *wasmFn) i32(v int32) {
	f.code = append(f.code, opI32Const)
	f.code = sleb(f.code, v)
}

// forRange emits: i = start; while i < end (signed) { body; i += step }.
// end is a local.
func (f *wasmFn) forRange(i uint32, start func(), end uint32, step int32, body func()) {
	start()
	f.set(i)
	f.code = append(f.code, opBlock, 0x40, opLoop, 0x40)
	f.get(i)
	f.get(end)
	f.op(opI32GeS)
	f.op(opBrIf, 1)
	body()
	f.get(i)
	f.i32(step)
	f.op(opI32Add)
	f.set(i)
	f.op(opBr, 0)
	f.code = append(f.code, opEnd, opEnd)
}

// rowAddr pushes base + 4·row·width (locals): the address of row `row`
// of a float32 matrix `width` columns wide.
func (f *wasmFn) rowAddr(base, row, width uint32) {
	f.get(row)
	f.get(width)
	f.op(opI32Mul)
	f.shl2()
	f.get(base)
	f.op(opI32Add)
}

// loadI32At pushes the int32 element i of the array at base (locals):
// a step's row count, or its row's index.
func (f *wasmFn) loadI32At(base, i uint32) {
	f.get(i)
	f.shl2()
	f.get(base)
	f.op(opI32Add)
	f.op(opI32Load, 2, 0)
}

// ifNonZero emits: if (local l ≠ 0) { body }.
func (f *wasmFn) ifNonZero(l uint32, body func()) {
	f.get(l)
	f.code = append(f.code, opIf, 0x40)
	body()
	f.code = append(f.code, opEnd)
}

// ifElse emits: if (the i32 on the stack ≠ 0) { then } else { els }.
func (f *wasmFn) ifElse(then, els func()) {
	f.code = append(f.code, opIf, 0x40)
	then()
	f.code = append(f.code, opElse)
	els()
	f.code = append(f.code, opEnd)
}

// body encodes the locals (one run per local, which is valid if not
// compact) and the code.
func (f *wasmFn) body() []byte {
	b := uleb(nil, uint32(len(f.locals)))
	for _, t := range f.locals {
		b = append(b, 1, t)
	}
	b = append(b, f.code...)
	return append(b, opEnd)
}

func uleb(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func sleb(b []byte, v int32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// wasmBytes appends a length-prefixed byte vector.
func wasmBytes(b, v []byte) []byte { return append(uleb(b, uint32(len(v))), v...) }

func wasmName(b []byte, s string) []byte { return wasmBytes(b, []byte(s)) }
