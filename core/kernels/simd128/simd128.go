//go:build !(js && wasm)

package simd128

// Go's js/wasm port emits no SIMD, so the portable kernel runs on scalar
// float32 (~3 GFLOP/s under Node). simd128Module builds, byte by byte, a
// small WebAssembly module whose kernels use 128-bit SIMD (4 float32 lanes)
// and work directly in Go's linear memory, which the module imports as
// env.mem. kernels_wasm.go embeds the result, simd128.wasm (≈3 KB; compiled
// to wasm, this builder itself would add 250 KB to engine.wasm), instantiates
// it and calls it through syscall/js. After a change here:
//
//	go test ./core/kernels/simd128 -run TestSIMD128Module -update
//
// Bit-identical to Portable by construction: lanes run along the columns j of
// c, so every element c[i,j] still sees the same float32 operations in the
// same order as in kernels.go (f32x4.mul and f32x4.add round each lane exactly
// like f32.mul and f32.add; WebAssembly has no fused multiply-add and no
// flush-to-zero). The tiling over i and j can differ; the order over k may not.
//
// Exports (pointers are byte addresses in Go's memory, sizes in elements):
//
//	dot(a, asi, asp, b, c, m, n, k)   c[i,j] += Σ_p a[i*asi+p*asp]·b[p*n+j], the
//	                                  sum over p in order from zero, then added:
//	                                  gemmNN's 4×4 blocks and edges, all of
//	                                  gemmTN, and gemmNT once b is transposed
//	stream(a, b, c, m0, m, n, k)      gemmNN's rows m0 ≤ i < m: four rows of b
//	                                  per pass, c += ((x0·b0 + x1·b1) + x2·b2) + x3·b3
//	dotp(a, asi, asp, bp, c, m, n, k) dot with b packed by pack8 (n a multiple of 8)
//	streamp(a, bp, c, m0, m, n, k)    stream with b packed by pack8: the same
//	                                  sums, c in registers (simd128_streamp.go)
//	pack8(b, bp, k, n)                bp[j/8][p][j%8] = b[p, j] (n a multiple of 8)
//	transpose(src, dst, rows, cols)   dst[c*rows+r] = src[r*cols+c]
//	cells, cellsBackward              the gate math: simd128_cells.go
//	qcells                            the int8 runtime's (rational tanh and
//	                                  sigmoid, core/kernels/cells_q.go)
//	qdot(x, q, out, xs, scale, n, K2, N4, src)
//	                                  the int8 runtime's products: see QDot
//	                                  (src = out: added in place)
//	quant(a, words, s, n, K)          its activations, quantized into QDot's
//	                                  pairs: simd128_quant.go
//	qstep(...)                        one int8 LSTM step: qdot, quant, qdot,
//	                                  qcells in one call (simd128_quant.go)
//	steps(...)                        the float LSTM's recurrence over all steps:
//	                                  dot or dotp, stream or streamp, cells
//	                                  (simd128_steps.go)
//	qsteps(...)                       the int8 LSTM's, qstep per step, its inputs
//	                                  computed beforehand (simd128_steps.go)
//	qstepsRows(...)                   the same at batch 1, each step's inputs
//	                                  read from its token's table row
//	adam(w, g, m, v, n, k), add(dst, src, n), addRows(dst, src, rows, n)
//	                                  the optimizer's loops and the bias
//	                                  gradient's sum (simd128_adam.go)
//	addRowsAt(dst, src, idx, rows, n) the embedding gradient's scatter of rows
//	                                  onto their tokens' rows (simd128_adam.go)
func simd128Module() []byte {
	fns := []*wasmFn{simdDot(), simdStream(), simdTranspose(), simdCells(false), simdCellsBackward(), simdQDot(), simdQuant(), simdQStep(5, 6, 12),
		simdSteps(0, 1, 3, 14, 16), simdQSteps(7), simdAdam(), simdAdd(), simdCells(true), simdQStepsRows(5, 6, 12), simdDotPanels(), simdPack8(), simdStreamPanels(1), simdAddRows(), simdAddRowsAt()}
	names := []string{"dot", "stream", "transpose", "cells", "cellsBackward", "qdot", "quant", "qstep", "steps", "qsteps", "adam", "add", "qcells", "qstepsRows", "dotp", "pack8", "streamp", "addRows", "addRowsAt"}
	return buildModule(fns, names)
}

// buildModule is a module of fns (all i32 parameters, no results), each
// exported under its name, importing Go's memory as env.mem.
func buildModule(fns []*wasmFn, names []string) []byte {
	var types, funcs, exports, code []byte
	types = uleb(types, uint32(len(fns)))
	funcs = uleb(funcs, uint32(len(fns)))
	exports = uleb(exports, uint32(len(fns)))
	code = uleb(code, uint32(len(fns)))
	for i, f := range fns {
		types = append(types, 0x60)
		types = uleb(types, uint32(f.params))
		for range f.params {
			types = append(types, tI32)
		}
		types = append(types, 0) // no results
		funcs = uleb(funcs, uint32(i))
		exports = wasmName(exports, names[i])
		exports = append(exports, 0x00) // function
		exports = uleb(exports, uint32(i))
		code = wasmBytes(code, f.body())
	}
	imports := uleb(nil, 1)
	imports = wasmName(imports, "env")
	imports = wasmName(imports, "mem")
	imports = append(imports, 0x02, 0x00, 0x00) // memory, no maximum, minimum 0 pages

	mod := []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}
	for _, s := range []struct {
		id   byte
		body []byte
	}{{1, types}, {2, imports}, {3, funcs}, {7, exports}, {10, code}} {
		mod = append(mod, s.id)
		mod = wasmBytes(mod, s.body)
	}
	return mod
}

// simdDot: for each row block of R ∈ {4, 1} rows and column block of 8, 4
// (vectors) or 1 (scalar) columns, accumulate over p from zero, then add to c.
func simdDot() *wasmFn { return dotFn(false) }

// simdDotPanels is dotp(a, asi, asp, bp, c, m, n, k): dot with b packed by
// pack8 into panels of 8 columns, bp[j/8][p][j%8] = b[p, j], n a multiple
// of 8. The same tiles and sums as dot, so the same bits; a p step reads
// the next 32 bytes of its panel instead of a row of b n floats further,
// which is faster (BENCHMARKS.md, session 20).
func simdDotPanels() *wasmFn { return dotFn(true) }

func dotFn(packed bool) *wasmFn {
	f := &wasmFn{params: 8}
	const a, asi, asp, b, c, m, n, k = 0, 1, 2, 3, 4, 5, 6, 7
	i0, j0, p := f.local(tI32), f.local(tI32), f.local(tI32)
	m4, n8, n4 := f.local(tI32), f.local(tI32), f.local(tI32)
	pb, addr := f.local(tI32), f.local(tI32)
	var pa [4]uint32
	var acc [4][2]uint32
	for r := range 4 {
		pa[r] = f.local(tI32)
		for v := range 2 {
			acc[r][v] = f.local(tV128)
		}
	}
	bv := [2]uint32{f.local(tV128), f.local(tV128)}
	x, s := f.local(tV128), f.local(tF32)

	f.setMasked(m4, m, -4)
	f.setMasked(n8, n, -8)
	f.setMasked(n4, n, -4)
	// pa[r] = a + 4·(i0+r)·asi: the address of a[i0+r, 0].
	rowStarts := func(R int) {
		for r := range R {
			f.get(i0)
			f.i32(int32(r))
			f.op(opI32Add)
			f.get(asi)
			f.op(opI32Mul)
			f.shl2()
			f.get(a)
			f.op(opI32Add)
			f.set(pa[r])
		}
	}
	advanceA := func(R int) {
		for r := range R {
			f.get(pa[r])
			f.get(asp)
			f.shl2()
			f.op(opI32Add)
			f.set(pa[r])
		}
	}
	// addr = c + 4·((i0+r)·n + j), j given by pushJ.
	cAddr := func(r int, pushJ func()) {
		f.get(i0)
		f.i32(int32(r))
		f.op(opI32Add)
		f.get(n)
		f.op(opI32Mul)
		pushJ()
		f.op(opI32Add)
		f.shl2()
		f.get(c)
		f.op(opI32Add)
		f.set(addr)
	}
	// pb = the address of b[0, j0]; advanceB moves it down one row. Packed,
	// j0's panel starts 8·k·(j0/8) = k·j0 floats in, and its rows are 8
	// floats apart.
	startB := func() {
		f.get(j0)
		if packed {
			f.get(k)
			f.op(opI32Mul)
		}
		f.shl2()
		f.get(b)
		f.op(opI32Add)
		f.set(pb)
	}
	advanceB := func() {
		f.get(pb)
		if packed {
			f.i32(32)
		} else {
			f.get(n)
			f.shl2()
		}
		f.op(opI32Add)
		f.set(pb)
	}
	vectorTile := func(R, V int) {
		for r := range R {
			for v := range V {
				f.v128Zero()
				f.set(acc[r][v])
			}
		}
		rowStarts(R)
		startB()
		f.forRange(p, func() { f.i32(0) }, k, 1, func() {
			for v := range V {
				f.get(pb)
				f.v128Load(uint32(16 * v))
				f.set(bv[v])
			}
			for r := range R {
				f.get(pa[r])
				f.simd(opLoad32Splat, 2, 0)
				f.set(x)
				for v := range V {
					f.get(acc[r][v])
					f.get(x)
					f.get(bv[v])
					f.simdOp(opF32x4Mul)
					f.simdOp(opF32x4Add)
					f.set(acc[r][v])
				}
			}
			advanceA(R)
			advanceB()
		})
		for r := range R {
			cAddr(r, func() { f.get(j0) })
			for v := range V {
				f.get(addr)
				f.get(addr)
				f.v128Load(uint32(16 * v))
				f.get(acc[r][v])
				f.simdOp(opF32x4Add)
				f.v128Store(uint32(16 * v))
			}
		}
	}
	scalarColumn := func(R int) {
		for r := range R {
			f.f32Zero()
			f.set(s)
			rowStarts(R)
			startB()
			f.forRange(p, func() { f.i32(0) }, k, 1, func() {
				f.get(s)
				f.get(pa[r])
				f.f32Load(0)
				f.get(pb)
				f.f32Load(0)
				f.op(opF32Mul)
				f.op(opF32Add)
				f.set(s)
				advanceA(R)
				advanceB()
			})
			cAddr(r, func() { f.get(j0) })
			f.get(addr)
			f.get(addr)
			f.f32Load(0)
			f.get(s)
			f.op(opF32Add)
			f.f32Store(0)
		}
	}
	rows := func(R int) {
		f.forRange(j0, func() { f.i32(0) }, n8, 8, func() { vectorTile(R, 2) })
		if packed { // n is a multiple of 8
			return
		}
		f.forRange(j0, func() { f.get(n8) }, n4, 4, func() { vectorTile(R, 1) })
		f.forRange(j0, func() { f.get(n4) }, n, 1, func() { scalarColumn(R) })
	}
	f.forRange(i0, func() { f.i32(0) }, m4, 4, func() { rows(4) })
	f.forRange(i0, func() { f.get(m4) }, m, 1, func() { rows(1) })
	return f
}

// simdStream is gemmNN's leftover-row loop: c += a·b row by row, for the
// rows after the blocks of four when b is not packed (streamp when it is).
func simdStream() *wasmFn {
	f := &wasmFn{params: 7}
	const a, b, c, m0, m, n, k = 0, 1, 2, 3, 4, 5, 6
	i, p, j := f.local(tI32), f.local(tI32), f.local(tI32)
	k4, n4 := f.local(tI32), f.local(tI32)
	cr, arow, brow, off := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	var xv, xs [4]uint32
	for q := range 4 {
		xv[q], xs[q] = f.local(tV128), f.local(tF32)
	}
	f.setMasked(k4, k, -4)
	f.setMasked(n4, n, -4)
	// brow(q) pushes the address of b[p+q, 0] + off.
	pushB := func(q int) {
		f.get(brow)
		if q > 0 {
			f.get(n)
			f.i32(int32(4 * q))
			f.op(opI32Mul)
			f.op(opI32Add)
		}
		f.get(off)
		f.op(opI32Add)
	}
	// Sets brow = b + 4·p·n and loads a[i, p..p+Q-1] as vectors and scalars.
	startPass := func(Q int) {
		f.get(p)
		f.get(n)
		f.op(opI32Mul)
		f.shl2()
		f.get(b)
		f.op(opI32Add)
		f.set(brow)
		for q := range Q {
			f.get(arow)
			f.get(p)
			f.shl2()
			f.op(opI32Add)
			f.set(off) // reused as a scratch address
			f.get(off)
			f.f32Load(uint32(4 * q))
			f.set(xs[q])
			f.get(xs[q])
			f.simdOp(opF32x4Splat)
			f.set(xv[q])
		}
	}
	// One pass over the columns: c[j] += ((x0·b0 + x1·b1) + x2·b2) + x3·b3
	// (Q = 4) or c[j] += x0·b0 (Q = 1).
	pass := func(Q int) {
		// One column loop: 4 lanes (v128) up to n4, then one (f32) to n.
		columns := func(from func(), to uint32, step int32, x [4]uint32, load, store func(uint32), mul, add func()) {
			f.forRange(j, from, to, step, func() {
				f.get(j)
				f.shl2()
				f.set(off)
				f.get(cr)
				f.get(off)
				f.op(opI32Add) // store address
				f.get(cr)
				f.get(off)
				f.op(opI32Add)
				load(0)
				for q := range Q {
					f.get(x[q])
					pushB(q)
					load(0)
					mul()
					if q > 0 {
						add()
					}
				}
				add()
				store(0)
			})
		}
		columns(func() { f.i32(0) }, n4, 4, xv, f.v128Load, f.v128Store,
			func() { f.simdOp(opF32x4Mul) }, func() { f.simdOp(opF32x4Add) })
		columns(func() { f.get(n4) }, n, 1, xs, f.f32Load, f.f32Store,
			func() { f.op(opF32Mul) }, func() { f.op(opF32Add) })
	}
	f.forRange(i, func() { f.get(m0) }, m, 1, func() {
		f.rowAddr(c, i, n)
		f.set(cr)
		f.rowAddr(a, i, k)
		f.set(arow)
		f.forRange(p, func() { f.i32(0) }, k4, 4, func() {
			startPass(4)
			pass(4)
		})
		f.forRange(p, func() { f.get(k4) }, k, 1, func() {
			startPass(1)
			pass(1)
		})
	})
	return f
}

func simdTranspose() *wasmFn {
	f := &wasmFn{params: 4}
	const src, dst, rows, cols = 0, 1, 2, 3
	r, c := f.local(tI32), f.local(tI32)
	f.forRange(r, func() { f.i32(0) }, rows, 1, func() {
		f.forRange(c, func() { f.i32(0) }, cols, 1, func() {
			f.get(c)
			f.get(rows)
			f.op(opI32Mul)
			f.get(r)
			f.op(opI32Add)
			f.shl2()
			f.get(dst)
			f.op(opI32Add)
			f.get(r)
			f.get(cols)
			f.op(opI32Mul)
			f.get(c)
			f.op(opI32Add)
			f.shl2()
			f.get(src)
			f.op(opI32Add)
			f.op(opI32Load, 2, 0)
			f.op(opI32Store, 2, 0)
		})
	})
	return f
}

// simdPack8 is pack8(b, bp, k, n): b [k, n] into dotp's panels of 8
// columns, bp[j/8][p][j%8] = b[p, j], two vectors at a time; n is a
// multiple of 8.
func simdPack8() *wasmFn {
	f := &wasmFn{params: 4}
	const b, bp, k, n = 0, 1, 2, 3
	p, j0, src, dst := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	f.get(b)
	f.set(src)
	f.forRange(p, func() { f.i32(0) }, k, 1, func() {
		// dst = bp + 4·(8·p) for the panel of j0 = 0; the next panel is
		// 8·k floats on.
		f.get(p)
		f.i32(5)
		f.op(opI32Shl)
		f.get(bp)
		f.op(opI32Add)
		f.set(dst)
		f.forRange(j0, func() { f.i32(0) }, n, 8, func() {
			for v := range 2 {
				f.get(dst)
				f.get(src)
				f.v128Load(uint32(16 * v))
				f.v128Store(uint32(16 * v))
			}
			f.get(src)
			f.i32(32)
			f.op(opI32Add)
			f.set(src)
			f.get(dst)
			f.get(k)
			f.i32(5)
			f.op(opI32Shl)
			f.op(opI32Add)
			f.set(dst)
		})
	})
	return f
}
