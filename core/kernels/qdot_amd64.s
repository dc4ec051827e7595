#include "textflag.h"

// FOUR_ROWS points R15 at x row r (R14), R9 at the row stride in bytes
// and R10 at three of them (rows r+1.. are k2 words apart), and CX at the
// end of row r.
#define FOUR_ROWS \
	MOVQ R14, AX \
	IMULQ R11, AX \
	LEAQ (SI)(AX*4), R15 \
	MOVQ R11, R9 \
	SHLQ $2, R9 \
	LEAQ (R9)(R9*2), R10 \
	LEAQ (R15)(R9*1), CX

// OUT_AT sets AX to the byte offset of out[r, 4c] (r in R14, c in R13).
#define OUT_AT \
	MOVQ R14, AX \
	IMULQ R12, AX \
	ADDQ R13, AX \
	SHLQ $4, AX

// OUT16(lo, hi) adds row r's 16 columns, out[r, 4c..4c+15] at byte
// offset AX of DX: (xs[r]·scale) · float32(acc), with xs[r] in Y3 and
// scale in Y6 / Y11; it clobbers Y3 and Y4 and adds CX to AX (the out
// row stride in the four-row loop).
#define OUT16(lo, hi) \
	VCVTDQ2PS lo, lo \
	VCVTDQ2PS hi, hi \
	VMULPS Y11, Y3, Y4 \
	VMULPS Y6, Y3, Y3 \
	VMULPS lo, Y3, Y3 \
	VMULPS hi, Y4, Y4 \
	VADDPS (DX)(AX*1), Y3, Y3 \
	VADDPS 32(DX)(AX*1), Y4, Y4 \
	VMOVUPS Y3, (DX)(AX*1) \
	VMOVUPS Y4, 32(DX)(AX*1) \
	ADDQ CX, AX

// func qdotAVX2(x, q *int32, out, xs, scale *float32, n, k2, n4 int)
//
// for c < n4 (a group of 4 columns), for r < n:
//   acc = Σ_k VPMADDWD(broadcast x[r,k] pair, q[c,k] pairs)   (int32, exact)
//   out[r, 4c..4c+3] += (xs[r]·scale[4c..]) · float32(acc)
// Columns go 16 at a time (c4loop), then 4 (tail); rows four at a time
// (four independent sums share each load of q), then one at a time.
TEXT ·qdotAVX2(SB), NOSPLIT, $0-64
	MOVQ x+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ out+16(FP), DX
	MOVQ xs+24(FP), R8
	MOVQ k2+48(FP), R11
	MOVQ n4+56(FP), R12
	XORQ R13, R13              // c

// Four groups (16 columns) a pass in 256-bit registers while four are
// left: groups c and c+2 in the low halves of two registers, c+1 and c+3
// in the high halves, so the same integers and the same float32
// operations per column as the 128-bit loop below (the same bits), with
// half its VPMADDWDs and a quarter of its broadcasts of x: Zen 3, for
// one, issues two 256-bit VPMADDWDs a cycle (BENCHMARKS.md, session 20).
c4loop:
	LEAQ 4(R13), AX
	CMPQ AX, R12
	JGT  tail
	MOVQ R13, AX
	IMULQ R11, AX
	SHLQ $4, AX
	LEAQ (DI)(AX*1), BX        // q pairs of group c; c+1's are R8 further
	MOVQ R11, R8
	SHLQ $4, R8                // R8 = one group's bytes (xs is reloaded below)
	MOVQ R13, AX
	SHLQ $4, AX
	MOVQ scale+32(FP), R9
	VMOVUPS (R9)(AX*1), Y6     // scale[4c..4c+7]
	VMOVUPS 32(R9)(AX*1), Y11  // scale[4c+8..4c+15]
	XORQ R14, R14              // r

y4loop:
	LEAQ 4(R14), AX
	CMPQ AX, n+40(FP)
	JGT  y1loop
	FOUR_ROWS
	VPXOR Y0, Y0, Y0
	VPXOR Y7, Y7, Y7
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	VPXOR Y12, Y12, Y12
	VPXOR Y13, Y13, Y13
	VPXOR Y14, Y14, Y14
	VPXOR Y15, Y15, Y15
	MOVQ BX, AX
	LEAQ (BX)(R8*2), DI        // groups c+2, c+3

yk4loop:
	CMPQ R15, CX
	JGE  yk4done
	VMOVDQU (AX), X5
	VINSERTI128 $1, (AX)(R8*1), Y5, Y5
	VMOVDQU (DI), X10
	VINSERTI128 $1, (DI)(R8*1), Y10, Y10
	VPBROADCASTD (R15), Y1
	VPMADDWD Y5, Y1, Y2
	VPADDD Y2, Y0, Y0
	VPMADDWD Y10, Y1, Y2
	VPADDD Y2, Y12, Y12
	VPBROADCASTD (R15)(R9*1), Y1
	VPMADDWD Y5, Y1, Y2
	VPADDD Y2, Y7, Y7
	VPMADDWD Y10, Y1, Y2
	VPADDD Y2, Y13, Y13
	VPBROADCASTD (R15)(R9*2), Y1
	VPMADDWD Y5, Y1, Y2
	VPADDD Y2, Y8, Y8
	VPMADDWD Y10, Y1, Y2
	VPADDD Y2, Y14, Y14
	VPBROADCASTD (R15)(R10*1), Y1
	VPMADDWD Y5, Y1, Y2
	VPADDD Y2, Y9, Y9
	VPMADDWD Y10, Y1, Y2
	VPADDD Y2, Y15, Y15
	ADDQ $16, AX
	ADDQ $16, DI
	ADDQ $4, R15
	JMP  yk4loop

yk4done:
	OUT_AT
	MOVQ R12, CX
	SHLQ $4, CX                // out row stride in bytes
	MOVQ xs+24(FP), R15
	VBROADCASTSS (R15)(R14*4), Y3
	OUT16(Y0, Y12)
	VBROADCASTSS 4(R15)(R14*4), Y3
	OUT16(Y7, Y13)
	VBROADCASTSS 8(R15)(R14*4), Y3
	OUT16(Y8, Y14)
	VBROADCASTSS 12(R15)(R14*4), Y3
	OUT16(Y9, Y15)
	MOVQ q+8(FP), DI
	ADDQ $4, R14
	JMP  y4loop

y1loop:
	CMPQ R14, n+40(FP)
	JGE  c4next
	MOVQ R14, AX
	IMULQ R11, AX
	LEAQ (SI)(AX*4), CX        // x row r
	VPXOR Y0, Y0, Y0
	VPXOR Y12, Y12, Y12
	MOVQ BX, AX
	LEAQ (BX)(R8*2), DI        // groups c+2, c+3
	XORQ R15, R15              // k

yk1loop:
	CMPQ R15, R11
	JGE  yk1done
	VPBROADCASTD (CX)(R15*4), Y1
	VMOVDQU (AX), X5
	VINSERTI128 $1, (AX)(R8*1), Y5, Y5
	VMOVDQU (DI), X10
	VINSERTI128 $1, (DI)(R8*1), Y10, Y10
	VPMADDWD Y5, Y1, Y2
	VPADDD Y2, Y0, Y0
	VPMADDWD Y10, Y1, Y2
	VPADDD Y2, Y12, Y12
	ADDQ $16, AX
	ADDQ $16, DI
	INCQ R15
	JMP  yk1loop

yk1done:
	MOVQ xs+24(FP), R9
	VBROADCASTSS (R9)(R14*4), Y3
	OUT_AT
	OUT16(Y0, Y12)
	MOVQ q+8(FP), DI
	INCQ R14
	JMP  y1loop

c4next:
	ADDQ $4, R13
	JMP  c4loop

// The last groups (N4 not a multiple of 4), in 128-bit registers.
tail:
	MOVQ xs+24(FP), R8

cloop:
	CMPQ R13, R12
	JGE  done
	MOVQ R13, AX
	IMULQ R11, AX
	SHLQ $4, AX
	LEAQ (DI)(AX*1), BX        // q pairs of column group c
	MOVQ R13, AX
	SHLQ $4, AX
	MOVQ scale+32(FP), R9
	VMOVUPS (R9)(AX*1), X6     // scale[4c..4c+3]
	XORQ R14, R14              // r

r4loop:
	LEAQ 4(R14), AX
	CMPQ AX, n+40(FP)
	JGT  r1loop
	FOUR_ROWS
	VPXOR X0, X0, X0
	VPXOR X7, X7, X7
	VPXOR X8, X8, X8
	VPXOR X9, X9, X9
	MOVQ BX, AX

k4loop:
	CMPQ R15, CX
	JGE  k4done
	VMOVDQU (AX), X5
	VPBROADCASTD (R15), X1
	VPMADDWD X5, X1, X2
	VPADDD X2, X0, X0
	VPBROADCASTD (R15)(R9*1), X1
	VPMADDWD X5, X1, X2
	VPADDD X2, X7, X7
	VPBROADCASTD (R15)(R9*2), X1
	VPMADDWD X5, X1, X2
	VPADDD X2, X8, X8
	VPBROADCASTD (R15)(R10*1), X1
	VPMADDWD X5, X1, X2
	VPADDD X2, X9, X9
	ADDQ $16, AX
	ADDQ $4, R15
	JMP  k4loop

k4done:
	OUT_AT
	MOVQ R12, CX
	SHLQ $4, CX                // out row stride in bytes
	VCVTDQ2PS X0, X0
	VBROADCASTSS (R8)(R14*4), X3
	VMULPS X6, X3, X3
	VMULPS X0, X3, X3
	VADDPS (DX)(AX*1), X3, X3
	VMOVUPS X3, (DX)(AX*1)
	ADDQ CX, AX
	VCVTDQ2PS X7, X7
	VBROADCASTSS 4(R8)(R14*4), X3
	VMULPS X6, X3, X3
	VMULPS X7, X3, X3
	VADDPS (DX)(AX*1), X3, X3
	VMOVUPS X3, (DX)(AX*1)
	ADDQ CX, AX
	VCVTDQ2PS X8, X8
	VBROADCASTSS 8(R8)(R14*4), X3
	VMULPS X6, X3, X3
	VMULPS X8, X3, X3
	VADDPS (DX)(AX*1), X3, X3
	VMOVUPS X3, (DX)(AX*1)
	ADDQ CX, AX
	VCVTDQ2PS X9, X9
	VBROADCASTSS 12(R8)(R14*4), X3
	VMULPS X6, X3, X3
	VMULPS X9, X3, X3
	VADDPS (DX)(AX*1), X3, X3
	VMOVUPS X3, (DX)(AX*1)
	ADDQ $4, R14
	JMP  r4loop

r1loop:
	CMPQ R14, n+40(FP)
	JGE  cnext
	MOVQ R14, AX
	IMULQ R11, AX
	LEAQ (SI)(AX*4), CX        // x row r
	VPXOR X0, X0, X0
	MOVQ BX, AX
	XORQ R15, R15              // k

k1loop:
	CMPQ R15, R11
	JGE  k1done
	VPBROADCASTD (CX)(R15*4), X1
	VPMADDWD (AX), X1, X2
	VPADDD X2, X0, X0
	ADDQ $16, AX
	INCQ R15
	JMP  k1loop

k1done:
	VCVTDQ2PS X0, X0
	VBROADCASTSS (R8)(R14*4), X3
	VMULPS X6, X3, X3          // xs[r]·scale
	VMULPS X0, X3, X3          // · float32(acc)
	OUT_AT
	VADDPS (DX)(AX*1), X3, X3
	VMOVUPS X3, (DX)(AX*1)
	INCQ R14
	JMP  r1loop

cnext:
	INCQ R13
	JMP  cloop

done:
	VZEROUPPER
	RET
