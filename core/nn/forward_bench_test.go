package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"sentilab/core/kernels"
)

// BenchmarkForwardBatch1 is batch-1 inference at the thesis shape with
// masking on a 110-token review (the Try step's path), and its recurrent
// product alone (1×128 · 128×512).
func BenchmarkForwardBatch1(b *testing.B) {
	cfg := Config{Vocab: 20000, Embed: 128, Hidden: 128, MaxLen: 170, Padding: "post", Masking: true}
	m, _ := NewModel(cfg)
	Init(m, 1)
	tokens := make([]int32, cfg.MaxLen)
	for i := range 110 {
		tokens[i] = int32(2 + i*97%19000)
	}
	ws := NewWorkspace(cfg, kernels.Default())
	b.Run("forward", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			ws.Forward(m, tokens, 1, nil)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reviews/s")
	})
	// With the input table (table.go), on tokens spread as IMDB's are
	// (Zipf: 83% of them below id 4,096; see core/compress's benchSet),
	// and the same tokens without it.
	zipf := make([]int32, cfg.MaxLen)
	z := rand.NewZipf(rand.New(rand.NewPCG(7, 8)), 1.1, 20, uint64(cfg.Vocab-3))
	for i := range 110 {
		zipf[i] = int32(2 + z.Uint64())
	}
	tab := NewInputTable(m, ws.kern)
	for _, useTable := range []bool{false, true} {
		b.Run(fmt.Sprintf("zipf/table=%v", useTable && tab != nil), func(b *testing.B) {
			if useTable {
				ws.SetTable(tab)
				defer ws.SetTable(nil)
			}
			for i := 0; i < b.N; i++ {
				ws.Forward(m, zipf, 1, nil)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reviews/s")
		})
	}
	b.Run("gemv", func(b *testing.B) {
		k := kernels.Default()
		c := make([]float32, 512)
		for i := 0; i < b.N; i++ {
			k.Gemm(false, false, 1, 512, 128, m.Embedding[:128], m.Recurrent, c)
		}
		b.ReportMetric(float64(2*512*128*b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}
