//go:build !(js && wasm)

package simd128

// The int8 runtime's activation quantizer for the SIMD128 module.

import (
	"encoding/binary"
	"math"
)

const (
	opF32Eq          = 0x5b
	opF32Div         = 0x95
	opI8x16Shuffle   = 0x0d
	opF32x4Extract   = 0x1f
	opV128And        = 0x4e
	opV128Or         = 0x50
	opI16x8Narrow32  = 0x85 // i16x8.narrow_i32x4_s
	opI32x4MinS      = 0xb6
	opI32x4MaxS      = 0xb8
	opF32x4Pmax      = 0xeb
	opI32ShrS        = 0x75
	opI8x16Splat     = 0x0f
	opI8x16NarrowU16 = 0x66 // i8x16.narrow_i16x8_u
)

// simdQuant(a, words, s, n, K) is core/compress's quantizeActs (K a
// multiple of 8), writing each row's int8 values as kernels.QDot's int16 pairs
// (words [n, K/2]) and its scale to s, with the Go loop's operations as Go
// compiles them to WebAssembly:
//
//	mx = max |a[r,·]|     f32x4.pmax(mx, v) is `v > mx ? v : mx`: NaN never wins
//	mx == 0: words 0, s[r] = 0
//	sc = mx/127, inv = 1/sc, s[r] = sc
//	q = clamp(trunc_sat(v·inv ± 0.5), −127, 127)
//
// Go's int64(z) is i64.trunc_sat_f32_s in wasm; i32x4.trunc_sat_f32x4_s
// agrees after the clamp (NaN → 0, beyond ±2³¹ → ±127). Four int32 lanes
// narrowed to int16 and paired are exactly the pair words.
func simdQuant() *wasmFn { return simdQuantTo(127, false) }

// simdQuant7(a, b, s, n, K) is the same with 63 levels (core/compress's
// Act7, K a multiple of 16), writing each value as the byte q + 64 (b [n, K]),
// the operand relaxed SIMD's dot product needs in 0 … 127.
func simdQuant7() *wasmFn { return simdQuantTo(63, true) }

// simdQuantTo is simdQuant onto −levels … levels, as int16 pairs or (bytes)
// as bytes q + 64.
func simdQuantTo(levels int32, bytes bool) *wasmFn {
	f := &wasmFn{params: 5}
	const a, words, s, n, K = 0, 1, 2, 3, 4
	r, k, pa, pw := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	mx, inv, lo := f.local(tV128), f.local(tV128), f.local(tV128)
	sc := f.local(tF32)
	shuffle := func(lanes ...int) { // i8x16.shuffle of mx with itself, by f32 lanes
		f.get(mx)
		f.get(mx)
		f.simd(opI8x16Shuffle)
		for _, l := range lanes {
			for b := range 4 {
				f.code = append(f.code, byte(4*l+b))
			}
		}
	}
	quant4 := func(off uint32) { // pushes the clamped int32 lanes of a[pa+off ..]
		f.get(pa)
		f.get(k)
		f.shl2()
		f.op(opI32Add)
		f.v128Load(off)
		f.get(inv)
		f.simdOp(opF32x4Mul) // y
		f.set(lo)
		f.get(lo)
		f.get(lo)
		f.i32(-1 << 31)
		f.simdOp(opI32x4Splat)
		f.simdOp(opV128And)
		f.splat(0.5)
		f.simdOp(opV128Or) // ±0.5, the sign of y
		f.simdOp(opF32x4Add)
		f.simdOp(opI32TruncF32)
		f.i32(-levels)
		f.simdOp(opI32x4Splat)
		f.simdOp(opI32x4MaxS)
		f.i32(levels)
		f.simdOp(opI32x4Splat)
		f.simdOp(opI32x4MinS)
		if bytes {
			f.i32(64)
			f.simdOp(opI32x4Splat)
			f.simdOp(opI32x4Add)
		}
	}
	// outAddr pushes pw + k's offset: 2 bytes a value (pairs) or 1 (bytes).
	outAddr := func() {
		f.get(pw)
		f.get(k)
		if !bytes {
			f.i32(1)
			f.op(opI32Shl)
		}
		f.op(opI32Add)
	}
	vals := int32(8) // values per store of 16 bytes
	if bytes {
		vals = 16
	}
	f.forRange(r, func() { f.i32(0) }, n, 1, func() {
		// pa = a + 4·r·K, pw = words + 2·r·K (bytes: + r·K)
		f.get(r)
		f.get(K)
		f.op(opI32Mul)
		f.set(pw)
		f.get(pw)
		f.shl2()
		f.get(a)
		f.op(opI32Add)
		f.set(pa)
		f.get(pw)
		if !bytes {
			f.i32(1)
			f.op(opI32Shl)
		}
		f.get(words)
		f.op(opI32Add)
		f.set(pw)
		f.v128Zero()
		f.set(mx)
		f.forRange(k, func() { f.i32(0) }, K, 4, func() {
			f.get(mx)
			f.get(pa)
			f.get(k)
			f.shl2()
			f.op(opI32Add)
			f.v128Load(0)
			f.simdOp(opF32x4Abs)
			f.simdOp(opF32x4Pmax)
			f.set(mx)
		})
		// No lane is NaN, so the order of the lanes' maximum is free.
		shuffle(2, 3, 0, 1)
		f.set(lo)
		f.get(mx)
		f.get(lo)
		f.simdOp(opF32x4Pmax)
		f.set(mx)
		shuffle(1, 0, 3, 2)
		f.set(lo)
		f.get(mx)
		f.get(lo)
		f.simdOp(opF32x4Pmax)
		f.simd(opF32x4Extract, 0)
		f.set(sc) // = mx
		// sAddr pushes s + 4r.
		sAddr := func() {
			f.get(r)
			f.shl2()
			f.get(s)
			f.op(opI32Add)
		}
		f.get(sc)
		f.f32Zero()
		f.op(opF32Eq)
		f.ifElse(func() {
			sAddr()
			f.f32Zero()
			f.f32Store(0)
			f.forRange(k, func() { f.i32(0) }, K, vals, func() {
				outAddr()
				if bytes { // q = 0 is the byte 64
					f.i32(64)
					f.simdOp(opI8x16Splat)
				} else {
					f.v128Zero()
				}
				f.v128Store(0)
			})
		}, func() {
			f.get(sc)
			f.code = append(f.code, opF32Const)
			f.code = binary.LittleEndian.AppendUint32(f.code, math.Float32bits(float32(levels)))
			f.op(opF32Div)
			f.set(sc)
			sAddr()
			f.get(sc)
			f.f32Store(0)
			f.code = append(f.code, opF32Const, 0, 0, 0x80, 0x3f) // 1
			f.get(sc)
			f.op(opF32Div)
			f.simdOp(opF32x4Splat)
			f.set(inv)
			f.forRange(k, func() { f.i32(0) }, K, vals, func() {
				outAddr()
				quant4(0)
				quant4(16)
				f.simdOp(opI16x8Narrow32)
				if bytes { // the lanes are 1 … 127: narrowing keeps them
					quant4(32)
					quant4(48)
					f.simdOp(opI16x8Narrow32)
					f.simdOp(opI8x16NarrowU16)
				}
				f.v128Store(0)
			})
		})
	})
	return f
}

const opCall = 0x10

// simdQStep(xw, xs, qK, sK, h, hw, hs, qR, sR, g, cprev, c, tc, n, K2, H) is
// one time step of the int8 LSTM in a single call from Go, so that a
// review read alone (batch 1) pays one crossing into the module per step
// instead of four:
//
//	if K2 ≠ 0 {                                 (0: g already holds it)
//	    qdot(xw, qK, g, xs, sK, n, K2, H)       g += x·Kernel (g holds the bias)
//	}
//	if cprev ≠ 0 {                              not the first step:
//	    quant(h, hw, hs, n, H)                  h → int16 pairs
//	    qdot(hw, qR, g, hs, sR, n, H/2, H)      g += h·Recurrent
//	}
//	qcells(g, cprev, c, tc, h, n, H)
//
// The same functions as the separate calls, so the same bits. H must be a
// multiple of 8 (quant's rows; 4H columns are then H groups of four).
func simdQStep(qdot, quant, cells uint32) *wasmFn {
	f := &wasmFn{params: 16}
	const xw, xs, qK, sK, h, hw, hs, qR, sR, g, cprev, c, tc, n, K2, H = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	call := func(fn uint32, args ...uint32) {
		for _, a := range args {
			f.get(a)
		}
		f.op(opCall, fn)
	}
	f.ifNonZero(K2, func() { call(qdot, xw, qK, g, xs, sK, n, K2, H, g) })
	f.ifNonZero(cprev, func() {
		call(quant, h, hw, hs, n, H)
		for _, a := range []uint32{hw, qR, g, hs, sR, n} {
			f.get(a)
		}
		f.get(H)
		f.i32(1)
		f.op(opI32ShrS)
		f.get(H)
		f.get(g)
		f.op(opCall, qdot)
	})
	call(cells, g, cprev, c, tc, h, n, H)
	return f
}
