#include "textflag.h"

// Constants, 8 copies each (one AVX2 row).
DATA quantConst<>+0(SB)/4, $0x7fffffff  // abs mask
DATA quantConst<>+4(SB)/4, $0x7fffffff
DATA quantConst<>+8(SB)/4, $0x7fffffff
DATA quantConst<>+12(SB)/4, $0x7fffffff
DATA quantConst<>+16(SB)/4, $0x7fffffff
DATA quantConst<>+20(SB)/4, $0x7fffffff
DATA quantConst<>+24(SB)/4, $0x7fffffff
DATA quantConst<>+28(SB)/4, $0x7fffffff
DATA quantConst<>+32(SB)/4, $0x80000000 // sign
DATA quantConst<>+36(SB)/4, $0x80000000
DATA quantConst<>+40(SB)/4, $0x80000000
DATA quantConst<>+44(SB)/4, $0x80000000
DATA quantConst<>+48(SB)/4, $0x80000000
DATA quantConst<>+52(SB)/4, $0x80000000
DATA quantConst<>+56(SB)/4, $0x80000000
DATA quantConst<>+60(SB)/4, $0x80000000
DATA quantConst<>+64(SB)/4, $0x3f000000 // 0.5
DATA quantConst<>+68(SB)/4, $0x3f000000
DATA quantConst<>+72(SB)/4, $0x3f000000
DATA quantConst<>+76(SB)/4, $0x3f000000
DATA quantConst<>+80(SB)/4, $0x3f000000
DATA quantConst<>+84(SB)/4, $0x3f000000
DATA quantConst<>+88(SB)/4, $0x3f000000
DATA quantConst<>+92(SB)/4, $0x3f000000
DATA quantConst<>+96(SB)/4, $0x42fe0000 // 127.0
DATA quantConst<>+100(SB)/4, $0x42fe0000
DATA quantConst<>+104(SB)/4, $0x42fe0000
DATA quantConst<>+108(SB)/4, $0x42fe0000
DATA quantConst<>+112(SB)/4, $0x42fe0000
DATA quantConst<>+116(SB)/4, $0x42fe0000
DATA quantConst<>+120(SB)/4, $0x42fe0000
DATA quantConst<>+124(SB)/4, $0x42fe0000
DATA quantConst<>+128(SB)/4, $0x7f800000 // +Inf
DATA quantConst<>+132(SB)/4, $0x7f800000
DATA quantConst<>+136(SB)/4, $0x7f800000
DATA quantConst<>+140(SB)/4, $0x7f800000
DATA quantConst<>+144(SB)/4, $0x7f800000
DATA quantConst<>+148(SB)/4, $0x7f800000
DATA quantConst<>+152(SB)/4, $0x7f800000
DATA quantConst<>+156(SB)/4, $0x7f800000
DATA quantConst<>+160(SB)/4, $0xffffff81 // -127 (int32)
DATA quantConst<>+164(SB)/4, $0xffffff81
DATA quantConst<>+168(SB)/4, $0xffffff81
DATA quantConst<>+172(SB)/4, $0xffffff81
DATA quantConst<>+176(SB)/4, $0xffffff81
DATA quantConst<>+180(SB)/4, $0xffffff81
DATA quantConst<>+184(SB)/4, $0xffffff81
DATA quantConst<>+188(SB)/4, $0xffffff81
DATA quantConst<>+192(SB)/4, $0x3f800000 // 1.0
GLOBL quantConst<>(SB), RODATA|NOPTR, $196

// func quantRowsAVX2(a *float32, q *int8, s *float32, sum *int32, n, k int)
//
// compress.quantizeActs on rows of k floats (k a multiple of 8), each
// operation the Go loop's:
//   mx = max|a[r,·]| (NaN never wins, as in `if v > mx`)
//   mx == 0: q[r,·] = 0, s[r] = 0
//   else sc = mx/127, inv = 1/sc, s[r] = sc, and per element
//     y = v·inv; z = y ± 0.5 (the sign of y); q = clamp(int64(z), −127, 127)
// int64(z) is CVTTSS2SQ's: min int64 for NaN and ±Inf, so −127; here
// VCVTTPS2DQ gives min int32 for those and for finite |z| ≥ 2³¹, so z is
// first clamped to 127 from above (a NaN passes, as MINPS's second source)
// and +Inf set to −127 by hand. sum[r] = Σ q[r,·] (for QDot8).
TEXT ·quantRowsAVX2(SB), NOSPLIT, $0-48
	MOVQ a+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ s+16(FP), R8
	MOVQ sum+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ k+40(FP), DX
	VMOVUPS quantConst<>+0(SB), Y15   // abs
	VMOVUPS quantConst<>+32(SB), Y14  // sign
	VMOVUPS quantConst<>+64(SB), Y13  // 0.5
	VMOVUPS quantConst<>+96(SB), Y12  // 127.0
	VMOVUPS quantConst<>+128(SB), Y11 // +Inf
	VMOVUPS quantConst<>+160(SB), Y10 // −127
	XORQ R10, R10                     // r

row:
	CMPQ R10, CX
	JGE  done
	// mx
	VXORPS Y0, Y0, Y0
	XORQ AX, AX
maxloop:
	VANDPS (SI)(AX*4), Y15, Y1
	VMAXPS Y0, Y1, Y0                 // Y0 = v > mx ? v : mx
	ADDQ $8, AX
	CMPQ AX, DX
	JLT  maxloop
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0x4e, X0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0xb1, X0, X1
	VMAXPS X1, X0, X0                 // every lane: mx
	VXORPS X1, X1, X1
	VUCOMISS X1, X0
	JNE  scale
	// A row of zeros.
	MOVL $0, (R8)(R10*4)
	MOVL $0, (R9)(R10*4)
	XORQ AX, AX
zeroloop:
	MOVQ $0, (DI)(AX*1)
	ADDQ $8, AX
	CMPQ AX, DX
	JLT  zeroloop
	JMP  next

scale:
	VDIVSS X12, X0, X0                // sc = mx / 127
	VMOVSS X0, (R8)(R10*4)
	VMOVSS quantConst<>+192(SB), X1
	VDIVSS X0, X1, X1                 // inv = 1 / sc
	VBROADCASTSS X1, Y9
	VPXOR Y8, Y8, Y8                  // Σq
	XORQ AX, AX
qloop:
	VMULPS (SI)(AX*4), Y9, Y0         // y = v·inv
	VANDPS Y14, Y0, Y1
	VORPS Y13, Y1, Y1                 // ±0.5, the sign of y
	VADDPS Y1, Y0, Y0                 // z
	VCMPPS $0, Y11, Y0, Y2            // z == +Inf
	VMINPS Y0, Y12, Y1                // 127 < z ? 127 : z
	VCVTTPS2DQ Y1, Y1
	VPMAXSD Y10, Y1, Y1               // ≥ −127 (NaN's min int32 too)
	VBLENDVPS Y2, Y10, Y1, Y1         // +Inf: −127
	VPADDD Y1, Y8, Y8
	VEXTRACTI128 $1, Y1, X2
	VPACKSSDW X2, X1, X1
	VPACKSSWB X1, X1, X1
	MOVQ X1, (DI)(AX*1)
	ADDQ $8, AX
	CMPQ AX, DX
	JLT  qloop
	VEXTRACTI128 $1, Y8, X0
	VPADDD X0, X8, X0
	VPSHUFD $0x4e, X0, X1
	VPADDD X1, X0, X0
	VPSHUFD $0xb1, X0, X1
	VPADDD X1, X0, X0
	VMOVD X0, (R9)(R10*4)

next:
	LEAQ (SI)(DX*4), SI
	ADDQ DX, DI
	INCQ R10
	JMP  row

done:
	VZEROUPPER
	RET
