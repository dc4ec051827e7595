#include "textflag.h"

// func qdotAVX2(x, q *int32, out, xs, scale *float32, n, k2, n4 int)
//
// for c < n4 (a group of 4 columns), for r < n:
//   acc = Σ_k VPMADDWD(broadcast x[r,k] pair, q[c,k] pairs)   (int32, exact)
//   out[r, 4c..4c+3] += (xs[r]·scale[4c..]) · float32(acc)
// Rows go four at a time (four independent sums share each load of q), then
// one at a time.
TEXT ·qdotAVX2(SB), NOSPLIT, $0-64
	MOVQ x+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ out+16(FP), DX
	MOVQ xs+24(FP), R8
	MOVQ k2+48(FP), R11
	MOVQ n4+56(FP), R12
	XORQ R13, R13              // c

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
	MOVQ R14, AX
	IMULQ R11, AX
	LEAQ (SI)(AX*4), R15       // x row r; rows r+1.. are k2 words apart
	MOVQ R11, R9
	SHLQ $2, R9                // R9 = row stride in bytes
	LEAQ (R9)(R9*2), R10       // R10 = 3 strides
	LEAQ (R15)(R9*1), CX       // CX = end of row r
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
	MOVQ R14, AX
	IMULQ R12, AX
	ADDQ R13, AX
	SHLQ $4, AX                // byte offset of out[r, 4c]
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
	MOVQ R14, AX
	IMULQ R12, AX
	ADDQ R13, AX
	SHLQ $4, AX
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
