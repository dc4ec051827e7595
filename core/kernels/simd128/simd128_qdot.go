//go:build !(js && wasm)

package simd128

// The int8 runtime's product (core/compress) for the SIMD128 module.

// simdQDot(x, q, out, xs, scale, n, K2, N4, src):
// out[r, j] = src[r, j] + (xs[r]·scale[j])·float32(s[r, j]) with the exact
// int32 sums s[r, 4c+l] = Σ_k x[r,k]·q[k, 4c+l], from int16 pairs:
// x[r*K2+k] holds (x[r,2k], x[r,2k+1]) and the v128 at q[(c*K2+k)*4] the
// four columns' (q[2k,j], q[2k+1,j]); i32x4.dot_i16x8_s multiplies the
// pairs and adds them, so each instruction does 8 multiply-adds. Integer
// sums are exact, so any order gives the same result. src is out for the
// product added in place; the int8 LSTM at batch 1 (qstepsRows) reads a
// step's input side from its token's row of a table instead, which saves
// copying the row first, with the same float32 additions.
//
// Tiles of 4 rows × 8 columns (two column groups): each splat of x feeds
// two products and each load of q four, with one pointer per row and per
// group stepped along k; single rows (batch 1) take 1 × 16 tiles, so each
// splat feeds four, and two steps of k per pass. The last N4 % 4 column
// groups take 4 × 4 and 1 × 4.
func simdQDot() *wasmFn {
	f := &wasmFn{params: 9}
	const x, q, out, xs, scale, n, K2, N4, src = 0, 1, 2, 3, 4, 5, 6, 7, 8
	r, c, k, n4, nc4, addr := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	fromSrc := f.local(tI32) // src − out: where a store's addend is
	f.get(src)
	f.get(out)
	f.op(opI32Sub)
	f.set(fromSrc)
	var px [4]uint32
	for i := range px {
		px[i] = f.local(tI32)
	}
	var pq [4]uint32
	var qv [4]uint32
	for g := range pq {
		pq[g], qv[g] = f.local(tI32), f.local(tV128)
	}
	var acc [4][4]uint32
	for i := range acc {
		for g := range acc[i] {
			acc[i][g] = f.local(tV128)
		}
	}
	sp := f.local(tV128)
	k2, odd := f.local(tI32), f.local(tI32)
	f.setMasked(k2, K2, -2) // the pairs of k in whole twos
	f.get(K2)
	f.i32(1)
	f.op(opI32And)
	f.set(odd)
	f.setMasked(n4, n, -4)
	f.setMasked(nc4, N4, -4) // now the column groups in whole fours
	// tile: rows r..r+R-1, column groups c+c0..c+c0+C-1.
	tile := func(R, C, c0 int) {
		if R > 1 && C > 2 || C > 4 {
			panic("simdQDot: tile too large for the registers")
		}
		for i := range R {
			for g := range C {
				f.v128Zero()
				f.set(acc[i][g])
			}
			// px[i] = x + 4·(r+i)·K2
			f.get(r)
			if i > 0 {
				f.i32(int32(i))
				f.op(opI32Add)
			}
			f.get(K2)
			f.op(opI32Mul)
			f.shl2()
			f.get(x)
			f.op(opI32Add)
			f.set(px[i])
		}
		for g := range C {
			// pq[g] = q + 16·(c+c0+g)·K2
			f.get(c)
			if c0+g > 0 {
				f.i32(int32(c0 + g))
				f.op(opI32Add)
			}
			f.get(K2)
			f.op(opI32Mul)
			f.i32(4)
			f.op(opI32Shl)
			f.get(q)
			f.op(opI32Add)
			f.set(pq[g])
		}
		// A step of k: loads at immediate offsets 16u (q) and 4u (x).
		step := func(u uint32) {
			for g := range C {
				f.get(pq[g])
				f.v128Load(16 * u)
				f.set(qv[g])
			}
			for i := range R {
				f.get(px[i])
				f.simd(opLoad32Splat, 2, 4*u)
				f.set(sp)
				for g := range C {
					f.get(acc[i][g])
					f.get(sp)
					f.get(qv[g])
					f.simdOp(opI32x4Dot16)
					f.simdOp(opI32x4Add)
					f.set(acc[i][g])
				}
			}
		}
		advance := func(u int32) { // the pointers u steps of k on
			for g := range C {
				f.get(pq[g])
				f.i32(16 * u)
				f.op(opI32Add)
				f.set(pq[g])
			}
			for i := range R {
				f.get(px[i])
				f.i32(4 * u)
				f.op(opI32Add)
				f.set(px[i])
			}
		}
		if R > 1 {
			f.forRange(k, func() { f.i32(0) }, K2, 1, func() { step(0); advance(1) })
		} else {
			// A single row (batch 1) takes k in pairs, both steps loading
			// from the same pointers, which then move once, and an odd
			// K2's last step after: int8 at batch 1 2–4% faster in the
			// browser. Not the 4-row tiles: so unrolled, the batched
			// products ran 14% slower (8 accumulators; register pressure).
			f.forRange(k, func() { f.i32(0) }, k2, 2, func() { step(0); step(1); advance(2) })
			f.ifNonZero(odd, func() { step(0) })
		}
		// out[r+i, 4(c+g)..] = src[…] + (xs[r+i]·scale[4(c+g)..]) · float32(acc),
		// as qgemm's store; out's address is out + 16·((r+i)·N4 + c+g).
		for i := range R {
			for g := range C {
				f.get(r)
				if i > 0 {
					f.i32(int32(i))
					f.op(opI32Add)
				}
				f.get(N4)
				f.op(opI32Mul)
				f.get(c)
				f.op(opI32Add)
				if c0+g > 0 {
					f.i32(int32(c0 + g))
					f.op(opI32Add)
				}
				f.i32(4)
				f.op(opI32Shl)
				f.get(out)
				f.op(opI32Add)
				f.set(addr)
				f.get(addr)
				f.get(addr)
				f.get(fromSrc)
				f.op(opI32Add)
				f.v128Load(0)
				f.get(r)
				if i > 0 {
					f.i32(int32(i))
					f.op(opI32Add)
				}
				f.shl2()
				f.get(xs)
				f.op(opI32Add)
				f.simd(opLoad32Splat, 2, 0)
				f.get(c)
				if c0+g > 0 {
					f.i32(int32(c0 + g))
					f.op(opI32Add)
				}
				f.i32(4)
				f.op(opI32Shl)
				f.get(scale)
				f.op(opI32Add)
				f.v128Load(0)
				f.simdOp(opF32x4Mul)
				f.get(acc[i][g])
				f.simdOp(opF32ConvI32)
				f.simdOp(opF32x4Mul)
				f.simdOp(opF32x4Add)
				f.v128Store(0)
			}
		}
	}
	f.forRange(c, func() { f.i32(0) }, nc4, 4, func() {
		f.forRange(r, func() { f.i32(0) }, n4, 4, func() { tile(4, 2, 0); tile(4, 2, 2) })
		f.forRange(r, func() { f.get(n4) }, n, 1, func() { tile(1, 4, 0) })
	})
	f.forRange(c, func() { f.get(nc4) }, N4, 1, func() {
		f.forRange(r, func() { f.i32(0) }, n4, 4, func() { tile(4, 1, 0) })
		f.forRange(r, func() { f.get(n4) }, n, 1, func() { tile(1, 1, 0) })
	})
	return f
}
