package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"sentilab/core/kernels"
)

// A training step computing each distinct token's input product once
// (projectUnique) gives the bits of the one Gemm over all rows: the gates,
// the logits and every gradient, with and without masking, for every R%4
// remainder, with tokens repeated, padding (token 0) and OOV ids; and
// twice in a row on one workspace (its token slots are reset). Scoring
// without dropout on that workspace gives the bits too, and a workspace
// that never trained takes no scratch for it.
func TestProjectUniqueSameBits(t *testing.T) {
	ks := []kernels.Kernels{kernels.Portable}
	if d := kernels.Default(); d.Name != kernels.Portable.Name {
		ks = append(ks, d)
	}
	for _, masking := range []bool{false, true} {
		cfg := Config{Vocab: 300, Embed: 24, Hidden: 32, MaxLen: 23, Padding: "post", Masking: masking, Dropout: 0.2}
		m, err := NewModel(cfg)
		if err != nil {
			t.Fatal(err)
		}
		Init(m, 5)
		for _, k := range ks {
			rng := rand.New(rand.NewPCG(8, 9))
			for _, B := range []int{1, 2, 3, 7, 16} {
				t.Run(fmt.Sprintf("masking=%v/%s/B=%d", masking, k.Name, B), func(t *testing.T) {
					on, off := NewWorkspace(cfg, k), NewWorkspace(cfg, k)
					for rep := 0; rep < 2; rep++ {
						tokens := make([]int32, B*cfg.MaxLen)
						for b := 0; b < B; b++ {
							for i := range rng.IntN(cfg.MaxLen + 1) {
								tokens[b*cfg.MaxLen+i] = int32(1 + rng.IntN(40)) // repeats
								if rng.IntN(9) == 0 {
									tokens[b*cfg.MaxLen+i] = int32(cfg.Vocab + rng.IntN(5)) // OOV
								}
							}
						}
						gOn, gOff := step(t, on, m, tokens, B, true), step(t, off, m, tokens, B, false)
						if k.RowwiseGemm && len(on.uniq) == 0 && !masking && B > 1 {
							t.Fatal("projectUnique found no distinct tokens")
						}
						same(t, "gates", on.A, off.A)
						same(t, "logits", on.logits, off.logits)
						// Scoring (validation) on the trained workspace,
						// which has the room, and on a new one, which
						// has not and computes every row.
						fresh := NewWorkspace(cfg, k)
						want := append([]float32(nil), fresh.Forward(m, tokens, B, nil)...)
						if len(fresh.uniq) != 0 || cap(fresh.dZ) != 0 {
							t.Fatalf("a workspace that never trained took scratch for projectUnique (%d rows, %d floats)", len(fresh.uniq), cap(fresh.dZ))
						}
						same(t, "validation logits", on.Forward(m, tokens, B, nil), want)
						if k.RowwiseGemm && len(on.uniq) == 0 && !masking && B > 1 {
							t.Fatal("validation on the trained workspace computed every row")
						}
						for i, name := range []string{"embedding", "kernel", "recurrent", "bias", "dense w", "dense b"} {
							same(t, name, [][]float32{gOn.Embedding, gOn.Kernel, gOn.Recurrent, gOn.Bias, gOn.DenseW, gOn.DenseB}[i],
								[][]float32{gOff.Embedding, gOff.Kernel, gOff.Recurrent, gOff.Bias, gOff.DenseW, gOff.DenseB}[i])
						}
					}
				})
			}
		}
	}
}

// step is one training Forward and Backward on ws, with projectUnique on
// or off, and the gradients.
func step(t *testing.T, ws *Workspace, m *Model, tokens []int32, B int, unique bool) *Grads {
	t.Helper()
	defer func(was bool) { projectUniqueOn = was }(projectUniqueOn)
	projectUniqueOn = unique
	g, err := NewGrads(m.Cfg)
	if err != nil {
		t.Fatal(err)
	}
	logits := ws.Forward(m, tokens, B, rand.New(rand.NewPCG(1, 2)))
	d := make([]float32, B)
	for i, z := range logits {
		d[i] = z - float32(i%2)
	}
	ws.Backward(m, d, g)
	return g
}

func same(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s[%d] = %v with projectUnique, %v with the one Gemm", what, i, got[i], want[i])
		}
	}
}
