//go:build !(js && wasm)

package simd128

// The float LSTM's recurrence in one call from Go (core/nn's forward pass).

const (
	opI32Eqz = 0x45
	opI32Or  = 0x72
)

// simdSteps(A, C, TC, Hs, Hprev, Rw, ns, T, H, Rp) runs core/nn Workspace.Forward's
// loop over the time steps: rows laid out step after step, ns[t] (int32)
// rows at step t, a step of 0 rows ending the loop:
//
//	for t := 0; t < T && ns[t] > 0; t++ {      r0: step t's first row
//	    if t > 0 {                              p0: step t−1's
//	        Hprev[r0:r0+nt] = Hs[p0:p0+nt]      (rows of H)
//	        A[r0:r0+nt] += Hprev[r0:r0+nt]·Rw   dot on the rows in fours, stream on the rest,
//	                                            as Kernels.Gemm calls them (dotp and
//	                                            streamp on Rp, Rw packed by pack8, if Rp ≠ 0)
//	    }
//	    cells(A[r0:], t > 0 ? C[p0:] : 0, C[r0:], TC[r0:], Hs[r0:], nt, H)
//	}
//
// The same functions as the separate calls, so the same bits; the browser
// saves two calls through syscall/js per step, which at batch 1 cost about
// as much as the step's arithmetic. H must be a multiple of 4.
func simdSteps(dot, stream, cells, dotp, streamp uint32) *wasmFn {
	f := &wasmFn{params: 10}
	const A, C, TC, Hs, Hprev, Rw, ns, T, H, Rp = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9
	t, nt, r0, p0, m4, G, i, cprev := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	f.get(H)
	f.shl2()
	f.set(G)
	f.i32(0)
	f.set(r0)
	f.forRange(t, func() { f.i32(0) }, T, 1, func() {
		f.loadI32At(ns, t)
		f.set(nt)
		f.get(nt)
		f.op(opI32Eqz)
		f.op(opBrIf, 1) // out of forRange's block
		f.i32(0)
		f.set(cprev)
		f.ifNonZero(t, func() {
			// Hprev rows r0… = Hs rows p0…, nt·H floats, four at a time.
			f.get(nt)
			f.get(H)
			f.op(opI32Mul)
			f.set(m4) // the count, for now
			f.forRange(i, func() { f.i32(0) }, m4, 4, func() {
				f.rowAddr(Hprev, r0, H)
				f.get(i)
				f.shl2()
				f.op(opI32Add)
				f.rowAddr(Hs, p0, H)
				f.get(i)
				f.shl2()
				f.op(opI32Add)
				f.v128Load(0)
				f.v128Store(0)
			})
			f.setMasked(m4, nt, -4)
			f.ifNonZero(m4, func() { // dot(a, asi, asp, b, c, m, n, k), or dotp on Rp
				product := func(b, fn uint32) func() {
					return func() {
						f.rowAddr(Hprev, r0, H)
						f.get(H)
						f.i32(1)
						f.get(b)
						f.rowAddr(A, r0, G)
						f.get(m4)
						f.get(G)
						f.get(H)
						f.op(opCall, fn)
					}
				}
				f.get(Rp)
				f.ifElse(product(Rp, dotp), product(Rw, dot))
			})
			// stream(a, b, c, m0, m, n, k) on rows m4 ≤ i < nt (none if
			// equal), or streamp on Rp
			leftover := func(b, fn uint32) func() {
				return func() {
					f.rowAddr(Hprev, r0, H)
					f.get(b)
					f.rowAddr(A, r0, G)
					f.get(m4)
					f.get(nt)
					f.get(G)
					f.get(H)
					f.op(opCall, fn)
				}
			}
			f.get(Rp)
			f.ifElse(leftover(Rp, streamp), leftover(Rw, stream))
			f.rowAddr(C, p0, H)
			f.set(cprev)
		})
		f.rowAddr(A, r0, G)
		f.get(cprev)
		f.rowAddr(C, r0, H)
		f.rowAddr(TC, r0, H)
		f.rowAddr(Hs, r0, H)
		f.get(nt)
		f.get(H)
		f.op(opCall, cells)
		f.get(r0)
		f.set(p0)
		f.get(r0)
		f.get(nt)
		f.op(opI32Add)
		f.set(r0)
	})
	return f
}

// simdQSteps(proj, h, hw, hs, qR, sR, c, tc, ns, T, H, t0) is the int8
// LSTM's recurrence when the input side of every step is already in proj
// (rows laid out step after step, ns[t] (int32) rows at step t, a step of
// 0 rows ending the loop): qstep once per step, in one call from Go. t0 is
// the first step's number in the review (0: no previous state).
//
//	for t, off := 0, 0; t < T && ns[t] > 0; t++ {
//	    qstep(0, 0, 0, 0, h, hw, hs, qR, sR, proj[off:], t0+t > 0 ? c : 0, c, tc, ns[t], 0, H)
//	    off += ns[t]                            (rows of 4H)
//	}
//
// The same function as the separate calls, so the same bits.
func simdQSteps(qstep uint32) *wasmFn {
	f := &wasmFn{params: 12}
	const proj, h, hw, hs, qR, sR, c, tc, ns, T, H, t0 = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
	f.eachStep(proj, ns, T, H, t0, c, func(nt, g, cprev uint32) {
		for range 4 {
			f.i32(0)
		}
		for _, a := range []uint32{h, hw, hs, qR, sR, g, cprev, c, tc, nt} {
			f.get(a)
		}
		f.i32(0)
		f.get(H)
		f.op(opCall, qstep)
	})
	return f
}

// eachStep emits the loop over an int8 recurrence's steps that qsteps and
// qsteps7 share (the step's rows in nt, its first row's gates at g):
//
//	for t, g := 0, proj; t < T && ns[t] > 0; t++ {
//	    body(nt = ns[t], g, cprev = t0+t > 0 ? c : 0)
//	    g += nt rows of 4H
//	}
func (f *wasmFn) eachStep(proj, ns, T, H, t0, c uint32, body func(nt, g, cprev uint32)) {
	t, nt, g, cprev := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	f.get(proj)
	f.set(g)
	f.forRange(t, func() { f.i32(0) }, T, 1, func() {
		f.loadI32At(ns, t)
		f.set(nt)
		f.get(nt)
		f.op(opI32Eqz)
		f.op(opBrIf, 1) // out of forRange's block
		f.prevState(t, t0, c, cprev)
		body(nt, g, cprev)
		// g += 4·nt·4H bytes
		f.get(g)
		f.get(nt)
		f.get(H)
		f.op(opI32Mul)
		f.i32(4)
		f.op(opI32Shl) // ·16: 4 gates of 4 bytes
		f.op(opI32Add)
		f.set(g)
	})
}

// simdQStepsRows(tab, miss, idx, g, h, hw, hs, qR, sR, c, tc, T, H, t0) is
// qsteps for a review read alone (batch 1) whose steps' input sides are
// rows of two tables rather than laid out in proj: step t's is row idx[t]
// (int32) of tab if idx[t] ≥ 0, else row −1−idx[t] of miss, each row 4H
// floats. g [4H] is the step's scratch. Per step, as qstep with n = 1:
//
//	src = idx[t] ≥ 0 ? tab[idx[t]] : miss[−1−idx[t]]
//	if t0+t > 0 {
//	    quant(h, hw, hs, 1, H)
//	    qdot(hw, qR, g, hs, sR, 1, H/2, H, src)     g = src + h·Recurrent
//	} else {
//	    g = src
//	}
//	qcells(g, t0+t > 0 ? c : 0, c, tc, h, 1, H)
//
// qsteps on the rows copied into proj does the same float32 operations, so
// the same bits, and the copy (2 KB a step at H = 128) is gone.
func simdQStepsRows(qdot, quant, cells uint32) *wasmFn {
	f := &wasmFn{params: 14}
	const tab, miss, idx, g, h, hw, hs, qR, sR, c, tc, T, H, t0 = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13
	t, i, src, cprev, row, k := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	f.get(H)
	f.i32(4)
	f.op(opI32Shl)
	f.set(row) // bytes a row: 4H floats
	f.forRange(t, func() { f.i32(0) }, T, 1, func() {
		f.loadI32At(idx, t)
		f.set(i)
		f.get(i)
		f.i32(0)
		f.op(opI32GeS)
		f.ifElse(func() {
			f.get(i)
			f.get(row)
			f.op(opI32Mul)
			f.get(tab)
			f.op(opI32Add)
			f.set(src)
		}, func() {
			f.i32(-1)
			f.get(i)
			f.op(opI32Sub)
			f.get(row)
			f.op(opI32Mul)
			f.get(miss)
			f.op(opI32Add)
			f.set(src)
		})
		f.prevState(t, t0, c, cprev)
		f.get(cprev) // not the first step (c, a Go slice, is never at 0)
		f.ifElse(func() {
			for _, a := range []uint32{h, hw, hs} {
				f.get(a)
			}
			f.i32(1)
			f.get(H)
			f.op(opCall, quant)
			for _, a := range []uint32{hw, qR, g, hs, sR} {
				f.get(a)
			}
			f.i32(1)
			f.get(H)
			f.i32(1)
			f.op(opI32ShrS)
			f.get(H)
			f.get(src)
			f.op(opCall, qdot)
		}, func() {
			f.forRange(k, func() { f.i32(0) }, row, 16, func() { // g = src
				f.get(g)
				f.get(k)
				f.op(opI32Add)
				f.get(src)
				f.get(k)
				f.op(opI32Add)
				f.v128Load(0)
				f.v128Store(0)
			})
		})
		for _, a := range []uint32{g, cprev, c, tc, h} {
			f.get(a)
		}
		f.i32(1)
		f.get(H)
		f.op(opCall, cells)
	})
	return f
}

// prevState emits cprev = t0+t > 0 ? c : 0: the cell state a step starts
// from, none at a review's first step.
func (f *wasmFn) prevState(t, t0, c, cprev uint32) {
	f.i32(0)
	f.set(cprev)
	f.get(t)
	f.get(t0)
	f.op(opI32Or)
	f.code = append(f.code, opIf, 0x40)
	f.get(c)
	f.set(cprev)
	f.code = append(f.code, opEnd)
}
