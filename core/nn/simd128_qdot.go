//go:build !(js && wasm)

package nn

// The int8 runtime's product (core/compress) for the SIMD128 module.

// simdQDot: out[r, j] += (xs[r]·scale[j])·float32(s[r, j]) with the exact
// int32 sums s[r, 4c+l] = Σ_k x[r,k]·q[k, 4c+l], from int16 pairs:
// x[r*K2+k] holds (x[r,2k], x[r,2k+1]) and the v128 at q[(c*K2+k)*4] the
// four columns' (q[2k,j], q[2k+1,j]); i32x4.dot_i16x8_s multiplies the
// pairs and adds them, so each instruction does 8 multiply-adds. Integer
// sums are exact, so any order gives the same result.
func simdQDot() *wasmFn {
	f := &wasmFn{params: 8}
	const x, q, out, xs, scale, n, K2, N4 = 0, 1, 2, 3, 4, 5, 6, 7
	r, c, k, px, pq, n4 := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	addr := f.local(tI32)
	var acc [4]uint32
	for i := range acc {
		acc[i] = f.local(tV128)
	}
	qv := f.local(tV128)
	f.setMasked(n4, n, -4)
	tile := func(R int) {
		for i := range R {
			f.v128Zero()
			f.set(acc[i])
		}
		// px = x + 4·r·K2, pq = q + 16·c·K2
		f.get(r)
		f.get(K2)
		f.op(opI32Mul)
		f.shl2()
		f.get(x)
		f.op(opI32Add)
		f.set(px)
		f.get(c)
		f.get(K2)
		f.op(opI32Mul)
		f.i32(4)
		f.op(opI32Shl)
		f.get(q)
		f.op(opI32Add)
		f.set(pq)
		f.forRange(k, func() { f.i32(0) }, K2, 1, func() {
			f.get(pq)
			f.v128Load(0)
			f.set(qv)
			for i := range R {
				f.get(acc[i])
				// splat x[r+i, k]: its address is px + 4·(i·K2 + k)
				f.get(px)
				f.get(k)
				if i > 0 {
					f.get(K2)
					f.i32(int32(i))
					f.op(opI32Mul)
					f.op(opI32Add)
				}
				f.shl2()
				f.op(opI32Add)
				f.simd(opLoad32Splat, 2, 0)
				f.get(qv)
				f.simdOp(opI32x4Dot16)
				f.simdOp(opI32x4Add)
				f.set(acc[i])
			}
			f.get(pq)
			f.i32(16)
			f.op(opI32Add)
			f.set(pq)
		})
		// out[r+i, 4c..4c+3] += (xs[r+i]·scale[4c..]) · float32(acc[i]),
		// as qgemm's store; out's address is out + 16·((r+i)·N4 + c).
		for i := range R {
			f.get(r)
			f.i32(int32(i))
			f.op(opI32Add)
			f.get(N4)
			f.op(opI32Mul)
			f.get(c)
			f.op(opI32Add)
			f.i32(4)
			f.op(opI32Shl)
			f.get(out)
			f.op(opI32Add)
			f.set(addr)
			f.get(addr)
			f.get(addr)
			f.v128Load(0)
			f.get(r)
			f.i32(int32(i))
			f.op(opI32Add)
			f.shl2()
			f.get(xs)
			f.op(opI32Add)
			f.simd(opLoad32Splat, 2, 0)
			f.get(c)
			f.i32(4)
			f.op(opI32Shl)
			f.get(scale)
			f.op(opI32Add)
			f.v128Load(0)
			f.simdOp(opF32x4Mul)
			f.get(acc[i])
			f.simdOp(opF32ConvI32)
			f.simdOp(opF32x4Mul)
			f.simdOp(opF32x4Add)
			f.v128Store(0)
		}
	}
	f.forRange(c, func() { f.i32(0) }, N4, 1, func() {
		f.forRange(r, func() { f.i32(0) }, n4, 4, func() { tile(4) })
		f.forRange(r, func() { f.get(n4) }, n, 1, func() { tile(1) })
	})
	return f
}
