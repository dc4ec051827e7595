//go:build !(js && wasm)

package simd128

// The optimizer's elementwise loops for the SIMD128 module: core/nn's Adam
// step and the sum of two gradients, four floats per instruction. Each
// lane does the Go loop's operations in its order, each rounded to float32
// (WebAssembly has no fused multiply-add, and f32x4.sqrt rounds as
// float32(math.Sqrt(float64(x))) does), so the weights keep their bits.

const opF32x4Sqrt = 0xe3

// simdAdam(w, g, m, v, n, k): for the first n floats (n a multiple of 4),
// with c1, c2, α, ε the four floats at k (nn/adam.go):
//
//	m += (g − m)·c1;  v += (g·g − v)·c2;  w −= (m·α) / (√v + ε)
func simdAdam() *wasmFn {
	f := &wasmFn{params: 6}
	const w, g, m, v, n, k = 0, 1, 2, 3, 4, 5
	i, end := f.local(tI32), f.local(tI32)
	c1, c2, alpha, eps := f.local(tV128), f.local(tV128), f.local(tV128), f.local(tV128)
	gi, mi, vi := f.local(tV128), f.local(tV128), f.local(tV128)
	for j, c := range []uint32{c1, c2, alpha, eps} {
		f.get(k)
		f.simd(opLoad32Splat, 2, uint32(4*j))
		f.set(c)
	}
	f.get(n)
	f.shl2()
	f.set(end)
	at := func(base uint32) { f.get(base); f.get(i); f.op(opI32Add) } // base + i, i in bytes
	f.forRange(i, func() { f.i32(0) }, end, 16, func() {
		at(g)
		f.v128Load(0)
		f.set(gi)
		// m += (g − m)·c1
		at(m)
		at(m)
		f.v128Load(0)
		f.set(mi)
		f.get(mi)
		f.get(gi)
		f.get(mi)
		f.simdOp(opF32x4Sub)
		f.get(c1)
		f.simdOp(opF32x4Mul)
		f.simdOp(opF32x4Add)
		f.set(mi)
		f.get(mi)
		f.v128Store(0)
		// v += (g·g − v)·c2
		at(v)
		at(v)
		f.v128Load(0)
		f.set(vi)
		f.get(vi)
		f.get(gi)
		f.get(gi)
		f.simdOp(opF32x4Mul)
		f.get(vi)
		f.simdOp(opF32x4Sub)
		f.get(c2)
		f.simdOp(opF32x4Mul)
		f.simdOp(opF32x4Add)
		f.set(vi)
		f.get(vi)
		f.v128Store(0)
		// w −= (m·α) / (√v + ε)
		at(w)
		at(w)
		f.v128Load(0)
		f.get(mi)
		f.get(alpha)
		f.simdOp(opF32x4Mul)
		f.get(vi)
		f.simdOp(opF32x4Sqrt)
		f.get(eps)
		f.simdOp(opF32x4Add)
		f.simdOp(opF32x4Div)
		f.simdOp(opF32x4Sub)
		f.v128Store(0)
	})
	return f
}

// simdAdd(dst, src, n): dst[i] += src[i] for the first n floats (n a
// multiple of 4).
func simdAdd() *wasmFn {
	f := &wasmFn{params: 3}
	const dst, src, n = 0, 1, 2
	i, end := f.local(tI32), f.local(tI32)
	f.get(n)
	f.shl2()
	f.set(end)
	f.forRange(i, func() { f.i32(0) }, end, 16, func() {
		addAt(f, dst, src, i)
	})
	return f
}

// simdAddRows(dst, src, rows, n): dst[i] += src[r·n + i] for each row r in
// order (n a multiple of 4): add once per row, in one call from Go.
func simdAddRows() *wasmFn { return addRowsFn(false) }

// simdAddRowsAt(dst, src, idx, rows, n): dst[idx[r]·n + i] += src[r·n + i]
// for each row r in order (n a multiple of 4): the embedding gradient's
// scatter of a batch's rows onto their tokens' rows, in one call from Go
// rather than one per row.
func simdAddRowsAt() *wasmFn { return addRowsFn(true) }

// addRowsFn is simdAddRows, or with scatter simdAddRowsAt.
func addRowsFn(scatter bool) *wasmFn {
	f := &wasmFn{params: 4}
	var dst, src, idx, rows, n uint32 = 0, 1, 0, 2, 3
	if scatter {
		f.params = 5
		idx, rows, n = 2, 3, 4
	}
	r, i, end, row := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	to := dst
	if scatter {
		to = f.local(tI32)
	}
	f.get(n)
	f.shl2()
	f.set(end)
	f.get(src)
	f.set(row)
	f.forRange(r, func() { f.i32(0) }, rows, 1, func() {
		if scatter { // to = dst + 4·idx[r]·n
			f.loadI32At(idx, r)
			f.get(n)
			f.op(opI32Mul)
			f.shl2()
			f.get(dst)
			f.op(opI32Add)
			f.set(to)
		}
		f.forRange(i, func() { f.i32(0) }, end, 16, func() {
			addAt(f, to, row, i)
		})
		f.get(row)
		f.get(end)
		f.op(opI32Add)
		f.set(row)
	})
	return f
}

// addAt emits dst[i:i+16 bytes] += src[i:…] (locals: two addresses and a
// byte offset), four floats.
func addAt(f *wasmFn, dst, src, i uint32) {
	f.get(dst)
	f.get(i)
	f.op(opI32Add)
	f.get(dst)
	f.get(i)
	f.op(opI32Add)
	f.v128Load(0)
	f.get(src)
	f.get(i)
	f.op(opI32Add)
	f.v128Load(0)
	f.simdOp(opF32x4Add)
	f.v128Store(0)
}
