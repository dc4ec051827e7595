//go:build !(js && wasm)

package simd128

// The LSTM's gate math in SIMD128, four units at a time (the forward pass
// in blocks of four of those, see simdCells), for hidden sizes that are a
// multiple of 4 (kernels_wasm.go falls back to the Go loops otherwise).
// Each lane repeats lstmCells / lstmCellsBackward and exp32, sigmoid32,
// tanh32 (mathx.go), or for the int8 runtime lstmCellsQ and tanhR,
// sigmoidR (cells_q.go), operation for operation, so the bits are the
// same. Once the matmuls ran in SIMD this was most of a wasm training step:
// ~100 of 157 ms of the forward pass at the thesis shape (B = 64, masked).
//
//	cells(a, cprev, c, tc, h, n, H)            cprev = 0 for the zero state
//	qcells(a, cprev, c, tc, h, n, H)           the int8 runtime's
//	cellsBackward(a, cprev, tc, dh, dc, dz, n, H)

// cellsLocals are the scratch registers of the activation macros, and the
// constants they use, splatted once into locals before the loops (a splat
// in the loop body was three machine instructions at every use in V8).
type cellsLocals struct {
	x, nv, fn, e, tin, ax uint32
	consts                map[float32]uint32
	f                     *wasmFn
	rational              bool // the int8 runtime's gate math (tanhR, sigmoidR)
}

// newCellsLocals declares them and emits the constants' splats: call it
// before any loop.
func newCellsLocals(f *wasmFn, rational bool) cellsLocals {
	l := cellsLocals{f.local(tV128), f.local(tV128), f.local(tV128), f.local(tV128), f.local(tV128), f.local(tV128),
		map[float32]uint32{}, f, rational}
	consts := []float32{88, -87, log2e, 0.5, -0.5, ln2hi, ln2lo, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 1, -2,
		1.0 / 4096, 8388608 + 127}
	if rational {
		consts = append([]float32{tanhClamp, -tanhClamp, 0.5}, tanhNum[:]...)
		consts = append(consts, tanhDen[:]...)
	}
	for _, c := range consts {
		v := f.local(tV128)
		f.splat(c)
		f.set(v)
		l.consts[c] = v
	}
	return l
}

// c pushes v in all four lanes, from its local.
func (l cellsLocals) c(v float32) {
	lv, ok := l.consts[v]
	if !ok {
		panic("simd128: constant not splatted up front")
	}
	l.f.get(lv)
}

// Opcodes of the exp below.
const (
	opF32x4Trunc = 0x69 // f32x4.trunc: toward zero, as a float
	opF32x4Pmin  = 0xea // f32x4.pmin(a, b) = b < a ? b : a (one minps in V8)
)

// exp replaces the vector on top of the stack by exp32 of each lane.
//
// Against a literal transcription it differs in three ways that keep every
// bit: the clamps are f32x4.pmin/pmax, `x > 88 ? 88 : x` exactly as Go's
// ifs (f32x4.min/max, which also order ±0 and canonicalise NaN, are about
// seven instructions each in V8); n = int32(fn ± 0.5) is f32x4.trunc, the
// same integer held as a float (|fn| < 128, so exact), instead of
// trunc_sat and a conversion back (about nine instructions); and 2ⁿ's bits
// come from nf + 2²³ + 127, a float whose low bits are n + 127 (1 … 254),
// shifted left by 23, which drops the exponent bits above them.
// TestSIMD128CellsDense (core/kernels, under wasm) checks every tie.
func (l cellsLocals) exp(f *wasmFn) {
	l.c(88)
	f.simdOp(opF32x4Pmin) // if x > 88 { x = 88 }
	l.c(-87)
	f.simdOp(opF32x4Pmax) // if x < -87 { x = -87 }
	f.set(l.x)
	f.get(l.x)
	l.c(log2e)
	f.simdOp(opF32x4Mul)
	f.set(l.fn)
	// nf = float32(int32(fn ± 0.5)), the sign of the half that of fn.
	f.get(l.fn)
	l.c(0.5)
	l.c(-0.5)
	f.get(l.fn)
	f.v128Zero()
	f.simdOp(opF32x4Ge)
	f.simdOp(opBitselect)
	f.simdOp(opF32x4Add)
	f.simdOp(opF32x4Trunc)
	f.set(l.fn) // now nf
	// r = (x − nf·ln2hi) − nf·ln2lo, kept in x.
	f.get(l.x)
	f.get(l.fn)
	l.c(ln2hi)
	f.simdOp(opF32x4Mul)
	f.simdOp(opF32x4Sub)
	f.get(l.fn)
	l.c(ln2lo)
	f.simdOp(opF32x4Mul)
	f.simdOp(opF32x4Sub)
	f.set(l.x)
	l.c(1.0 / 720)
	for _, c := range []float32{1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1, 1} {
		f.get(l.x)
		f.simdOp(opF32x4Mul)
		l.c(c)
		f.simdOp(opF32x4Add)
	}
	// · 2^n, built from its bits: (n+127) << 23.
	f.get(l.fn)
	l.c(8388608 + 127)
	f.simdOp(opF32x4Add)
	f.i32(23)
	f.simdOp(opI32x4Shl)
	f.simdOp(opF32x4Mul)
}

// sigmoid: top of stack x → 1/(1+exp32(−x)), or sigmoidR(x).
func (l cellsLocals) sigmoid(f *wasmFn) {
	if l.rational {
		l.c(0.5)
		f.simdOp(opF32x4Mul)
		l.tanhR(f)
		l.c(0.5)
		f.simdOp(opF32x4Mul)
		l.c(0.5)
		f.simdOp(opF32x4Add)
		return
	}
	f.simdOp(opF32x4Neg)
	l.exp(f)
	f.set(l.e)
	l.c(1)
	l.c(1)
	f.get(l.e)
	f.simdOp(opF32x4Add)
	f.simdOp(opF32x4Div)
}

// tanh: top of stack x → x if |x| < 2^-12, else ±(1−e)/(1+e), e = exp32(−2|x|).
func (l cellsLocals) tanh(f *wasmFn) {
	if l.rational {
		l.tanhR(f)
		return
	}
	f.set(l.tin)
	f.get(l.tin)
	f.simdOp(opF32x4Abs)
	f.set(l.ax)
	l.c(-2)
	f.get(l.ax)
	f.simdOp(opF32x4Mul)
	l.exp(f)
	f.set(l.e)
	l.c(1)
	f.get(l.e)
	f.simdOp(opF32x4Sub)
	l.c(1)
	f.get(l.e)
	f.simdOp(opF32x4Add)
	f.simdOp(opF32x4Div)
	f.set(l.e) // t
	f.get(l.e)
	f.simdOp(opF32x4Neg)
	f.get(l.e)
	f.get(l.tin)
	f.v128Zero()
	f.simdOp(opF32x4Lt)
	f.simdOp(opBitselect) // x < 0 ? −t : t
	f.set(l.e)
	f.get(l.tin)
	f.get(l.e)
	f.get(l.ax)
	l.c(1.0 / 4096)
	f.simdOp(opF32x4Lt)
	f.simdOp(opBitselect) // |x| < 2^-12 ? x : ±t
}

// tanhR: top of stack x → tanhR(x) (core/kernels/cells_q.go),
// operation for operation: clamp, then the odd numerator over the even
// denominator, both by Horner's rule in x².
func (l cellsLocals) tanhR(f *wasmFn) {
	l.c(tanhClamp)
	f.simdOp(opF32x4Pmin)
	l.c(-tanhClamp)
	f.simdOp(opF32x4Pmax)
	f.set(l.x)
	f.get(l.x)
	f.get(l.x)
	f.simdOp(opF32x4Mul)
	f.set(l.fn) // x²
	l.c(tanhNum[0])
	for _, a := range tanhNum[1:] {
		f.get(l.fn)
		f.simdOp(opF32x4Mul)
		l.c(a)
		f.simdOp(opF32x4Add)
	}
	f.get(l.x)
	f.simdOp(opF32x4Mul)
	l.c(tanhDen[0])
	for _, b := range tanhDen[1:] {
		f.get(l.fn)
		f.simdOp(opF32x4Mul)
		l.c(b)
		f.simdOp(opF32x4Add)
	}
	f.simdOp(opF32x4Div)
}

// cellLoop runs body for rows r < n and units j < H in steps of width
// (a multiple of 4 that divides H), with pa the byte address of gate row r,
// unit j (relative to 0: add a base) and off that of element [r, j] of an
// [n, H] array; hb is 4·H, the byte distance between gate blocks.
func cellLoop(f *wasmFn, n, H uint32, width int32, body func(pa, off, hb uint32)) {
	r, j, pa, off, hb := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	f.get(H)
	f.shl2()
	f.set(hb)
	f.forRange(r, func() { f.i32(0) }, n, 1, func() {
		f.forRange(j, func() { f.i32(0) }, H, width, func() {
			f.get(r)
			f.get(H)
			f.op(opI32Mul)
			f.get(j)
			f.op(opI32Add)
			f.shl2()
			f.set(off)
			f.get(r)
			f.get(H)
			f.i32(4)
			f.op(opI32Mul)
			f.op(opI32Mul)
			f.get(j)
			f.op(opI32Add)
			f.shl2()
			f.set(pa)
			body(pa, off, hb)
		})
	})
}

// pushAddr pushes base + rel (+ q·hb).
func pushAddr(f *wasmFn, base, rel, hb uint32, q int) {
	f.get(base)
	f.get(rel)
	f.op(opI32Add)
	if q > 0 {
		f.get(hb)
		f.i32(int32(q))
		f.op(opI32Mul)
		f.op(opI32Add)
	}
}

// simdCells is the float model's gate math (exp32's), or with rational
// the int8 runtime's (tanhR's).
//
// A unit's math is one long chain (the gates' activations, then c, then
// tanh(c)), and four units at a time left the core waiting on it. When H
// is a multiple of 16 (every preset's) a pass takes four blocks of four
// units and does each step (a gate's activation, c, tanh(c)) for the four
// blocks in turn, so four chains run side by side: about a quarter
// faster, float and int8 alike (eight blocks were no faster; BENCHMARKS.md
// "Session 19"). The zero state's branch is taken once, outside the
// loops, so that a pass is one stretch of straight code. Lanes and
// operations are unchanged: the same bits.
func simdCells(rational bool) *wasmFn {
	f := &wasmFn{params: 7}
	const a, cprev, cOut, tcOut, hOut, n, H = 0, 1, 2, 3, 4, 5, 6
	l := newCellsLocals(f, rational)
	const S = 4           // blocks a pass
	var gate [S][4]uint32 // i, f, g, o
	var cv [S]uint32
	for b := range S {
		for q := range 4 {
			gate[b][q] = f.local(tV128)
		}
		cv[b] = f.local(tV128)
	}
	// pass emits the loop over the units, a pass taking blocks blocks of
	// four units.
	pass := func(blocks int, withPrev bool) {
		cellLoop(f, n, H, int32(4*blocks), func(pa, off, hb uint32) {
			for q := range 4 {
				for b := range blocks {
					pushAddr(f, a, pa, hb, q) // store address
					pushAddr(f, a, pa, hb, q)
					f.v128Load(uint32(16 * b))
					if q == 2 {
						l.tanh(f)
					} else {
						l.sigmoid(f)
					}
					f.set(gate[b][q])
					f.get(gate[b][q])
					f.v128Store(uint32(16 * b))
				}
			}
			// c = f·cprev + i·g, or i·g from the zero state.
			for b := range blocks {
				f.get(gate[b][0])
				f.get(gate[b][2])
				f.simdOp(opF32x4Mul)
				f.set(cv[b])
				if withPrev {
					f.get(gate[b][1])
					pushAddr(f, cprev, off, 0, 0)
					f.v128Load(uint32(16 * b))
					f.simdOp(opF32x4Mul)
					f.get(cv[b])
					f.simdOp(opF32x4Add)
					f.set(cv[b])
				}
				pushAddr(f, cOut, off, 0, 0)
				f.get(cv[b])
				f.v128Store(uint32(16 * b))
			}
			for b := range blocks {
				pushAddr(f, tcOut, off, 0, 0)
				f.get(cv[b])
				l.tanh(f)
				f.set(cv[b]) // now tanh(c)
				f.get(cv[b])
				f.v128Store(uint32(16 * b))
			}
			for b := range blocks {
				pushAddr(f, hOut, off, 0, 0)
				f.get(gate[b][3])
				f.get(cv[b])
				f.simdOp(opF32x4Mul)
				f.v128Store(uint32(16 * b))
			}
		})
	}
	passes := func(blocks int) {
		f.get(cprev) // c, a Go slice, is never at 0
		f.ifElse(func() { pass(blocks, true) }, func() { pass(blocks, false) })
	}
	f.get(H)
	f.i32(4*S - 1)
	f.op(opI32And)
	f.op(opI32Eqz) // H a multiple of 4·S
	f.ifElse(func() { passes(S) }, func() { passes(1) })
	return f
}

func simdCellsBackward() *wasmFn {
	f := &wasmFn{params: 8}
	const a, cprev, tc, dh, dc, dz, n, H = 0, 1, 2, 3, 4, 5, 6, 7
	var g [4]uint32 // i, f, g, o
	for q := range g {
		g[q] = f.local(tV128)
	}
	t, dhv, dcv, cp := f.local(tV128), f.local(tV128), f.local(tV128), f.local(tV128)
	load := func(base, rel, hb uint32, q int, dst uint32) {
		pushAddr(f, base, rel, hb, q)
		f.v128Load(0)
		f.set(dst)
	}
	oneMinus := func(v uint32) { // pushes v·(1−v)
		f.get(v)
		f.splat(1)
		f.get(v)
		f.simdOp(opF32x4Sub)
		f.simdOp(opF32x4Mul)
	}
	cellLoop(f, n, H, 4, func(pa, off, hb uint32) {
		for q := range 4 {
			load(a, pa, hb, q, g[q])
		}
		load(tc, off, 0, 0, t)
		load(dh, off, 0, 0, dhv)
		// dcv = dc + (dh·o)·(1 − t·t)
		pushAddr(f, dc, off, 0, 0)
		f.v128Load(0)
		f.get(dhv)
		f.get(g[3])
		f.simdOp(opF32x4Mul)
		f.splat(1)
		f.get(t)
		f.get(t)
		f.simdOp(opF32x4Mul)
		f.simdOp(opF32x4Sub)
		f.simdOp(opF32x4Mul)
		f.simdOp(opF32x4Add)
		f.set(dcv)
		f.v128Zero()
		f.set(cp)
		f.ifNonZero(cprev, func() { load(cprev, off, 0, 0, cp) })
		// dz_i = (dcv·g)·(i(1−i))
		pushAddr(f, dz, pa, hb, 0)
		f.get(dcv)
		f.get(g[2])
		f.simdOp(opF32x4Mul)
		oneMinus(g[0])
		f.simdOp(opF32x4Mul)
		f.v128Store(0)
		// dz_f = (dcv·cprev)·(f(1−f))
		pushAddr(f, dz, pa, hb, 1)
		f.get(dcv)
		f.get(cp)
		f.simdOp(opF32x4Mul)
		oneMinus(g[1])
		f.simdOp(opF32x4Mul)
		f.v128Store(0)
		// dz_g = (dcv·i)·(1 − g·g)
		pushAddr(f, dz, pa, hb, 2)
		f.get(dcv)
		f.get(g[0])
		f.simdOp(opF32x4Mul)
		f.splat(1)
		f.get(g[2])
		f.get(g[2])
		f.simdOp(opF32x4Mul)
		f.simdOp(opF32x4Sub)
		f.simdOp(opF32x4Mul)
		f.v128Store(0)
		// dz_o = (dh·t)·(o(1−o))
		pushAddr(f, dz, pa, hb, 3)
		f.get(dhv)
		f.get(t)
		f.simdOp(opF32x4Mul)
		oneMinus(g[3])
		f.simdOp(opF32x4Mul)
		f.v128Store(0)
		// dc = dcv·f
		pushAddr(f, dc, off, 0, 0)
		f.get(dcv)
		f.get(g[1])
		f.simdOp(opF32x4Mul)
		f.v128Store(0)
	})
	return f
}
