package kernels

// The int8 runtime's kernels (the Kernels fields QDot … QCells) and
// their contracts. core/compress's Go loops are the reference: every
// kernel sums the same exact integers and rescales them with the same
// float32 operations, in the same order and without FMA, so each gives
// those loops' bits. A backend sets the ones it has: Fast and Gonum the
// AVX2 / AVX-512 VNNI ones this CPU runs (qdot_amd64.go), SIMD128 the
// browser's (kernels_wasm.go), Portable none.
//
// QDot(x, q, xs, scale, out, n, K2, N4), the product on int16 pairs:
//
//	out[r, j] += float32(xs[r]·scale[j]) · float32(Σ_k x[r,k]·q[k,j])
//
// x [n, K2] words (x[r,2k], x[r,2k+1]) as int16 halves, low first; q
// [N4, K2, 4] words (q[2k,j], q[2k+1,j]) for the four columns j of group c;
// out [n, 4·N4] and scale [4·N4], so N is a multiple of 4.
//
// QDot8(x, q, corr, xs, scale, out, n, K4, N16), the product on int8 rows
// (AVX-512 VNNI's VPDPBUSD, 64 multiply-adds per instruction):
//
//	out[r, j] += float32(xs[r]·scale[j]) · float32(corr[r] + Σ_k x[r,k]·(q[k,j]+128))
//
// x [n, 4·K4] int8 (rows padded with zeros); q [N16, K4, 16] words, word
// (c, k, l) holding q[4k..4k+3, 16c+l] + 128 as unsigned bytes, low byte
// first; corr[r] = −128·Σ_k x[r,k], so the integer is Σ_k x·q exactly (the
// instruction wraps; the true sum fits in int32). out is [n, 16·N16].
//
// QuantizeRows(a, n, K, q, s, sum) quantizes each row of a [n, K] to int8
// with scale max|row|/127, as core/compress's quantizeActs does, and
// writes each row's sum of int8 values to sum (QDot8's correction). K is a
// multiple of 8.
//
// QuantizePairs(a, n, K, words, s) is the same quantizer writing its int8
// values straight into QDot's int16 pairs: words [n, K/2] with (q[r,2k],
// q[r,2k+1]), scales s [n]. K is a multiple of 8.
//
// QStep(xw, xs, qK, sK, h, hw, hs, qR, sR, g, cprev, c, tc, n, K2, H) is one
// time step of core/compress's int8 LSTM in one call (in the browser a call
// into the SIMD module costs about as much as a step's arithmetic at
// batch 1); H is a multiple of 8:
//
//	QDot(xw, qK, xs, sK, g, n, K2, H)               g [n, 4H] holds the bias;
//	                                                K2 = 0 skips this product
//	if cprev != nil {                               cprev is c, or nil at t = 0
//	    QuantizePairs(h, n, H, hw, hs)
//	    QDot(hw, qR, hs, sR, g, n, H/2, H)
//	}
//	QCells(g, cprev, c, tc, h, n, H)
//
// The same kernels as those calls, so the same bits.
//
// QSteps(proj, h, hw, hs, qR, sR, c, tc, ns, T, H, t0) is QStep over T
// time steps in one call, when every step's input side (bias + x·Kernel)
// is already in proj [R, 4H], rows laid out step after step, ns[t] of them
// at step t (a step of 0 ends it); t0 is the first one's number in the
// review (0: no previous state):
//
//	for t, off := 0, 0; t < T && ns[t] > 0; off, t = off+ns[t], t+1 {
//	    QStep(nil, nil, nil, nil, h, hw, hs, qR, sR, proj[off·4H:], t0+t > 0 ? c : nil, c, tc, ns[t], 0, H)
//	}
//
// QStepsRows(tab, miss, idx, g, h, hw, hs, qR, sR, c, tc, T, H, t0) is
// QSteps for a review read alone (every ns[t] = 1) whose input sides are
// not copied into proj but read where they are: step t's is row idx[t] of
// tab [·, 4H] if idx[t] ≥ 0, else row −1−idx[t] of miss [·, 4H] (core/
// compress's table of frequent tokens and the rows it computed for the
// others); g [4H] is the step's scratch. QSteps on those rows copied into
// proj, one after the other, gives the same bits.
//
// QSteps7(proj, h, hb, hs, q7, corr, sR, c, tc, ns, T, H, t0) is QSteps with
// the hidden state quantized onto −63 … 63 (scale max|row|/63, otherwise
// QuantizeRows' rule) and stored as bytes x + 64 in hb [n, H], so that
// relaxed SIMD's i32x4.relaxed_dot_i8x16_i7x16_add_s, whose second operand
// must lie in 0 … 127 for its result not to depend on the machine,
// multiplies them with the weights: q7 [4H/16, H/4, 16] words, word (c, k, l)
// holding the signed bytes q[4k..4k+3, 16c+l], low byte first, and corr[j]
// = −64·Σ_k q[k, j], so the integer is Σ_k x·q exactly. Then as QStep:
// g[r, j] += float32(hs[r]·sR[j]) · float32(Σ_k x[r,k]·q[k,j]), QCells.
// H is a multiple of 16.
