package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"sentilab/core/kernels"
)

// Forward with an InputTable gives the bits it gives without one, with
// tokens in and out of the table (ids 16,384 and up miss it here) in the
// same blocks of four rows, every R%4 remainder, an empty review and OOV
// ids; the rows it fills on the way are a whole-table product's; and none
// is built for a kernel whose rows depend on their block.
func TestInputTableSameBits(t *testing.T) {
	cfg := Config{Vocab: 20000, Embed: 24, Hidden: 32, MaxLen: 30, Padding: "post", Masking: true}
	m, err := NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	Init(m, 5)
	ks := []kernels.Kernels{kernels.Portable}
	if d := kernels.Default(); d.Name != kernels.Portable.Name {
		ks = append(ks, d)
	}
	for _, k := range ks {
		tab := NewInputTable(m, k)
		if !k.RowwiseGemm {
			if tab != nil {
				t.Errorf("%s: a table for a kernel without RowwiseGemm", k.Name)
			}
			continue
		}
		if tab == nil || tab.rows != 16384 {
			t.Fatalf("%s: table %v, want 16,384 rows", k.Name, tab)
		}
		rng := rand.New(rand.NewPCG(6, 7))
		for _, B := range []int{1, 2, 3, 9, 37} {
			for rep := 0; rep < 4; rep++ {
				t.Run(fmt.Sprintf("%s/B=%d/%d", k.Name, B, rep), func(t *testing.T) {
					tokens := make([]int32, B*cfg.MaxLen)
					for b := 0; b < B; b++ {
						L := rng.IntN(cfg.MaxLen + 1)
						if b == 1 {
							L = 0
						}
						for i := 0; i < L; i++ {
							tok := int32(1 + rng.IntN(100)) // mostly in the table
							if rng.IntN(3) == 0 {
								tok = int32(16000 + rng.IntN(cfg.Vocab-16000+5)) // around its end, and OOV
							}
							tokens[b*cfg.MaxLen+i] = tok
						}
					}
					want := append([]float32(nil), NewWorkspace(cfg, k).Forward(m, tokens, B, nil)...)
					ws := NewWorkspace(cfg, k)
					ws.SetTable(tab)
					got := ws.Forward(m, tokens, B, nil)
					for i := range want {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("logit %d: %v with the table, %v without", i, got[i], want[i])
						}
					}
				})
			}
		}
		// Steps and the input product read the weights the table laid
		// out (SIMD128).
		if (k.Pack != nil) != (tab.recurrent != nil) || (k.Pack != nil) != (tab.kernel != nil) {
			t.Errorf("%s: laid out recurrent weights %v, input weights %v; kernel lays them out: %v", k.Name, tab.recurrent != nil, tab.kernel != nil, k.Pack != nil)
		}
		// The rows filled on the way are those a whole-table product gives.
		G := Gates * cfg.Hidden
		full := make([]float32, tab.rows*G)
		for r := 0; r < tab.rows; r++ {
			copy(full[r*G:(r+1)*G], m.Bias)
		}
		k.Gemm(false, false, tab.rows, G, cfg.Embed, m.Embedding[:tab.rows*cfg.Embed], m.Kernel, full)
		filled := 0
		for r, ok := range tab.have {
			if !ok {
				continue
			}
			filled++
			for j := r * G; j < (r+1)*G; j++ {
				if math.Float32bits(tab.a[j]) != math.Float32bits(full[j]) {
					t.Fatalf("%s: table row %d differs from the whole product's", k.Name, r)
				}
			}
		}
		if filled < 50 || filled == tab.rows {
			t.Errorf("%s: %d of %d rows filled; want the ones the batches met", k.Name, filled, tab.rows)
		}
	}
	if k := kernels.Default(); !k.RowwiseGemm && NewInputTable(m, k) != nil {
		t.Errorf("%s: a table for a kernel without RowwiseGemm", k.Name)
	}
}
