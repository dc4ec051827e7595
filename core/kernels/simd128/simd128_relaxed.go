//go:build !(js && wasm)

package simd128

// The relaxed SIMD module: the int8 recurrence of core/compress's Act7
// opt-in (kernels.QSteps7). A module of its own, since an engine without
// relaxed SIMD refuses a module that uses it: the page instantiates it
// beside Module only where WebAssembly.validate accepts it.

const opI32x4RelaxedDot8 = 0x113 // i32x4.relaxed_dot_i8x16_i7x16_add_s

// relaxedModule builds RelaxedModule: cells (the int8 runtime's qcells),
// quant7, qdot7, qsteps7.
func relaxedModule() []byte {
	return buildModule([]*wasmFn{simdCells(true), simdQuant7(), simdQDot7(), simdQSteps7(0, 1, 2)},
		[]string{"cells", "quant7", "qdot7", "qsteps7"})
}

// simdQDot7(x, q, out, xs, scale, corr, n, K4, N16) adds to out [n, 16·N16]
//
//	out[r, j] += (xs[r]·scale[j]) · float32(corr[j] + Σ_k b[r,k]·q[k,j])
//
// where b [n, 4·K4] are quant7's bytes (x + 64, in 0 … 127) and q the
// signed weights in kernels.QSteps7's layout: the v128 at q + 64·(c·K4+k)
// + 16·g holds, for the four columns 16c+4g … +3, the bytes q[4k..4k+3, j].
// One relaxed dot product takes a splat of four bytes of b and such a v128
// and adds 16 products into four int32 lanes. With b in 0 … 127 no pair of
// products leaves int16 (|2·127·128| < 2¹⁵) and the result is the same on
// every machine; the sums are exact, so any order gives the same integers.
// Tiles of one row × 32 columns (each splat feeds eight products), two
// steps of k per pass: N16 and K4 even.
func simdQDot7() *wasmFn {
	f := &wasmFn{params: 9}
	const x, q, out, xs, scale, corr, n, K4, N16 = 0, 1, 2, 3, 4, 5, 6, 7, 8
	r, c, k, px, addr := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	pq := [2]uint32{f.local(tI32), f.local(tI32)} // the tile's two groups of 16 columns
	var acc [8]uint32
	for a := range acc {
		acc[a] = f.local(tV128)
	}
	sp := f.local(tV128)
	step := func(u uint32) { // one step of k (four values), u steps on
		f.get(px)
		f.simd(opLoad32Splat, 2, 4*u)
		f.set(sp)
		for a := range acc {
			f.get(pq[a/4])
			f.v128Load(64*u + 16*uint32(a%4))
			f.get(sp)
			f.get(acc[a])
			f.simdOp(opI32x4RelaxedDot8)
			f.set(acc[a])
		}
	}
	f.forRange(r, func() { f.i32(0) }, n, 1, func() {
		f.forRange(c, func() { f.i32(0) }, N16, 2, func() {
			for a := range acc {
				f.v128Zero()
				f.set(acc[a])
			}
			// px = x + r·4·K4, pq[0] = q + 64·c·K4, pq[1] = pq[0] + 64·K4
			f.get(r)
			f.get(K4)
			f.op(opI32Mul)
			f.shl2()
			f.get(x)
			f.op(opI32Add)
			f.set(px)
			f.get(c)
			f.get(K4)
			f.op(opI32Mul)
			f.i32(6)
			f.op(opI32Shl)
			f.get(q)
			f.op(opI32Add)
			f.set(pq[0])
			f.get(K4)
			f.i32(6)
			f.op(opI32Shl)
			f.get(pq[0])
			f.op(opI32Add)
			f.set(pq[1])
			f.forRange(k, func() { f.i32(0) }, K4, 2, func() {
				step(0)
				step(1)
				f.get(px)
				f.i32(8)
				f.op(opI32Add)
				f.set(px)
				for _, p := range pq {
					f.get(p)
					f.i32(128)
					f.op(opI32Add)
					f.set(p)
				}
			})
			// out[r, 16c+4a ..] += (xs[r]·scale[..]) · float32(acc + corr[..]),
			// qgemm's store; out + 4·(r·16·N16 + 16c) + 16a.
			for a := range acc {
				off := 16 * uint32(a)
				f.get(r)
				f.get(N16)
				f.op(opI32Mul)
				f.get(c)
				f.op(opI32Add)
				f.i32(6)
				f.op(opI32Shl)
				f.get(out)
				f.op(opI32Add)
				f.set(addr)
				f.get(addr)
				f.get(addr)
				f.v128Load(off)
				f.get(r)
				f.shl2()
				f.get(xs)
				f.op(opI32Add)
				f.simd(opLoad32Splat, 2, 0)
				f.get(c)
				f.i32(6)
				f.op(opI32Shl)
				f.get(scale)
				f.op(opI32Add)
				f.v128Load(off)
				f.simdOp(opF32x4Mul)
				f.get(acc[a])
				f.get(c)
				f.i32(6)
				f.op(opI32Shl)
				f.get(corr)
				f.op(opI32Add)
				f.v128Load(off)
				f.simdOp(opI32x4Add)
				f.simdOp(opF32ConvI32)
				f.simdOp(opF32x4Mul)
				f.simdOp(opF32x4Add)
				f.v128Store(off)
			}
		})
	})
	return f
}

// simdQSteps7(proj, h, hb, hs, q7, corr, sR, c, tc, ns, T, H, t0) is qsteps
// with Act7's 7-bit hidden state (kernels.QSteps7):
//
//	for t, g := 0, proj; t < T && ns[t] > 0; t++ {
//	    if t0+t > 0 {
//	        quant7(h, hb, hs, ns[t], H)
//	        qdot7(hb, q7, g, hs, sR, corr, ns[t], H/4, H/4)
//	    }
//	    cells(g, t0+t > 0 ? c : 0, c, tc, h, ns[t], H)
//	    g += ns[t] rows of 4H
//	}
//
// H a multiple of 16.
func simdQSteps7(cells, quant7, qdot7 uint32) *wasmFn {
	f := &wasmFn{params: 13}
	const proj, h, hb, hs, q7, corr, sR, c, tc, ns, T, H, t0 = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
	h4 := f.local(tI32)
	f.get(H)
	f.i32(2)
	f.op(opI32ShrS)
	f.set(h4)
	call := func(fn uint32, args ...uint32) {
		for _, a := range args {
			f.get(a)
		}
		f.op(opCall, fn)
	}
	f.eachStep(proj, ns, T, H, t0, c, func(nt, g, cprev uint32) {
		f.ifNonZero(cprev, func() {
			call(quant7, h, hb, hs, nt, H)
			call(qdot7, hb, q7, g, hs, sR, corr, nt, h4, h4)
		})
		call(cells, g, cprev, c, tc, h, nt, H)
	})
	return f
}
