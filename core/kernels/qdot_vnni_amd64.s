#include "textflag.h"

// func qdotVNNI(x *int8, q, corr *int32, out, xs, scale *float32, n, k4, n16 int)
//
// for c < n16 (a group of 16 columns), for r < n:
//   acc = corr[r] + Σ_k VPDPBUSD(q[c,k] (4 unsigned bytes per lane), x[r,k] (4 signed bytes, broadcast))
//   out[r, 16c..16c+15] += (xs[r]·scale[16c..]) · float32(acc)
// The weights are stored +128 (unsigned) and corr[r] = −128·Σ_k x[r,k], so
// acc is Σ_k x·q exactly: VPDPBUSD wraps, and the true sum fits in int32.
// Rows go four at a time (four sums share each load of q), then one.
TEXT ·qdotVNNI(SB), NOSPLIT, $0-72
	MOVQ x+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ corr+16(FP), R8
	MOVQ out+24(FP), DX
	MOVQ k4+56(FP), R11
	MOVQ n16+64(FP), R12
	MOVQ R11, R9
	SHLQ $2, R9                // R9 = x row stride in bytes (k4 words)
	LEAQ (R9)(R9*2), R10       // R10 = 3 strides
	XORQ R13, R13              // c

cloop:
	CMPQ R13, R12
	JGE  done
	MOVQ R13, AX
	IMULQ R11, AX
	SHLQ $6, AX
	LEAQ (DI)(AX*1), BX        // q words of column group c
	MOVQ R13, AX
	SHLQ $6, AX
	MOVQ scale+40(FP), CX
	VMOVUPS (CX)(AX*1), Z6     // scale[16c..16c+15]
	XORQ R14, R14              // r

r4loop:
	LEAQ 4(R14), AX
	CMPQ AX, n+48(FP)
	JGT  r1loop
	MOVQ R14, AX
	IMULQ R9, AX
	LEAQ (SI)(AX*1), R15       // x row r; rows r+1.. are R9 bytes apart
	VPBROADCASTD (R8)(R14*4), Z0
	VPBROADCASTD 4(R8)(R14*4), Z1
	VPBROADCASTD 8(R8)(R14*4), Z2
	VPBROADCASTD 12(R8)(R14*4), Z3
	MOVQ BX, AX
	MOVQ R11, CX

k4loop:
	VMOVDQU32 (AX), Z4
	VPDPBUSD.BCST (R15), Z4, Z0
	VPDPBUSD.BCST (R15)(R9*1), Z4, Z1
	VPDPBUSD.BCST (R15)(R9*2), Z4, Z2
	VPDPBUSD.BCST (R15)(R10*1), Z4, Z3
	ADDQ $64, AX
	ADDQ $4, R15
	DECQ CX
	JNZ  k4loop

	MOVQ R14, AX
	IMULQ R12, AX
	ADDQ R13, AX
	SHLQ $6, AX                // byte offset of out[r, 16c]
	MOVQ R12, CX
	SHLQ $6, CX                // out row stride in bytes
	MOVQ xs+32(FP), R15
	VCVTDQ2PS Z0, Z0
	VBROADCASTSS (R15)(R14*4), Z7
	VMULPS Z6, Z7, Z7          // xs[r]·scale
	VMULPS Z0, Z7, Z7          // · float32(acc)
	VADDPS (DX)(AX*1), Z7, Z7
	VMOVUPS Z7, (DX)(AX*1)
	ADDQ CX, AX
	VCVTDQ2PS Z1, Z1
	VBROADCASTSS 4(R15)(R14*4), Z7
	VMULPS Z6, Z7, Z7
	VMULPS Z1, Z7, Z7
	VADDPS (DX)(AX*1), Z7, Z7
	VMOVUPS Z7, (DX)(AX*1)
	ADDQ CX, AX
	VCVTDQ2PS Z2, Z2
	VBROADCASTSS 8(R15)(R14*4), Z7
	VMULPS Z6, Z7, Z7
	VMULPS Z2, Z7, Z7
	VADDPS (DX)(AX*1), Z7, Z7
	VMOVUPS Z7, (DX)(AX*1)
	ADDQ CX, AX
	VCVTDQ2PS Z3, Z3
	VBROADCASTSS 12(R15)(R14*4), Z7
	VMULPS Z6, Z7, Z7
	VMULPS Z3, Z7, Z7
	VADDPS (DX)(AX*1), Z7, Z7
	VMOVUPS Z7, (DX)(AX*1)
	ADDQ $4, R14
	JMP  r4loop

r1loop:
	CMPQ R14, n+48(FP)
	JGE  cnext
	MOVQ R14, AX
	IMULQ R9, AX
	LEAQ (SI)(AX*1), R15       // x row r
	VPBROADCASTD (R8)(R14*4), Z0
	MOVQ BX, AX
	MOVQ R11, CX

k1loop:
	VMOVDQU32 (AX), Z4
	VPDPBUSD.BCST (R15), Z4, Z0
	ADDQ $64, AX
	ADDQ $4, R15
	DECQ CX
	JNZ  k1loop

	VCVTDQ2PS Z0, Z0
	MOVQ xs+32(FP), CX
	VBROADCASTSS (CX)(R14*4), Z7
	VMULPS Z6, Z7, Z7          // xs[r]·scale
	VMULPS Z0, Z7, Z7          // · float32(acc)
	MOVQ R14, AX
	IMULQ R12, AX
	ADDQ R13, AX
	SHLQ $6, AX
	VADDPS (DX)(AX*1), Z7, Z7
	VMOVUPS Z7, (DX)(AX*1)
	INCQ R14
	JMP  r1loop

cnext:
	INCQ R13
	JMP  cloop

done:
	VZEROUPPER
	RET
