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
	m, _ := nn.NewModel(cfg)
	nn.Init(m, 1)
	rng := rand.New(rand.NewPCG(1, 1))
	set := Set{Tokens: make([]int32, batch*cfg.MaxLen), Labels: make([]float32, batch), N: batch}
	for i := range set.Tokens {
		set.Tokens[i] = int32(1 + rng.IntN(cfg.Vocab-1))
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

var classroomCfg = nn.Config{Vocab: 5000, Embed: 32, Hidden: 32, MaxLen: 100, Padding: "pre", Masking: true, Dropout: 0.2}

func BenchmarkClassroomStepPortable(b *testing.B) {
	benchStep(b, classroomCfg, 64, 1, kernels.Portable)
}
