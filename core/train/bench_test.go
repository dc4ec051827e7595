package train

import (
	"context"
	"math/rand/v2"
	"testing"

	"sentilab/core/kernels"
	"sentilab/core/nn"
)

// BenchmarkStep measures one optimiser step at the thesis and classroom shapes
// with random tokens (all steps real: no padding).
func benchStep(b *testing.B, cfg nn.Config, batch, workers int, k kernels.Kernels) {
	rng := rand.New(rand.NewPCG(1, 1))
	benchStepOn(b, cfg, batch, workers, k, func() int32 { return int32(1 + rng.IntN(cfg.Vocab-1)) }, cfg.MaxLen)
}

// benchStepOn is benchStep on reviews of lengths in [minLen, MaxLen]
// (post-padded with 0) of tokens drawn by tok.
func benchStepOn(b *testing.B, cfg nn.Config, batch, workers int, k kernels.Kernels, tok func() int32, minLen int) {
	m, _ := nn.NewModel(cfg)
	nn.Init(m, 1)
	rng := rand.New(rand.NewPCG(2, 2))
	set := Set{Tokens: make([]int32, batch*cfg.MaxLen), Labels: make([]float32, batch), N: batch}
	for i := 0; i < batch; i++ {
		L := minLen + rng.IntN(cfg.MaxLen-minLen+1)
		for t := 0; t < L; t++ {
			set.Tokens[i*cfg.MaxLen+t] = tok()
		}
	}
	idx := make([]int, batch)
	for i := range idx {
		idx[i] = i
		set.Labels[i] = float32(i % 2)
	}
	tr, err := NewTrainer(m, Options{Epochs: 1, BatchSize: batch, Seed: 1, LR: 1e-3, Workers: workers, Kernels: k})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tr.Step(context.Background(), set, idx, i)
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "examples/s")
}

var thesisCfg = nn.Config{Vocab: 20000, Embed: 128, Hidden: 128, MaxLen: 170, Padding: "post", Dropout: 0.2}

func BenchmarkThesisStep1(b *testing.B)        { benchStep(b, thesisCfg, 64, 1, kernels.Default()) }
func BenchmarkThesisStep2(b *testing.B)        { benchStep(b, thesisCfg, 64, 2, kernels.Default()) }
func BenchmarkThesisStepPortable(b *testing.B) { benchStep(b, thesisCfg, 64, 1, kernels.Portable) }

// BenchmarkThesisStepZipf is one browser worker's share of a thesis batch
// (32 reviews) on tokens spread as IMDB's are (Zipf, as core/nn's
// BenchmarkForwardBatch1) and lengths 60–170, post-padded: a batch repeats
// its tokens, which the forward pass computes once (core/nn/unique.go).
func BenchmarkThesisStepZipf(b *testing.B) {
	z := rand.NewZipf(rand.New(rand.NewPCG(7, 8)), 1.1, 20, uint64(thesisCfg.Vocab-3))
	benchStepOn(b, thesisCfg, 32, 1, kernels.Default(), func() int32 { return int32(2 + z.Uint64()) }, 60)
}

var classroomCfg = nn.Config{Vocab: 5000, Embed: 32, Hidden: 32, MaxLen: 100, Padding: "pre", Masking: true, Dropout: 0.2}

func BenchmarkClassroomStepPortable(b *testing.B) {
	benchStep(b, classroomCfg, 64, 1, kernels.Portable)
}
