package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"sentilab/core/kernels"
)

// Forward through the kernel's one-call recurrence (Kernels.Steps, the
// browser's SIMD module) gives the step loop's bits: batch 1 and batches
// whose rows run out at different steps (the dot's blocks of four rows and
// the stream's remainder), masked and not, and an empty review.
func TestForwardStepsSameBits(t *testing.T) {
	k := kernels.Default()
	if k.Steps == nil {
		t.Skipf("kernel %s has no one-call recurrence (the browser's SIMD128 has)", k.Name)
	}
	loop := k
	loop.Steps = nil
	for _, masking := range []bool{true, false} {
		cfg := Config{Vocab: 300, Embed: 24, Hidden: 32, MaxLen: 40, Padding: "post", Masking: masking}
		m, err := NewModel(cfg)
		if err != nil {
			t.Fatal(err)
		}
		Init(m, 3)
		rng := rand.New(rand.NewPCG(4, 5))
		for _, B := range []int{1, 3, 9, 37} {
			t.Run(fmt.Sprintf("masking=%v/B=%d", masking, B), func(t *testing.T) {
				tokens := make([]int32, B*cfg.MaxLen)
				for b := 0; b < B; b++ {
					L := rng.IntN(cfg.MaxLen + 1)
					if b == 1 {
						L = 0
					}
					for i := 0; i < L; i++ {
						tokens[b*cfg.MaxLen+i] = int32(1 + rng.IntN(cfg.Vocab-1))
					}
				}
				wl, wk := NewWorkspace(cfg, loop), NewWorkspace(cfg, k)
				wl.Forward(m, tokens, B, nil)
				wk.Forward(m, tokens, B, nil)
				// Backward reads all of them, the logits come from Hs.
				for _, a := range []struct {
					what      string
					got, want []float32
				}{{"logits", wk.logits, wl.logits}, {"A", wk.A, wl.A}, {"C", wk.C, wl.C}, {"TC", wk.TC, wl.TC},
					{"Hs", wk.Hs, wl.Hs}, {"Hprev", wk.Hprev, wl.Hprev}} {
					if len(a.got) != len(a.want) {
						t.Fatalf("%s: %d values, step loop %d", a.what, len(a.got), len(a.want))
					}
					for i := range a.want {
						if math.Float32bits(a.got[i]) != math.Float32bits(a.want[i]) {
							t.Fatalf("%s[%d]: %v, step loop %v", a.what, i, a.got[i], a.want[i])
						}
					}
				}
			})
		}
	}
}
