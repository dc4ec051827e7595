package compress

import (
	"sentilab/core/kernels"
	"sync"
)

// The SIMD products of kernels.Kernels on int8 rows: natively with AVX-512
// VNNI, QDot8 (VPDPBUSD, 64 multiply-adds per instruction); else QDot on
// int16 pairs (AVX2's VPMADDWD natively, i32x4.dot_i16x8_s in the
// browser). Their sums are the same integers as qgemm's, and the float
// operations the same, so the results are the same bits.

// qWords is a QMatrix's weights in one kernel's layout, built on first use.
type qWords struct {
	once  sync.Once
	words []int32
}

func pair(lo, hi int8) int32 {
	return int32(uint32(uint16(int16(lo))) | uint32(uint16(int16(hi)))<<16)
}

// at is Q[k, j], or 0 past the edges (the kernels' padding).
func (m *QMatrix) at(k, j int) int8 {
	if k < m.K && j < m.N {
		return m.Q[k*m.N+j]
	}
	return 0
}

// pairs is Q in kernels.QDot's layout: [N4, K2, 4] words (Q[2k,j], Q[2k+1,j]).
func (m *QMatrix) pairs() []int32 {
	m.simd.once.Do(func() {
		K2, N4 := (m.K+1)/2, (m.N+3)/4
		w := make([]int32, N4*K2*4)
		for c := 0; c < N4; c++ {
			for k := 0; k < K2; k++ {
				for l := 0; l < 4; l++ {
					w[(c*K2+k)*4+l] = pair(m.at(2*k, 4*c+l), m.at(2*k+1, 4*c+l))
				}
			}
		}
		m.simd.words = w
	})
	return m.simd.words
}

// quads is Q in kernels.QDot8's layout: [N16, K4, 16] words, each four
// Q[4k..4k+3, j] + 128 as unsigned bytes, low byte first.
func (m *QMatrix) quads() []int32 {
	m.vnni.once.Do(func() { m.vnni.words = m.packQuads(128) })
	return m.vnni.words
}

// packQuads is Q as [ceil(N/16), K4, 16] words, word (c, k, l) the four
// bytes Q[4k..4k+3, 16c+l] + bias, low byte first (zeros past the edges,
// plus bias).
func (m *QMatrix) packQuads(bias int) []int32 {
	K4, N16 := (m.K+3)/4, (m.N+15)/16
	w := make([]int32, N16*K4*16)
	for c := 0; c < N16; c++ {
		for k := 0; k < K4; k++ {
			for l := 0; l < 16; l++ {
				var word uint32
				for b := 0; b < 4; b++ {
					word |= uint32(uint8(int(m.at(4*k+b, 16*c+l))+bias)) << (8 * b)
				}
				w[(c*K4+k)*16+l] = int32(word)
			}
		}
	}
	return w
}

// qScratch holds the products' buffers (one per goroutine).
type qScratch struct {
	x    []int32 // int16 pairs for kernels.QDot
	x8   []int8  // rows padded to a multiple of 4 for kernels.QDot8
	corr []int32 // kernels.QDot8's per-row correction
	x64  []int64 // rows for the portable qgemm
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// qgemmVNNI is qgemm through k.QDot8; it reports false, doing nothing,
// where k has none or N is not a multiple of 16.
func qgemmVNNI(k *kernels.Kernels, sc *qScratch, n int, x []int8, xs []float32, sum []int32, m *QMatrix, out []float32) bool {
	K, N := m.K, m.N
	if N%16 != 0 || k.QDot8 == nil {
		return false
	}
	K4 := (K + 3) / 4
	xp := x[:n*K]
	if K%4 != 0 {
		sc.x8 = grow(sc.x8, n*4*K4)
		xp = sc.x8
		for r := 0; r < n; r++ {
			dst := xp[r*4*K4 : (r+1)*4*K4]
			clear(dst[copy(dst, x[r*K:(r+1)*K]):])
		}
	}
	sc.corr = grow(sc.corr, n)
	for r := 0; r < n; r++ {
		var s int32
		if sum != nil {
			s = sum[r]
		} else {
			for _, v := range x[r*K : (r+1)*K] {
				s += int32(v)
			}
		}
		sc.corr[r] = -128 * s
	}
	k.QDot8(xp, m.quads(), sc.corr, xs[:n], m.Scale, out[:n*N], n, K4, N/16)
	return true
}

// qgemmPairs is qgemm through k.QDot; it reports false, doing nothing,
// where k has none (a browser without SIMD, a CPU without AVX2, Portable)
// or N is not a multiple of 4 (the dense layer's single column).
func qgemmPairs(k *kernels.Kernels, sc *qScratch, n int, x []int8, xs []float32, m *QMatrix, out []float32) bool {
	K, N := m.K, m.N
	if N%4 != 0 || k.QDot == nil {
		return false
	}
	K2 := (K + 1) / 2
	sc.x = grow(sc.x, n*K2)
	pairRows(x, n, K, sc.x)
	k.QDot(sc.x, m.pairs(), xs[:n], m.Scale, out[:n*N], n, K2, N/4)
	return true
}

// pairRows writes the int8 rows x [n, K] as kernels.QDot's int16 pairs
// w [n, ceil(K/2)] (an odd K's last pair padded with 0).
func pairRows(x []int8, n, K int, w []int32) {
	K2 := (K + 1) / 2
	for r := 0; r < n; r++ {
		row := x[r*K : (r+1)*K]
		for k := 0; k < K2; k++ {
			var hi int8
			if 2*k+1 < K {
				hi = row[2*k+1]
			}
			w[r*K2+k] = pair(row[2*k], hi)
		}
	}
}
