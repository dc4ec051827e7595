package nn

import (
	"math"
	"math/rand/v2"

	"sentilab/core/mathx"
)

// Init fills m with Keras's default initialisers, deterministically from seed:
// Embedding uniform(-0.05, 0.05); LSTM kernel Glorot-uniform; recurrent kernel
// orthogonal; LSTM bias zero but the forget gate's, which is 1
// (unit_forget_bias); Dense kernel Glorot-uniform, bias zero.
func Init(m *Model, seed uint64) {
	c := m.Cfg
	rng := rand.New(rand.NewPCG(seed, 0x5e471ab))
	uniform(rng, m.Embedding, 0.05)
	uniform(rng, m.Kernel, math.Sqrt(6/float64(c.Embed+4*c.Hidden)))
	orthogonal(rng, m.Recurrent, c.Hidden, 4*c.Hidden)
	for j := range m.Bias {
		m.Bias[j] = 0
	}
	for j := c.Hidden; j < 2*c.Hidden; j++ {
		m.Bias[j] = 1
	}
	uniform(rng, m.DenseW, math.Sqrt(6/float64(c.Hidden+1)))
	m.DenseB[0] = 0
}

func uniform(rng *rand.Rand, w []float32, limit float64) {
	for i := range w {
		w[i] = float32((2*rng.Float64() - 1) * limit)
	}
}

// normal draws a standard normal by Marsaglia's polar method, using log64 so
// the draw is the same natively and in wasm.
func normal(rng *rand.Rand) float64 {
	for {
		u, v := 2*rng.Float64()-1, 2*rng.Float64()-1
		s := u*u + v*v
		if s > 0 && s < 1 {
			return u * math.Sqrt(-2*mathx.Log64(s)/s)
		}
	}
}

// orthogonal fills w [rows, cols] (rows ≤ cols) with orthonormal rows: a
// Gaussian matrix orthonormalised by modified Gram-Schmidt in float64, which
// equals Keras's QR with the sign of diag(R) folded in.
func orthogonal(rng *rand.Rand, w []float32, rows, cols int) {
	q := make([]float64, rows*cols)
	for i := range q {
		q[i] = normal(rng)
	}
	for i := 0; i < rows; i++ {
		qi := q[i*cols : (i+1)*cols]
		for p := 0; p < i; p++ {
			qp := q[p*cols : (p+1)*cols]
			var d float64
			for j := range qi {
				d += qi[j] * qp[j]
			}
			for j := range qi {
				qi[j] -= d * qp[j]
			}
		}
		var norm float64
		for _, v := range qi {
			norm += v * v
		}
		norm = math.Sqrt(norm)
		for j := range qi {
			qi[j] /= norm
		}
	}
	for i, v := range q {
		w[i] = float32(v)
	}
}
