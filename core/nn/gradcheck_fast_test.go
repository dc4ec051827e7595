package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"sentilab/core/kernels"
)

// fastCellKernels are the Fast variants this CPU runs with their assembly
// gate math (core/kernels tests each against the Go loops).
func fastCellKernels(t *testing.T) []kernels.Kernels {
	ks := kernels.FastCandidates()
	if len(ks) == 0 {
		t.Skip("no Fast kernel on this CPU")
	}
	return ks
}

// The finite-difference check of gradcheck_test.go with the Fast kernels,
// on a model whose H = 16 is a multiple of both lane counts (tinyModel's
// H = 4 would take the Go loops).
func TestGradientsFiniteDifferenceFast(t *testing.T) {
	for _, k := range fastCellKernels(t) {
		for _, masking := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/mask=%v", k.Name, masking), func(t *testing.T) {
				cfg := Config{Vocab: 11, Embed: 3, Hidden: 16, MaxLen: 6, Padding: "pre", Masking: masking}
				m, err := NewModel(cfg)
				if err != nil {
					t.Fatal(err)
				}
				Init(m, 7)
				rng := rand.New(rand.NewPCG(1, 2))
				for _, p := range m.Params() {
					for i := range p.W {
						p.W[i] += float32(rng.NormFloat64() * 0.3)
					}
				}
				lens := []int{6, 3, 0, 1, 4}
				B := len(lens)
				tokens := make([]int32, B*cfg.MaxLen)
				for b, L := range lens {
					for j := 0; j < L; j++ {
						tokens[b*cfg.MaxLen+cfg.MaxLen-L+j] = int32(1 + rng.IntN(cfg.Vocab-1))
					}
				}
				labels := []float32{1, 0, 1, 1, 0}
				checkGradients(t, m, k, tokens, labels, B)
			})
		}
	}
}
