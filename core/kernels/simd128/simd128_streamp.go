//go:build !(js && wasm)

package simd128

// simdStreamPanels is streamp(a, bp, c, m0, m, n, k): stream (rows
// m0 ≤ i < m of c += a·b) with b packed by pack8 into panels of 8 columns,
// n a multiple of 8. The same sums in the same order as stream,
//
//	c[j] += ((x0·b0 + x1·b1) + x2·b2) + x3·b3   for each 4 steps of p,
//	c[j] += x0·b0                                for the last k%4,
//
// so the same bits, but a row's c stays in registers for W panels (8·W
// columns) across all of k instead of being loaded and stored at every 4
// steps of p, and the four steps of a pass read one panel's next 128 bytes
// at constant offsets. This is batch-1 inference's recurrence
// (BENCHMARKS.md, session 21). The module takes W = 1: two and four panels
// a pass, sharing the four splats, measured slower under V8.
func simdStreamPanels(W int) *wasmFn {
	f := &wasmFn{params: 7}
	const a, bp, c, m0, m, n, k = 0, 1, 2, 3, 4, 5, 6
	i, p, j0, k4, nW := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	arow, cr, stride := f.local(tI32), f.local(tI32), f.local(tI32)
	var acc [8]uint32
	var pw [4]uint32
	var x [4]uint32
	for v := range 2 * W {
		acc[v] = f.local(tV128)
	}
	for w := range W {
		pw[w] = f.local(tI32)
	}
	for q := range 4 {
		x[q] = f.local(tV128)
	}
	f.setMasked(k4, k, -4)
	// stride: bytes from one panel to the next, 8·k floats.
	f.get(k)
	f.i32(5)
	f.op(opI32Shl)
	f.set(stride)
	// pass runs the columns j0 … j0+8·V−1 (V panels, V ≤ W) of row i.
	pass := func(V int) {
		// pw[w] = bp + 4·k·j0 + w·stride: panel (j0/8 + w)'s row 0.
		for w := range V {
			f.get(j0)
			f.get(k)
			f.op(opI32Mul)
			f.shl2()
			f.get(bp)
			f.op(opI32Add)
			if w > 0 {
				f.get(stride)
				f.i32(int32(w))
				f.op(opI32Mul)
				f.op(opI32Add)
			}
			f.set(pw[w])
		}
		cAt := func() { // pushes the address of c[i, j0]
			f.get(cr)
			f.get(j0)
			f.shl2()
			f.op(opI32Add)
		}
		for v := range 2 * V {
			cAt()
			f.v128Load(uint32(16 * v))
			f.set(acc[v])
		}
		splats := func(Q int) {
			for q := range Q {
				f.get(arow)
				f.get(p)
				f.shl2()
				f.op(opI32Add)
				f.simd(opLoad32Splat, 2, uint32(4*q))
				f.set(x[q])
			}
		}
		steps := func(Q int) {
			splats(Q)
			for v := range 2 * V {
				f.get(acc[v])
				for q := range Q {
					f.get(x[q])
					f.get(pw[v/2])
					f.v128Load(uint32(32*q + 16*(v%2)))
					f.simdOp(opF32x4Mul)
					if q > 0 {
						f.simdOp(opF32x4Add)
					}
				}
				f.simdOp(opF32x4Add)
				f.set(acc[v])
			}
			for w := range V {
				f.get(pw[w])
				f.i32(int32(32 * Q))
				f.op(opI32Add)
				f.set(pw[w])
			}
		}
		f.forRange(p, func() { f.i32(0) }, k4, 4, func() { steps(4) })
		f.forRange(p, func() { f.get(k4) }, k, 1, func() { steps(1) })
		for v := range 2 * V {
			cAt()
			f.get(acc[v])
			f.v128Store(uint32(16 * v))
		}
	}
	f.get(n)
	f.i32(int32(-8 * W))
	f.op(opI32And)
	f.set(nW)
	f.forRange(i, func() { f.get(m0) }, m, 1, func() {
		f.rowAddr(c, i, n)
		f.set(cr)
		f.rowAddr(a, i, k)
		f.set(arow)
		f.forRange(j0, func() { f.i32(0) }, nW, int32(8*W), func() { pass(W) })
		if W > 1 {
			f.forRange(j0, func() { f.get(nW) }, n, 8, func() { pass(1) })
		}
	})
	return f
}
