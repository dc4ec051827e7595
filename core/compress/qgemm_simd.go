package compress

import (
	"sync"

	"sentilab/core/nn"
)

// In the browser, qgemm's exact int32 sums come from the SIMD module of
// core/nn (nn.QDot: i32x4.dot_i16x8_s, 8 multiply-adds per instruction)
// instead of the packed int64 loop, which is scalar Go there. The sums are
// the same integers, so the results are the same bits.

// qPairs is a QMatrix's weights in nn.QDot's layout, built on first use.
type qPairs struct {
	once  sync.Once
	words []int32 // [N4, K2, 4]: (Q[2k,j], Q[2k+1,j]) as int16 pairs
}

func pair(lo, hi int64) int32 {
	return int32(uint32(uint16(int16(lo))) | uint32(uint16(int16(hi)))<<16)
}

func (m *QMatrix) pairs() []int32 {
	m.simd.once.Do(func() {
		K, N := m.K, m.N
		K2, N4 := (K+1)/2, (N+3)/4
		w := make([]int32, N4*K2*4)
		at := func(k, j int) int64 {
			if k < K && j < N {
				return int64(m.Q[k*N+j])
			}
			return 0
		}
		for c := 0; c < N4; c++ {
			for k := 0; k < K2; k++ {
				for l := 0; l < 4; l++ {
					w[(c*K2+k)*4+l] = pair(at(2*k, 4*c+l), at(2*k+1, 4*c+l))
				}
			}
		}
		m.simd.words = w
	})
	return m.simd.words
}

// qScratch holds qgemmSIMD's buffer (one per goroutine).
type qScratch struct {
	x []int32
}

// qgemmSIMD is qgemm through nn.QDot; it reports false where that is not
// available (natively, or a browser without SIMD) or when N is not a
// multiple of 4 (the dense layer's single column).
func qgemmSIMD(sc *qScratch, n int, x []int64, xs []float32, m *QMatrix, out []float32) bool {
	K, N := m.K, m.N
	if N%4 != 0 {
		return false
	}
	K2 := (K + 1) / 2
	if cap(sc.x) < n*K2 {
		sc.x = make([]int32, n*K2)
	}
	xw := sc.x[:n*K2]
	for r := 0; r < n; r++ {
		row := x[r*K : (r+1)*K]
		for k := 0; k < K2; k++ {
			var hi int64
			if 2*k+1 < K {
				hi = row[2*k+1]
			}
			xw[r*K2+k] = pair(row[2*k], hi)
		}
	}
	return nn.QDot(xw, m.pairs(), xs[:n], m.Scale, out[:n*N], n, K2, N/4)
}
