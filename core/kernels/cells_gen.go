//go:build ignore

// cells_gen writes cells_amd64.s: the LSTM gate math (lstmCells and
// lstmCellsBackward) in AVX-512 (16 lanes) and AVX2+FMA (8 lanes), and the
// int8 runtime's (lstmCellsQ, cells_q.go) in both without FMA. One
// description of exp, sigmoid and tanh serves both widths; they differ only in
// register names, where the constants live (registers Z16-Z31 with AVX-512,
// 32-byte memory rows with AVX2's 16 registers), the compare/blend idiom and
// how 2^n is applied (VSCALEFPS, or building the float bits of 2^n).
//
//	go run cells_gen.go   (from core/kernels)
package main

import (
	"fmt"
	"math"
	"os"
	"strings"
)

var (
	out     strings.Builder
	capture *[]string // while non-nil, w appends here (see interleave)
)

func w(format string, args ...any) {
	if capture != nil {
		*capture = append(*capture, fmt.Sprintf(format, args...))
		return
	}
	fmt.Fprintf(&out, format+"\n", args...)
}

// interleave emits the instructions of independent computations round-robin.
// Each exp is a chain of ~17 dependent instructions, so one gate alone keeps
// the out-of-order core waiting on latencies; four gates side by side fill
// it (their registers must be disjoint, which the callers ensure).
func interleave(streams ...func()) {
	var lists [][]string
	for _, f := range streams {
		var l []string
		capture = &l
		f()
		capture = nil
		lists = append(lists, l)
	}
	for i := 0; ; i++ {
		done := true
		for _, l := range lists {
			if i < len(l) {
				w("%s", l[i])
				done = false
			}
		}
		if done {
			return
		}
	}
}

type constant struct {
	name string
	bits uint32
}

// The constants of exp32, sigmoid32 and tanh32 (mathx.go), rounded to float32
// exactly as the Go code rounds them. Each is stored as 8 copies (one AVX2
// row, 32 bytes); AVX-512 broadcasts the first.
var consts = []constant{
	{"min", f(-87)},
	{"max", f(88)},
	{"log2e", f(1.44269504088896341)},
	{"ln2hi", f(0.693145751953125)},
	{"ln2lo", f(1.428606820309417e-06)},
	{"c720", f(1.0 / 720)},
	{"c120", f(1.0 / 120)},
	{"c24", f(1.0 / 24)},
	{"c6", f(1.0 / 6)},
	{"half", f(0.5)},
	{"one", f(1)},
	{"abs", 0x7fffffff},
	{"sign", 0x80000000},
	{"small", f(1.0 / 4096)}, // tanh32 returns x below this
	{"minus2", f(-2)},
	{"bias", 127}, // exponent bias, an int32 (AVX2 builds 2^n's bits)
}

// qConsts are tanhR's and sigmoidR's (cells_q.go): its clamp, ½, and the
// numerator's and denominator's coefficients, highest power first.
var qConsts = []constant{
	{"clamp", f32(7.90531110763549805)},
	{"mclamp", f32(-7.90531110763549805)},
	{"half", f(0.5)},
	{"n0", f32(-2.76076847742355e-16)},
	{"n1", f32(2.00018790482477e-13)},
	{"n2", f32(-8.60467152213735e-11)},
	{"n3", f32(5.12229709037114e-08)},
	{"n4", f32(1.48572235717979e-05)},
	{"n5", f32(6.37261928875436e-04)},
	{"n6", f32(4.89352455891786e-03)},
	{"d0", f32(1.19825839466702e-06)},
	{"d1", f32(1.18534705686654e-04)},
	{"d2", f32(2.26843463243900e-03)},
	{"d3", f32(4.89352518554385e-03)},
}

func f(x float64) uint32 { return math.Float32bits(float32(x)) }

// f32 rounds an untyped constant to float32 once, as cells_q.go's
// [n]float32 literals do.
func f32(x float32) uint32 { return math.Float32bits(x) }

// table is the constants of s's gate math, and the symbol holding them.
func (s isa) table() ([]constant, string) {
	if s.q {
		return qConsts, "qcellsConst<>"
	}
	return consts, "cellsConst<>"
}

func (s isa) constIndex(name string) int {
	cs, _ := s.table()
	for i, c := range cs {
		if c.name == name {
			return i
		}
	}
	panic("no constant " + name)
}

// isa describes one vector width.
type isa struct {
	suffix string // function name suffix
	reg    string // "Z" or "Y"
	lanes  int
	avx512 bool
	// q: lstmCellsQ's own bits (the int8 runtime's gate math, which must
	// match the Go loop and the wasm kernel): every operation of
	// cells_q.go in its order, each rounded, no FMA; clamps that leave NaN
	// as the Go comparisons do.
	q bool
}

func (s isa) v(i int) string { return fmt.Sprintf("%s%d", s.reg, i) }

// one is the register holding 1.0 (needed as a register operand: VSUBPS and
// VDIVPS take memory only as their second source).
func (s isa) one() string {
	if s.avx512 {
		return s.c("one")
	}
	return "Y15"
}

// c is a constant operand: Z16+i with AVX-512, a memory row with AVX2.
func (s isa) c(name string) string {
	i := s.constIndex(name)
	if s.avx512 {
		return fmt.Sprintf("Z%d", 16+i)
	}
	if name == "one" {
		return "Y15"
	}
	_, sym := s.table()
	return fmt.Sprintf("%s+%d(SB)", sym, 32*i)
}

func (s isa) loadConsts() {
	cs, sym := s.table()
	if s.avx512 {
		for i := range cs {
			w("\tVBROADCASTSS %s+%d(SB), Z%d", sym, 32*i, 16+i)
		}
		return
	}
	if !s.q {
		w("\tVMOVUPS %s+%d(SB), Y15", sym, 32*s.constIndex("one"))
	}
}

// exp replaces x by e^x (exp32): clamp to [-87, 88], n = round(x·log2e),
// r = x − n·ln2 in two parts, p = degree-6 Taylor polynomial of e^r (Horner,
// fused), then p·2^n. t1, t2 are scratch. Rounding is to nearest even where
// exp32 rounds ties away from zero; both leave |r| ≤ ln2/2.
func (s isa) exp(x, t1, t2 string) {
	w("\tVMAXPS %s, %s, %s", s.c("min"), x, x)
	w("\tVMINPS %s, %s, %s", s.c("max"), x, x)
	w("\tVMULPS %s, %s, %s", s.c("log2e"), x, t1)
	if s.avx512 {
		w("\tVRNDSCALEPS $0, %s, %s", t1, t1)
	} else {
		w("\tVROUNDPS $0, %s, %s", t1, t1)
	}
	w("\tVFNMADD231PS %s, %s, %s", s.c("ln2hi"), t1, x)
	w("\tVFNMADD231PS %s, %s, %s", s.c("ln2lo"), t1, x)
	if s.avx512 {
		w("\tVMOVAPS %s, %s", s.c("c720"), t2)
	} else {
		w("\tVMOVUPS %s, %s", s.c("c720"), t2)
	}
	for _, k := range []string{"c120", "c24", "c6", "half", "one", "one"} {
		w("\tVFMADD213PS %s, %s, %s", s.c(k), x, t2)
	}
	if s.avx512 {
		w("\tVSCALEFPS %s, %s, %s", t1, t2, x) // x = p·2^n
		return
	}
	// 2^n as float bits: (n+127)<<23, normal for n in [-126, 127], which
	// the clamp guarantees; one multiply rounds, as in exp32.
	w("\tVCVTPS2DQ %s, %s", t1, t1)
	w("\tVPADDD %s, %s, %s", s.c("bias"), t1, t1)
	w("\tVPSLLD $23, %s, %s", t1, t1)
	w("\tVMULPS %s, %s, %s", t1, t2, x)
}

// tanhQ replaces x by tanhR(x) (cells_q.go) operation for operation:
// clamp to ±7.9, then x·P(x²) / Q(x²), both by Horner's rule, each product
// and sum rounded. t1 holds x², t2 the numerator.
func (s isa) tanhQ(x, t1, t2 string) {
	mov := "VMOVUPS"
	if s.avx512 {
		mov = "VMOVAPS"
	}
	// if x > clamp { x = clamp }; if x < -clamp { x = -clamp }. MINPS and
	// MAXPS return their second source when either is NaN, so x goes
	// second: a NaN stays NaN as in Go. The constant must be in a register
	// for that.
	hi, lo := s.c("clamp"), s.c("mclamp")
	if !s.avx512 {
		w("\t%s %s, %s", mov, hi, t1)
		hi = t1
	}
	w("\tVMINPS %s, %s, %s // x = clamp < x ? clamp : x", x, hi, x)
	if !s.avx512 {
		w("\t%s %s, %s", mov, lo, t1)
		lo = t1
	}
	w("\tVMAXPS %s, %s, %s // x = -clamp > x ? -clamp : x", x, lo, x)
	w("\tVMULPS %s, %s, %s // x²", x, x, t1)
	w("\t%s %s, %s", mov, s.c("n0"), t2)
	for _, k := range []string{"n1", "n2", "n3", "n4", "n5", "n6"} {
		w("\tVMULPS %s, %s, %s", t1, t2, t2)
		w("\tVADDPS %s, %s, %s", s.c(k), t2, t2)
	}
	w("\tVMULPS %s, %s, %s // the numerator", x, t2, t2)
	w("\t%s %s, %s", mov, s.c("d0"), x)
	for _, k := range []string{"d1", "d2", "d3"} {
		w("\tVMULPS %s, %s, %s", t1, x, x)
		w("\tVADDPS %s, %s, %s", s.c(k), x, x)
	}
	w("\tVDIVPS %s, %s, %s", x, t2, x)
}

// sigmoid replaces x by 1/(1+e^-x), with a true division, or by
// sigmoidR(x) = ½·tanhR(½x) + ½.
func (s isa) sigmoid(x, t1, t2 string) {
	if s.q {
		w("\tVMULPS %s, %s, %s", s.c("half"), x, x)
		s.tanhQ(x, t1, t2)
		w("\tVMULPS %s, %s, %s", s.c("half"), x, x)
		w("\tVADDPS %s, %s, %s", s.c("half"), x, x)
		return
	}
	w("\tVXORPS %s, %s, %s", s.c("sign"), x, x)
	s.exp(x, t1, t2)
	w("\tVADDPS %s, %s, %s", s.one(), x, x)
	w("\tVDIVPS %s, %s, %s", x, s.one(), x)
}

// tanh replaces x by tanh32(x): (1−e)/(1+e) with e = e^(−2|x|) and the sign
// of x, or x itself where |x| < 2^-12 (the formula cancels there). Scratch:
// t[0..3], and t[4] with AVX2, whose small-|x| mask stays in t[0] until the
// blend (AVX-512 keeps it in K1 and reuses t[0]).
func (s isa) tanh(x string, t []string) {
	if s.q {
		s.tanhQ(x, t[0], t[1])
		return
	}
	ax, e, sgn, num := t[0], t[1], t[2], t[3]
	t1 := ax
	if !s.avx512 {
		t1 = t[4]
	}
	w("\tVANDPS %s, %s, %s", s.c("abs"), x, ax)
	w("\tVANDPS %s, %s, %s", s.c("sign"), x, sgn)
	w("\tVMULPS %s, %s, %s", s.c("minus2"), ax, e)
	if s.avx512 {
		w("\tVCMPPS $1, %s, %s, K1", s.c("small"), ax) // K1 = |x| < 2^-12
	} else {
		w("\tVCMPPS $1, %s, %s, %s", s.c("small"), ax, ax) // ax = mask |x| < 2^-12
	}
	s.exp(e, t1, num)
	w("\tVSUBPS %s, %s, %s", e, s.one(), num)
	w("\tVADDPS %s, %s, %s", s.one(), e, e)
	w("\tVDIVPS %s, %s, %s", e, num, num)
	w("\tVORPS %s, %s, %s", sgn, num, num)
	if s.avx512 {
		w("\tVBLENDMPS %s, %s, K1, %s", x, num, x) // x = K1 ? x : num
	} else {
		w("\tVBLENDVPS %s, %s, %s, %s", ax, x, num, x) // x = mask ? x : num
	}
}

// forward emits cellsFwd<suffix>(a, cprev, cOut, tcOut, hOut *float32, n, H int):
// lstmCells for H a multiple of the lane count. Row r's gates are
// a[r*4H + {0,H,2H,3H} + j]; cprev, cOut, tcOut, hOut are [n,H] and, rows
// being contiguous, are walked straight through.
func (s isa) forward() {
	name := "cellsFwd" + s.suffix
	if s.q {
		name = "cellsFwdQ" + s.suffix
	}
	vb := 4 * s.lanes // bytes per vector
	w("// func %s(a, cprev, cOut, tcOut, hOut *float32, n, H int)", name)
	w("TEXT ·%s(SB), NOSPLIT, $0-56", name)
	w("\tMOVQ a+0(FP), DI")
	w("\tMOVQ cprev+8(FP), SI")
	w("\tMOVQ cOut+16(FP), R8")
	w("\tMOVQ tcOut+24(FP), R9")
	w("\tMOVQ hOut+32(FP), R10")
	w("\tMOVQ n+40(FP), CX")
	w("\tMOVQ H+48(FP), DX")
	w("\tMOVQ DX, R11")
	w("\tSHRQ $%d, R11 // vectors per row", log2(s.lanes))
	w("\tSHLQ $2, DX // H in bytes: the gate stride")
	w("\tLEAQ (DX)(DX*2), R12 // 3H bytes")
	s.loadConsts()
	w("%s_row:", name)
	w("\tMOVQ R11, BX")
	w("%s_col:", name)
	// Registers: the gates in 0-3, scratch pairs 5-6, 7-8, 9-10 for the
	// three sigmoids, 11-14 (and 4 with AVX2) for tanh(g); the cell c in 5
	// once the gates are done.
	i, fg, g, o, c := s.v(0), s.v(1), s.v(2), s.v(3), s.v(5)
	gate := func(x, addr string, act func()) func() {
		return func() {
			w("\tVMOVUPS %s, %s", addr, x)
			act()
			w("\tVMOVUPS %s, %s", x, addr)
		}
	}
	interleave(
		gate(i, "(DI)", func() { s.sigmoid(i, s.v(5), s.v(6)) }),
		gate(fg, "(DI)(DX*1)", func() { s.sigmoid(fg, s.v(7), s.v(8)) }),
		gate(g, "(DI)(DX*2)", func() { s.tanh(g, []string{s.v(11), s.v(12), s.v(13), s.v(14), s.v(4)}) }),
		gate(o, "(DI)(R12*1)", func() { s.sigmoid(o, s.v(9), s.v(10)) }),
	)
	t := []string{s.v(6), s.v(7), s.v(8), s.v(9), s.v(10)}
	// c = f·cprev + i·g (fused; lstmCells rounds both products), or i·g
	// at t = 0.
	if s.q {
		// As Go compiles lstmCellsQ: g·i and (g·i) + (f·cprev), first
		// operands first, which decides which NaN a NaN result carries.
		w("\tVMULPS %s, %s, %s", i, g, c)
	} else {
		w("\tVMULPS %s, %s, %s", g, i, c)
	}
	w("\tTESTQ SI, SI")
	w("\tJEQ %s_nocp", name)
	if s.q { // float32(f·cprev) + float32(i·g)
		w("\tVMULPS (SI), %s, %s", fg, t[0])
		w("\tVADDPS %s, %s, %s", t[0], c, c)
	} else {
		w("\tVFMADD231PS (SI), %s, %s", fg, c)
	}
	w("\tADDQ $%d, SI", vb)
	w("%s_nocp:", name)
	w("\tVMOVUPS %s, (R8)", c)
	s.tanh(c, t)
	w("\tVMOVUPS %s, (R9)", c)
	w("\tVMULPS %s, %s, %s", o, c, c)
	w("\tVMOVUPS %s, (R10)", c)
	for _, r := range []string{"DI", "R8", "R9", "R10"} {
		w("\tADDQ $%d, %s", vb, r)
	}
	w("\tDECQ BX")
	w("\tJNZ %s_col", name)
	w("\tADDQ R12, DI // past the row's f, g, o gates")
	w("\tDECQ CX")
	w("\tJNZ %s_row", name)
	w("\tVZEROUPPER")
	w("\tRET")
	w("")
}

// backward emits cellsBwd<suffix>(a, cprev, tc, dh, dc, dz *float32, n, H int):
// lstmCellsBackward for H a multiple of the lane count. No transcendental
// functions here (a holds the activations), only products.
func (s isa) backward() {
	name := "cellsBwd" + s.suffix
	vb := 4 * s.lanes
	w("// func %s(a, cprev, tc, dh, dc, dz *float32, n, H int)", name)
	w("TEXT ·%s(SB), NOSPLIT, $0-64", name)
	w("\tMOVQ a+0(FP), DI")
	w("\tMOVQ cprev+8(FP), SI")
	w("\tMOVQ tc+16(FP), R8")
	w("\tMOVQ dh+24(FP), R9")
	w("\tMOVQ dc+32(FP), R10")
	w("\tMOVQ dz+40(FP), R13")
	w("\tMOVQ n+48(FP), CX")
	w("\tMOVQ H+56(FP), DX")
	w("\tMOVQ DX, R11")
	w("\tSHRQ $%d, R11 // vectors per row", log2(s.lanes))
	w("\tSHLQ $2, DX // H in bytes: the gate stride")
	w("\tLEAQ (DX)(DX*2), R12 // 3H bytes")
	s.loadConsts()
	i, fg, g, o := s.v(0), s.v(1), s.v(2), s.v(3)
	t, dh, dc, x, y, cp := s.v(4), s.v(5), s.v(6), s.v(7), s.v(8), s.v(9)
	one := s.one()
	w("\tVXORPS %s, %s, %s // cprev = 0 when nil", cp, cp, cp)
	w("%s_row:", name)
	w("\tMOVQ R11, BX")
	w("%s_col:", name)
	w("\tVMOVUPS (DI), %s", i)
	w("\tVMOVUPS (DI)(DX*1), %s", fg)
	w("\tVMOVUPS (DI)(DX*2), %s", g)
	w("\tVMOVUPS (DI)(R12*1), %s", o)
	w("\tVMOVUPS (R8), %s", t)
	w("\tVMOVUPS (R9), %s", dh)
	w("\tVMOVUPS (R10), %s", dc)
	// dc += dh·o·(1−t²)
	w("\tVMULPS %s, %s, %s", o, dh, x)
	w("\tVMOVAPS %s, %s", one, y)
	w("\tVFNMADD231PS %s, %s, %s", t, t, y)
	w("\tVFMADD231PS %s, %s, %s", y, x, dc)
	// dz_i = dc·g·i(1−i)
	w("\tVMULPS %s, %s, %s", g, dc, x)
	w("\tVSUBPS %s, %s, %s", i, one, y)
	w("\tVMULPS %s, %s, %s", i, y, y)
	w("\tVMULPS %s, %s, %s", y, x, x)
	w("\tVMOVUPS %s, (R13)", x)
	// dz_f = dc·cprev·f(1−f)
	w("\tTESTQ SI, SI")
	w("\tJEQ %s_nocp", name)
	w("\tVMOVUPS (SI), %s", cp)
	w("\tADDQ $%d, SI", vb)
	w("%s_nocp:", name)
	w("\tVMULPS %s, %s, %s", cp, dc, x)
	w("\tVSUBPS %s, %s, %s", fg, one, y)
	w("\tVMULPS %s, %s, %s", fg, y, y)
	w("\tVMULPS %s, %s, %s", y, x, x)
	w("\tVMOVUPS %s, (R13)(DX*1)", x)
	// dz_g = dc·i·(1−g²)
	w("\tVMULPS %s, %s, %s", i, dc, x)
	w("\tVMOVAPS %s, %s", one, y)
	w("\tVFNMADD231PS %s, %s, %s", g, g, y)
	w("\tVMULPS %s, %s, %s", y, x, x)
	w("\tVMOVUPS %s, (R13)(DX*2)", x)
	// dz_o = dh·t·o(1−o)
	w("\tVMULPS %s, %s, %s", t, dh, x)
	w("\tVSUBPS %s, %s, %s", o, one, y)
	w("\tVMULPS %s, %s, %s", o, y, y)
	w("\tVMULPS %s, %s, %s", y, x, x)
	w("\tVMOVUPS %s, (R13)(R12*1)", x)
	// dc (to the previous step) = dc·f
	w("\tVMULPS %s, %s, %s", fg, dc, dc)
	w("\tVMOVUPS %s, (R10)", dc)
	for _, r := range []string{"DI", "R13", "R8", "R9", "R10"} {
		w("\tADDQ $%d, %s", vb, r)
	}
	w("\tDECQ BX")
	w("\tJNZ %s_col", name)
	w("\tADDQ R12, DI // past the row's f, g, o gates")
	w("\tADDQ R12, R13")
	w("\tDECQ CX")
	w("\tJNZ %s_row", name)
	w("\tVZEROUPPER")
	w("\tRET")
	w("")
}

func log2(n int) int {
	k := 0
	for 1<<k < n {
		k++
	}
	return k
}

func main() {
	w("// Code generated by cells_gen.go; DO NOT EDIT.")
	w("")
	w("#include \"textflag.h\"")
	w("")
	for _, s := range []isa{{}, {q: true}} {
		cs, sym := s.table()
		for i, c := range cs {
			for l := 0; l < 8; l++ {
				w("DATA %s+%d(SB)/4, $0x%08x // %s", sym, 32*i+4*l, c.bits, c.name)
			}
		}
		w("GLOBL %s(SB), RODATA|NOPTR, $%d", sym, 32*len(cs))
		w("")
	}
	for _, s := range []isa{{"AVX512", "Z", 16, true, false}, {"AVX2", "Y", 8, false, false}} {
		s.forward()
		s.backward()
	}
	for _, s := range []isa{{"AVX512", "Z", 16, true, true}, {"AVX2", "Y", 8, false, true}} {
		s.forward()
	}
	if err := os.WriteFile("cells_amd64.s", []byte(out.String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
