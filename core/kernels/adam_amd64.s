#include "textflag.h"

// func adamAVX2(w, grad, mom, vel *float32, n int, c1, c2, alpha, eps float32)
//
// For i < n (a multiple of 8), eight weights at a time, the operations of
// Adam.Update in its order, each rounded to float32, no FMA:
//   m = m + (g - m)·c1
//   v = v + (g·g - v)·c2
//   w = w - (m·alpha) / (sqrt(v) + eps)
TEXT ·adamAVX2(SB), NOSPLIT, $0-56
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ mom+16(FP), R8
	MOVQ vel+24(FP), R9
	MOVQ n+32(FP), CX
	VBROADCASTSS c1+40(FP), Y10
	VBROADCASTSS c2+44(FP), Y11
	VBROADCASTSS alpha+48(FP), Y12
	VBROADCASTSS eps+52(FP), Y13
	XORQ AX, AX

loop:
	CMPQ AX, CX
	JGE  done
	VMOVUPS (SI)(AX*4), Y0     // g
	VMOVUPS (R8)(AX*4), Y1     // m
	VMOVUPS (R9)(AX*4), Y2     // v
	VSUBPS Y1, Y0, Y3          // g - m
	VMULPS Y10, Y3, Y3         // ·c1
	VADDPS Y3, Y1, Y1          // m + …
	VMOVUPS Y1, (R8)(AX*4)
	VMULPS Y0, Y0, Y4          // g·g
	VSUBPS Y2, Y4, Y4          // - v
	VMULPS Y11, Y4, Y4         // ·c2
	VADDPS Y4, Y2, Y2          // v + …
	VMOVUPS Y2, (R9)(AX*4)
	VSQRTPS Y2, Y5
	VADDPS Y13, Y5, Y5         // sqrt(v) + eps
	VMULPS Y12, Y1, Y6         // m·alpha
	VDIVPS Y5, Y6, Y6          // / …
	VMOVUPS (DI)(AX*4), Y7
	VSUBPS Y6, Y7, Y7          // w - …
	VMOVUPS Y7, (DI)(AX*4)
	ADDQ $8, AX
	JMP  loop

done:
	VZEROUPPER
	RET

// func addAVX2(dst, src *float32, n int)
// dst[i] += src[i] for i < n (a multiple of 8).
TEXT ·addAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX

addloop:
	CMPQ AX, CX
	JGE  adddone
	VMOVUPS (DI)(AX*4), Y0
	VADDPS (SI)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	JMP  addloop

adddone:
	VZEROUPPER
	RET
