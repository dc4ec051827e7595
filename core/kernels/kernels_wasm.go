//go:build js && wasm

package kernels

import (
	"runtime"
	"sync"
	"syscall/js"
	"unsafe"

	"sentilab/core/kernels/simd128"
)

// Default is the fastest kernel of this build: SIMD128 when the host
// gave Go's memory to the SIMD module (worker.js and scripts/go_js_wasm_exec
// do), else the portable blocked loop, which beats gonum's pure-Go blas32 by
// ~3× (BENCHMARKS.md). Both give the same bits.
func Default() Kernels {
	if k, ok := SIMD128(); ok {
		return k
	}
	return Portable
}

var simd struct {
	once                   sync.Once
	ok                     bool
	dot, stream, transpose js.Value
	cells, cellsBackward   js.Value
	qcells                 js.Value // the int8 runtime's gate math
	qdot, quant, qstep     js.Value
	steps, qsteps          js.Value
	dotp, pack8, streamp   js.Value // dot and stream on b packed in panels of 8 columns
	qstepsRows             js.Value
	adam, add, addRows     js.Value
	addRowsAt              js.Value
	qsteps7                js.Value // the relaxed module's; undefined without relaxed SIMD
}

// SIMD128 returns the kernel of core/kernels/simd128, if this host supports it: the
// page's JS must set globalThis.sentilabGoMemory to Go's exported memory
// before starting Go, since a Go program cannot reach its own memory object.
func SIMD128() (Kernels, bool) {
	simd.once.Do(func() {
		mem := js.Global().Get("sentilabGoMemory")
		wa := js.Global().Get("WebAssembly")
		if !mem.Truthy() || !wa.Truthy() {
			return
		}
		code := simd128.Module
		u8 := js.Global().Get("Uint8Array").New(len(code))
		js.CopyBytesToJS(u8, code)
		if !wa.Call("validate", u8).Bool() {
			return // an engine without SIMD: the portable kernel
		}
		env := js.Global().Get("Object").New()
		env.Set("mem", mem)
		imports := js.Global().Get("Object").New()
		imports.Set("env", env)
		inst := wa.Get("Instance").New(wa.Get("Module").New(u8), imports)
		ex := inst.Get("exports")
		simd.dot, simd.stream, simd.transpose = ex.Get("dot"), ex.Get("stream"), ex.Get("transpose")
		simd.cells, simd.cellsBackward, simd.qcells = ex.Get("cells"), ex.Get("cellsBackward"), ex.Get("qcells")
		simd.qdot, simd.quant, simd.qstep = ex.Get("qdot"), ex.Get("quant"), ex.Get("qstep")
		simd.steps, simd.qsteps, simd.qstepsRows = ex.Get("steps"), ex.Get("qsteps"), ex.Get("qstepsRows")
		simd.adam, simd.add, simd.addRows = ex.Get("adam"), ex.Get("add"), ex.Get("addRows")
		simd.addRowsAt = ex.Get("addRowsAt")
		simd.dotp, simd.pack8, simd.streamp = ex.Get("dotp"), ex.Get("pack8"), ex.Get("streamp")
		simd.ok = true
		// Relaxed SIMD, where the engine has it, for the int8 runtime's
		// opt-in Act7 alone (core/compress/act7.go): a separate module,
		// since an engine without it refuses the whole module.
		relaxed := js.Global().Get("Uint8Array").New(len(simd128.RelaxedModule))
		js.CopyBytesToJS(relaxed, simd128.RelaxedModule)
		if wa.Call("validate", relaxed).Bool() {
			rinst := wa.Get("Instance").New(wa.Get("Module").New(relaxed), imports)
			simd.qsteps7 = rinst.Get("exports").Get("qsteps7")
		}
	})
	k := Kernels{Name: "simd128", Gemm: simdGemm, GemmBT: simdGemmBT, Cells: simdCells, CellsBackward: simdCellsBackward,
		Steps: simdSteps, Pack: simdPack, GemmPacked: simdGemmPacked, GemmTNPair: simdGemmTNPair, RowwiseGemm: true, QDot: simdQDot, QuantizePairs: simdQuantizePairs, QStep: simdQStep, QSteps: simdQSteps, QStepsRows: simdQStepsRows, QCells: simdQCells}
	if simd.qsteps7.Truthy() {
		k.QSteps7 = simdQSteps7
	}
	return k, simd.ok
}

// scratchPool holds the transposes' buffers: one per concurrent product
// (train.Fit runs goroutines, and an allocation may switch between them).
var scratchPool = sync.Pool{New: func() any { return new([]float32) }}

func getScratch(n int) *[]float32 {
	t := scratchPool.Get().(*[]float32)
	if cap(*t) < n {
		*t = make([]float32, n)
	}
	*t = (*t)[:n]
	return t
}

func addr(s []float32) int { return int(uintptr(unsafe.Pointer(unsafe.SliceData(s)))) }

// simdGemm has portableGemm's contract and results. The module writes Go's
// memory unchecked, so the bounds are checked here first; Go's garbage
// collector does not move objects, so the addresses hold for the call.
func simdGemm(transA, transB bool, m, n, k int, a, b, c []float32) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	_ = a[m*k-1]
	_ = b[k*n-1]
	_ = c[m*n-1]
	pa, pb, pc := addr(a), addr(b), addr(c)
	switch {
	case !transA && !transB:
		m4 := m &^ 3
		if m4 >= packRows && n%8 == 0 {
			productPacked(pa, pb, pc, m, n, k)
			break
		}
		if m4 > 0 {
			simd.dot.Invoke(pa, k, 1, pb, pc, m4, n, k)
		}
		if m4 < m {
			simd.stream.Invoke(pa, pb, pc, m4, m, n, k)
		}
	case transA && !transB:
		productsTN(pb, n, k, tnOperand{m, pa, pc})
	case !transA && transB:
		// b is [n,k]; the lanes need rows of bᵀ.
		t := getScratch(k * n)
		defer scratchPool.Put(t)
		pt := addr(*t)
		simd.transpose.Invoke(pb, pt, n, k)
		simd.dot.Invoke(pa, k, 1, pt, pc, m, n, k)
	default:
		panic("kernels: Gemm with both operands transposed is not used")
	}
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
	runtime.KeepAlive(c)
}

// tnOperand is one aᵀ·b of productsTN: a [k, m] at pa, c [m, n] at pc.
type tnOperand struct{ m, pa, pc int }

// productsTN is c += aᵀ·b for each operand, all on the same b [k, n] at pb.
func productsTN(pb, n, k int, ops ...tnOperand) {
	// a is [k,m]: read as is, every step of k touches a new cache line
	// for 4 values. Each run of tnBlock rows is transposed first, so that
	// its rows stream, and with the reduction in runs the weight
	// gradients (k = all of a batch's steps) went from 26 to 46 GFLOP/s
	// in Node. Run by run, the operands' transposes take tnBlock·m floats
	// each rather than k·m (2.8 MB each at the fast preset's shape).
	kt := min(tnBlock, k)
	var at [2]int // one or two operands: no allocation per call
	pts := at[:len(ops)]
	for i, o := range ops {
		t := getScratch(kt * o.m)
		defer scratchPool.Put(t)
		pts[i] = addr(*t)
	}
	// Each run of b is read by every four rows of c: packed in panels
	// first when there are packRows rows or more (the weight gradients:
	// +30–50% in Node, BENCHMARKS.md, session 21), once for all the
	// operands.
	packed := n%8 == 0
	for _, o := range ops {
		packed = packed && o.m >= packRows
	}
	pp := 0
	if packed {
		s := getScratch(kt * n)
		defer scratchPool.Put(s)
		pp = addr(*s)
	}
	for p0 := 0; p0 < k; p0 += tnBlock { // as portableGemm splits k
		kb := min(tnBlock, k-p0)
		if packed {
			simd.pack8.Invoke(pb+4*p0*n, pp, kb, n)
		}
		for i, o := range ops {
			simd.transpose.Invoke(o.pa+4*p0*o.m, pts[i], kb, o.m)
			if packed {
				simd.dotp.Invoke(pts[i], kb, 1, pp, o.pc, o.m, n, kb)
			} else {
				simd.dot.Invoke(pts[i], kb, 1, pb+4*p0*n, o.pc, o.m, n, kb)
			}
		}
	}
}

// simdGemmTNPair is GemmTNPair: the two products' runs of b packed once.
func simdGemmTNPair(m1, m2, n, k int, a1, a2, b, c1, c2 []float32) {
	if m1 == 0 || m2 == 0 || n == 0 || k == 0 {
		simdGemm(true, false, m1, n, k, a1, b, c1)
		simdGemm(true, false, m2, n, k, a2, b, c2)
		return
	}
	_, _, _ = a1[m1*k-1], b[k*n-1], c1[m1*n-1]
	_, _ = a2[m2*k-1], c2[m2*n-1]
	productsTN(addr(b), n, k, tnOperand{m1, addr(a1), addr(c1)}, tnOperand{m2, addr(a2), addr(c2)})
	runtime.KeepAlive(a1)
	runtime.KeepAlive(a2)
	runtime.KeepAlive(b)
	runtime.KeepAlive(c1)
	runtime.KeepAlive(c2)
}

// simdGemmBT is simdGemm(false, true, ...) with b given transposed.
func simdGemmBT(m, n, k int, a, bT, c []float32) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	_, _, _ = a[m*k-1], bT[k*n-1], c[m*n-1]
	simd.dot.Invoke(addr(a), k, 1, addr(bT), addr(c), m, n, k)
	runtime.KeepAlive(a)
	runtime.KeepAlive(bT)
	runtime.KeepAlive(c)
}

// packRows is the fewest rows for which a product packs b first: packing
// costs a pass over b, which dotp repays on each row (BENCHMARKS.md,
// session 20).
const packRows = 16

// productPacked is dot on rows 0 ≤ i < m4 and stream on the rest, with b
// packed into a scratch first for dotp and streamp: the same bits. n is a
// multiple of 8.
func productPacked(pa, pb, pc, m, n, k int) {
	t := getScratch(k * n)
	defer scratchPool.Put(t)
	pp := addr(*t)
	simd.pack8.Invoke(pb, pp, k, n)
	onPanels(pa, pp, pc, m, n, k)
}

// onPanels is c += a·b with b at pp in pack8's panels: dotp on the rows in
// fours, streamp on the last m%4 (dot's and stream's bits).
func onPanels(pa, pp, pc, m, n, k int) {
	if m4 := m &^ 3; m4 > 0 {
		simd.dotp.Invoke(pa, k, 1, pp, pc, m4, n, k)
	}
	if m&3 != 0 {
		simd.streamp.Invoke(pa, pp, pc, m&^3, m, n, k)
	}
}

// addrOrNil is addr, or 0 (the module's "no previous state") for nil.
func addrOrNil(s []float32) int {
	if s == nil {
		return 0
	}
	return addr(s)
}

// simdCells has lstmCells' contract and results (four units per lane group,
// so H must be a multiple of 4; other sizes take the Go loop).
func simdCells(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	cellsIn(simd.cells, lstmCells, a, cprev, cOut, tcOut, hOut, n, H)
}

// simdQCells is QCells: lstmCellsQ's contract and results.
func simdQCells(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	cellsIn(simd.qcells, lstmCellsQ, a, cprev, cOut, tcOut, hOut, n, H)
}

// cellsIn runs the module's gate math fn, or goLoop where H is not a
// multiple of 4.
func cellsIn(fn js.Value, goLoop func(a, cprev, cOut, tcOut, hOut []float32, n, H int), a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	if H%4 != 0 || n == 0 {
		goLoop(a, cprev, cOut, tcOut, hOut, n, H)
		return
	}
	_ = a[n*4*H-1]
	_, _, _ = cOut[n*H-1], tcOut[n*H-1], hOut[n*H-1]
	if cprev != nil {
		_ = cprev[n*H-1]
	}
	fn.Invoke(addr(a), addrOrNil(cprev), addr(cOut), addr(tcOut), addr(hOut), n, H)
	runtime.KeepAlive(a)
	runtime.KeepAlive(cprev)
	runtime.KeepAlive(cOut)
	runtime.KeepAlive(tcOut)
	runtime.KeepAlive(hOut)
}

// simdCellsBackward has lstmCellsBackward's contract and results.
func simdCellsBackward(a, cprev, tc, dh, dc, dz []float32, n, H int) {
	if H%4 != 0 || n == 0 {
		lstmCellsBackward(a, cprev, tc, dh, dc, dz, n, H)
		return
	}
	_, _ = a[n*4*H-1], dz[n*4*H-1]
	_, _, _ = tc[n*H-1], dh[n*H-1], dc[n*H-1]
	if cprev != nil {
		_ = cprev[n*H-1]
	}
	simd.cellsBackward.Invoke(addr(a), addrOrNil(cprev), addr(tc), addr(dh), addr(dc), addr(dz), n, H)
	runtime.KeepAlive(a)
	runtime.KeepAlive(cprev)
	runtime.KeepAlive(tc)
	runtime.KeepAlive(dh)
	runtime.KeepAlive(dc)
	runtime.KeepAlive(dz)
}

// simdSteps is Steps (kernels.go) in the module (simd128_steps.go).
func simdSteps(A, C, TC, Hs, Hprev, recurrent, packed []float32, ns []int32, T, H int) {
	if H%4 != 0 {
		panic("kernels: Steps needs H a multiple of 4")
	}
	R := 0
	for _, n := range ns[:T] {
		if n == 0 {
			break
		}
		R += int(n)
	}
	if R == 0 || H == 0 {
		return
	}
	_, _, _ = A[R*4*H-1], recurrent[H*4*H-1], ns[T-1]
	_, _, _, _ = C[R*H-1], TC[R*H-1], Hs[R*H-1], Hprev[R*H-1]
	// The recurrent weights packed in panels (given, or packed here once
	// for all the steps when they have packRows rows or more: at batch 1 a
	// review of 16 tokens or more): dotp and streamp read them
	// contiguously, with the same bits as dot and stream.
	pp := 0
	switch {
	case packed != nil:
		_ = packed[H*4*H-1]
		pp = addr(packed)
	case R >= packRows:
		t := getScratch(H * 4 * H)
		defer scratchPool.Put(t)
		pp = addr(*t)
		simd.pack8.Invoke(addr(recurrent), pp, H, 4*H)
	}
	simd.steps.Invoke(addr(A), addr(C), addr(TC), addr(Hs), addr(Hprev), addr(recurrent), addr32(ns), T, H, pp)
	runtime.KeepAlive(A)
	runtime.KeepAlive(C)
	runtime.KeepAlive(TC)
	runtime.KeepAlive(Hs)
	runtime.KeepAlive(Hprev)
	runtime.KeepAlive(recurrent)
	runtime.KeepAlive(packed)
	runtime.KeepAlive(ns)
}

// simdPack is Pack: b [k, n] in pack8's panels.
func simdPack(b []float32, k, n int) []float32 {
	if n%8 != 0 {
		panic("kernels: Pack needs n a multiple of 8")
	}
	_ = b[k*n-1]
	p := make([]float32, k*n)
	simd.pack8.Invoke(addr(b), addr(p), k, n)
	runtime.KeepAlive(b)
	return p
}

// simdGemmPacked is GemmPacked: productPacked with b packed already.
func simdGemmPacked(m, n, k int, a, bp, c []float32) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if n%8 != 0 {
		panic("kernels: GemmPacked needs n a multiple of 8")
	}
	_, _, _ = a[m*k-1], bp[k*n-1], c[m*n-1]
	onPanels(addr(a), addr(bp), addr(c), m, n, k)
	runtime.KeepAlive(a)
	runtime.KeepAlive(bp)
	runtime.KeepAlive(c)
}

// simdQDot is QDot (int8.go) in the module (i32x4.dot_i16x8_s).
func simdQDot(x, q []int32, xs, scale, out []float32, n, K2, N4 int) {
	if n == 0 || K2 == 0 || N4 == 0 {
		return
	}
	_, _, _ = x[n*K2-1], q[N4*K2*4-1], out[n*N4*4-1]
	_, _ = xs[n-1], scale[N4*4-1]
	simd.qdot.Invoke(addr32(x), addr32(q), addr(out), addr(xs), addr(scale), n, K2, N4, addr(out))
	runtime.KeepAlive(x)
	runtime.KeepAlive(q)
	runtime.KeepAlive(xs)
	runtime.KeepAlive(scale)
	runtime.KeepAlive(out)
}

func addr32(s []int32) int { return int(uintptr(unsafe.Pointer(unsafe.SliceData(s)))) }

// simdQuantizePairs is QuantizePairs (int8.go) in the module
// (core/kernels/simd128/simd128_quant.go): quantizeActs' values.
func simdQuantizePairs(a []float32, n, K int, words []int32, s []float32) {
	if K%8 != 0 {
		panic("kernels: QuantizePairs needs K a multiple of 8")
	}
	if n == 0 || K == 0 {
		return
	}
	_, _, _ = a[n*K-1], words[n*K/2-1], s[n-1]
	simd.quant.Invoke(addr(a), addr32(words), addr(s), n, K)
	runtime.KeepAlive(a)
	runtime.KeepAlive(words)
	runtime.KeepAlive(s)
}

// simdQStep is QStep (int8.go): one time step in a single call into the
// module, which batch 1 needs, since a call through syscall/js costs about
// as much as a step's arithmetic.
func simdQStep(xw []int32, xs []float32, qK []int32, sK []float32, h []float32, hw []int32, hs []float32,
	qR []int32, sR []float32, g, cprev, c, tc []float32, n, K2, H int) {
	if H%8 != 0 || K2 < 0 {
		panic("kernels: QStep needs H a multiple of 8")
	}
	if n == 0 || H == 0 {
		return
	}
	G := 4 * H
	if K2 > 0 {
		_, _, _, _ = xw[n*K2-1], xs[n-1], qK[H*K2*4-1], sK[G-1]
	}
	_, _, _, _, _ = h[n*H-1], hw[n*H/2-1], hs[n-1], qR[H*(H/2)*4-1], sR[G-1]
	_, _, _ = g[n*G-1], c[n*H-1], tc[n*H-1]
	if cprev != nil {
		_ = cprev[n*H-1]
	}
	simd.qstep.Invoke(addr32OrNil(xw), addrOrNil(xs), addr32OrNil(qK), addrOrNil(sK), addr(h), addr32(hw), addr(hs),
		addr32(qR), addr(sR), addr(g), addrOrNil(cprev), addr(c), addr(tc), n, K2, H)
	runtime.KeepAlive(xw)
	runtime.KeepAlive(xs)
	runtime.KeepAlive(qK)
	runtime.KeepAlive(sK)
	runtime.KeepAlive(h)
	runtime.KeepAlive(hw)
	runtime.KeepAlive(hs)
	runtime.KeepAlive(qR)
	runtime.KeepAlive(sR)
	runtime.KeepAlive(g)
	runtime.KeepAlive(cprev)
	runtime.KeepAlive(c)
	runtime.KeepAlive(tc)
}

// simdQSteps is QSteps (int8.go): the recurrence of a review read alone
// in one call instead of one per step.
func simdQSteps(proj, h []float32, hw []int32, hs []float32, qR []int32, sR []float32, c, tc []float32, ns []int32, T, H, t0 int) {
	if H%8 != 0 {
		panic("kernels: QSteps needs H a multiple of 8")
	}
	R, B := 0, 0
	for _, n := range ns[:T] {
		if n == 0 {
			break
		}
		R += int(n)
		B = max(B, int(n))
	}
	if R == 0 || H == 0 {
		return
	}
	G := 4 * H
	_, _, _, _ = proj[R*G-1], h[B*H-1], hw[B*H/2-1], hs[B-1]
	_, _, _, _, _ = qR[H*(H/2)*4-1], sR[G-1], c[B*H-1], tc[B*H-1], ns[T-1]
	simd.qsteps.Invoke(addr(proj), addr(h), addr32(hw), addr(hs), addr32(qR), addr(sR), addr(c), addr(tc), addr32(ns), T, H, t0)
	runtime.KeepAlive(proj)
	runtime.KeepAlive(h)
	runtime.KeepAlive(hw)
	runtime.KeepAlive(hs)
	runtime.KeepAlive(qR)
	runtime.KeepAlive(sR)
	runtime.KeepAlive(c)
	runtime.KeepAlive(tc)
	runtime.KeepAlive(ns)
}

// simdQStepsRows is QStepsRows (int8.go): a review read alone, each
// step's input side read from its row of tab or miss. Every row index is
// checked here, since the module reads them unchecked.
func simdQStepsRows(tab, miss []float32, idx []int32, g, h []float32, hw []int32, hs []float32, qR []int32, sR []float32, c, tc []float32, T, H, t0 int) {
	if H%8 != 0 {
		panic("kernels: QStepsRows needs H a multiple of 8")
	}
	if T == 0 || H == 0 {
		return
	}
	G := 4 * H
	nTab, nMiss := int32(len(tab)/G), int32(len(miss)/G)
	for _, i := range idx[:T] {
		if i >= nTab || i < -nMiss {
			panic("kernels: QStepsRows: a row index out of range")
		}
	}
	_, _, _, _ = g[G-1], h[H-1], hw[H/2-1], hs[0]
	_, _, _, _ = qR[H*(H/2)*4-1], sR[G-1], c[H-1], tc[H-1]
	simd.qstepsRows.Invoke(addr(tab), addr(miss), addr32(idx), addr(g), addr(h), addr32(hw), addr(hs), addr32(qR), addr(sR), addr(c), addr(tc), T, H, t0)
	runtime.KeepAlive(tab)
	runtime.KeepAlive(miss)
	runtime.KeepAlive(idx)
	runtime.KeepAlive(g)
	runtime.KeepAlive(h)
	runtime.KeepAlive(hw)
	runtime.KeepAlive(hs)
	runtime.KeepAlive(qR)
	runtime.KeepAlive(sR)
	runtime.KeepAlive(c)
	runtime.KeepAlive(tc)
}

// addr32OrNil is addr32, or 0 for an empty slice.
func addr32OrNil(s []int32) int {
	if len(s) == 0 {
		return 0
	}
	return addr32(s)
}

// simdQSteps7 is QSteps7 (int8.go) in the relaxed module
// (simd128_relaxed.go).
func simdQSteps7(proj, h []float32, hb []int8, hs []float32, q7, corr []int32, sR []float32, c, tc []float32, ns []int32, T, H, t0 int) {
	if H%16 != 0 {
		panic("kernels: QSteps7 needs H a multiple of 16")
	}
	R, n0 := 0, 0
	for _, n := range ns[:T] {
		if n == 0 {
			break
		}
		R += int(n)
		n0 = max(n0, int(n))
	}
	if R == 0 || H == 0 {
		return
	}
	G := 4 * H
	_, _, _ = proj[R*G-1], q7[H/4*G/16*16-1], corr[G-1]
	_, _, _, _ = sR[G-1], h[n0*H-1], hb[n0*H-1], hs[n0-1]
	_, _ = c[n0*H-1], tc[n0*H-1]
	simd.qsteps7.Invoke(addr(proj), addr(h), addr8(hb), addr(hs), addr32(q7), addr32(corr), addr(sR), addr(c), addr(tc), addr32(ns), T, H, t0)
	runtime.KeepAlive(proj)
	runtime.KeepAlive(h)
	runtime.KeepAlive(hb)
	runtime.KeepAlive(hs)
	runtime.KeepAlive(q7)
	runtime.KeepAlive(corr)
	runtime.KeepAlive(sR)
	runtime.KeepAlive(c)
	runtime.KeepAlive(tc)
	runtime.KeepAlive(ns)
}

func addr8(s []int8) int { return int(uintptr(unsafe.Pointer(unsafe.SliceData(s)))) }
