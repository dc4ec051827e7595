//go:build ignore

// gemm_gen writes gemm_amd64.s: the register-blocked micro-kernels and the
// 16×16 transpose behind kernels.Fast. The kernels are fully unrolled over the
// register tile, which is tedious and error-prone to write by hand.
//
//	go generate ./core/kernels/   (runs: go run gemm_gen.go)
package main

import (
	"fmt"
	"os"
	"strings"
)

var out strings.Builder

func w(format string, args ...any) { fmt.Fprintf(&out, format+"\n", args...) }

// kernel emits c[mr, nv·lanes] += Σ_p A(i,p)·B(p,:) with nv vectors per row of
// the tile. Register use: B row in V0..V(nv-1), two broadcast registers (so
// consecutive rows' broadcasts overlap), mr·nv accumulators.
func kernel(name string, mr, nv, width int, reg string, nregs int) {
	acc := func(r, v int) string { return fmt.Sprintf("%s%d", reg, nv+2+r*nv+v) }
	if nv+2+mr*nv > nregs {
		panic("tile needs more registers than exist")
	}
	// A rows are addressed from base pointers three rows apart:
	// (base), (base)(R9*1), (base)(R9*2) with R9 = the row stride in bytes.
	bases := []string{"AX", "R10", "R12", "R13"}[:(mr+2)/3]
	w("// func %s(k int, a *float32, rsA, csA int, b *float32, ldb int, c *float32, ldc int)", name)
	w("TEXT ·%s(SB), NOSPLIT, $0-64", name)
	for _, l := range []string{"MOVQ k+0(FP), CX", "MOVQ a+8(FP), AX", "MOVQ rsA+16(FP), R9",
		"MOVQ csA+24(FP), R11", "MOVQ b+32(FP), BX", "MOVQ ldb+40(FP), R8", "MOVQ c+48(FP), DI",
		"MOVQ ldc+56(FP), SI", "SHLQ $2, R9", "SHLQ $2, R11", "SHLQ $2, R8", "SHLQ $2, SI",
		"LEAQ (R9)(R9*2), DX // three rows"} {
		w("\t%s", l)
	}
	for i := 1; i < len(bases); i++ {
		w("\tLEAQ (%s)(DX*1), %s", bases[i-1], bases[i])
	}
	for r := range mr {
		for v := range nv {
			w("\tVXORPS %s, %s, %s", acc(r, v), acc(r, v), acc(r, v))
		}
	}
	// Start fetching the c tile now: for tall products c streams from
	// memory, and the loads at the end would otherwise stall.
	w("\tMOVQ DI, DX")
	for r := range mr {
		for off := 0; off < nv*width; off += 64 {
			w("\tPREFETCHT0 %d(DX)", off)
		}
		if r != mr-1 {
			w("\tADDQ SI, DX")
		}
	}
	w("\tTESTQ CX, CX")
	w("\tJEQ %s_store", name)
	w("%s_loop:", name)
	for v := range nv {
		w("\tVMOVUPS %d(BX), %s%d", v*width, reg, v)
	}
	for r := range mr {
		t := fmt.Sprintf("%s%d", reg, nv+r%2)
		w("\tVBROADCASTSS (%s)%s, %s", bases[r/3], []string{"", "(R9*1)", "(R9*2)"}[r%3], t)
		for v := range nv {
			w("\tVFMADD231PS %s%d, %s, %s", reg, v, t, acc(r, v))
		}
	}
	for _, b := range bases {
		w("\tADDQ R11, %s", b)
	}
	w("\tADDQ R8, BX")
	w("\tDECQ CX")
	w("\tJNZ %s_loop", name)
	w("%s_store:", name)
	for r := range mr {
		for v := range nv {
			w("\tVADDPS %d(DI), %s, %s", v*width, acc(r, v), acc(r, v))
			w("\tVMOVUPS %s, %d(DI)", acc(r, v), v*width)
		}
		if r != mr-1 {
			w("\tADDQ SI, DI")
		}
	}
	w("\tVZEROUPPER")
	w("\tRET")
	w("")
}

// transpose16 emits dst[p*ldd+j] = src[j*lds+p] for j, p < 16: unpack pairs
// of rows, shuffle 4×4 blocks within 128-bit lanes, then transpose the 4×4
// grid of lanes with two rounds of VSHUFF32X4.
func transpose16(name string) {
	z := func(i int) string { return fmt.Sprintf("Z%d", i) }
	w("// func %s(dst *float32, ldd int, src *float32, lds int)", name)
	w("TEXT ·%s(SB), NOSPLIT, $0-32", name)
	for _, l := range []string{"MOVQ dst+0(FP), DI", "MOVQ ldd+8(FP), DX", "MOVQ src+16(FP), SI",
		"MOVQ lds+24(FP), CX", "SHLQ $2, DX", "SHLQ $2, CX"} {
		w("\t%s", l)
	}
	for i := range 16 { // row i in Zi
		w("\tVMOVUPS (SI), Z%d", i)
		if i != 15 {
			w("\tADDQ CX, SI")
		}
	}
	for i := 0; i < 16; i += 2 { // t: Z16+i holds rows i, i+1 interleaved
		w("\tVUNPCKLPS Z%d, Z%d, Z%d", i+1, i, 16+i)
		w("\tVUNPCKHPS Z%d, Z%d, Z%d", i+1, i, 16+i+1)
	}
	// u: Z(4g+c), lane L holds rows 4g..4g+3 of column 4L+c.
	for i := 0; i < 16; i += 4 {
		w("\tVSHUFPS $0x44, Z%d, Z%d, Z%d", 16+i+2, 16+i, i)
		w("\tVSHUFPS $0xEE, Z%d, Z%d, Z%d", 16+i+2, 16+i, i+1)
		w("\tVSHUFPS $0x44, Z%d, Z%d, Z%d", 16+i+3, 16+i+1, i+2)
		w("\tVSHUFPS $0xEE, Z%d, Z%d, Z%d", 16+i+3, 16+i+1, i+3)
	}
	// For each c, transpose the 4×4 lane grid of x_g = u(4g+c), g < 4.
	for c := range 4 {
		x := func(g int) string { return z(4*g + c) }
		v := func(i int) string { return z(16 + 4*c + i) }
		w("\tVSHUFF32X4 $0x44, %s, %s, %s", x(1), x(0), v(0))
		w("\tVSHUFF32X4 $0xEE, %s, %s, %s", x(1), x(0), v(1))
		w("\tVSHUFF32X4 $0x44, %s, %s, %s", x(3), x(2), v(2))
		w("\tVSHUFF32X4 $0xEE, %s, %s, %s", x(3), x(2), v(3))
	}
	for c := range 4 { // column 4L+c lands in Z(4L+c)
		v := func(i int) string { return z(16 + 4*c + i) }
		w("\tVSHUFF32X4 $0x88, %s, %s, %s", v(2), v(0), z(c))
		w("\tVSHUFF32X4 $0xDD, %s, %s, %s", v(2), v(0), z(4+c))
		w("\tVSHUFF32X4 $0x88, %s, %s, %s", v(3), v(1), z(8+c))
		w("\tVSHUFF32X4 $0xDD, %s, %s, %s", v(3), v(1), z(12+c))
	}
	for p := range 16 {
		w("\tVMOVUPS Z%d, (DI)", p)
		if p != 15 {
			w("\tADDQ DX, DI")
		}
	}
	w("\tVZEROUPPER")
	w("\tRET")
}

// transpose8 emits dst[p*ldd+j] = src[j*lds+p] for j, p < 8 with AVX2: the
// same unpack and in-lane shuffle as transpose16, then VPERM2F128 swaps the
// 128-bit halves.
func transpose8(name string) {
	w("// func %s(dst *float32, ldd int, src *float32, lds int)", name)
	w("TEXT ·%s(SB), NOSPLIT, $0-32", name)
	for _, l := range []string{"MOVQ dst+0(FP), DI", "MOVQ ldd+8(FP), DX", "MOVQ src+16(FP), SI",
		"MOVQ lds+24(FP), CX", "SHLQ $2, DX", "SHLQ $2, CX"} {
		w("\t%s", l)
	}
	for i := range 8 {
		w("\tVMOVUPS (SI), Y%d", i)
		if i != 7 {
			w("\tADDQ CX, SI")
		}
	}
	for i := 0; i < 8; i += 2 {
		w("\tVUNPCKLPS Y%d, Y%d, Y%d", i+1, i, 8+i)
		w("\tVUNPCKHPS Y%d, Y%d, Y%d", i+1, i, 8+i+1)
	}
	// Y(4h+c), lane L holds rows 4h..4h+3 of column 4L+c.
	for i := 0; i < 8; i += 4 {
		w("\tVSHUFPS $0x44, Y%d, Y%d, Y%d", 8+i+2, 8+i, i)
		w("\tVSHUFPS $0xEE, Y%d, Y%d, Y%d", 8+i+2, 8+i, i+1)
		w("\tVSHUFPS $0x44, Y%d, Y%d, Y%d", 8+i+3, 8+i+1, i+2)
		w("\tVSHUFPS $0xEE, Y%d, Y%d, Y%d", 8+i+3, 8+i+1, i+3)
	}
	for c := range 4 { // column c in Y(8+c), column 4+c in Y(12+c)
		w("\tVPERM2F128 $0x20, Y%d, Y%d, Y%d", 4+c, c, 8+c)
		w("\tVPERM2F128 $0x31, Y%d, Y%d, Y%d", 4+c, c, 12+c)
	}
	for p := range 8 {
		w("\tVMOVUPS Y%d, (DI)", 8+p)
		if p != 7 {
			w("\tADDQ DX, DI")
		}
	}
	w("\tVZEROUPPER")
	w("\tRET")
	w("")
}

func main() {
	w("// Code generated by gemm_gen.go; DO NOT EDIT.")
	w("")
	w("#include \"textflag.h\"")
	w("")
	kernel("gemmAVX2x6x16", 6, 2, 32, "Y", 16)
	kernel("gemmAVX512x8x32", 8, 2, 64, "Z", 32)
	transpose8("transpose8AVX2")
	transpose16("transpose16AVX512")
	if err := os.WriteFile("gemm_amd64.s", []byte(out.String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gemm_gen:", err)
		os.Exit(1)
	}
}
