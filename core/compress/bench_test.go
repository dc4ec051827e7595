package compress

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"sentilab/core/kernels"
	"sentilab/core/nn"
	"sentilab/core/train"
)

// The fast preset's shape (E = H = 128, masked), 256 reviews of 100 steps:
// float32 with this build's kernel against the int8 runtime, one goroutine.
var benchCfg = nn.Config{Vocab: 20000, Embed: 128, Hidden: 128, MaxLen: 170, Padding: "post", Masking: true, Dropout: 0.2}

// The tokens are drawn as the IMDB reviews' are spread: the tokenizer
// numbers words by frequency, and a Zipf law P(k) ∝ (20 + k)^-1.1 puts 46%
// of the tokens below id 256, 74% below 2,048 and 83% below 4,096 (the
// IMDB test reviews under the fast preset's tokenizer: 41%, 75%, 85%),
// which is what the int8 runtime's table of inputs meets (qinputs.go).
func benchSet() train.Set {
	const n, L = 256, 100
	r := rand.New(rand.NewPCG(7, 8))
	z := rand.NewZipf(r, 1.1, 20, uint64(benchCfg.Vocab-3))
	s := train.Set{Tokens: make([]int32, n*benchCfg.MaxLen), Labels: make([]float32, n), N: n}
	for i := 0; i < n; i++ {
		for t := 0; t < L; t++ {
			s.Tokens[i*benchCfg.MaxLen+t] = int32(2 + z.Uint64())
		}
	}
	return s
}

// Batched (256 reviews at once) and one review at a time, as the page's
// "Try" box runs them. Compare within one run: go test -bench Infer -count 5.
func BenchmarkInferFloat32(b *testing.B) {
	m := initModel(b, benchCfg, 1)
	set := benchSet()
	for _, batch := range []int{256, 1} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			opt := train.EvalOptions{BatchSize: batch, Workers: 1, Kernels: kernels.Default()}
			for i := 0; i < b.N; i++ {
				train.Logits(context.Background(), m, set, opt)
			}
			b.ReportMetric(float64(b.N*set.N)/b.Elapsed().Seconds(), "reviews/s")
		})
	}
}

// BenchmarkInferInt8's act7 runs are the 7-bit hidden state (act7.go):
// relaxed SIMD in Chromium (scripts/go_js_wasm_chromium.mjs), the Go
// quantizer elsewhere.
func BenchmarkInferInt8(b *testing.B) {
	q := Quantize(initModel(b, benchCfg, 1))
	set := benchSet()
	for _, act7 := range []bool{false, true} {
		logits := QLogits
		name := ""
		if act7 {
			logits, name = QLogitsAct7, "act7/"
		}
		for _, batch := range []int{256, 1} {
			b.Run(fmt.Sprintf("%sbatch=%d", name, batch), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					logits(context.Background(), q, set, batch, 1)
				}
				b.ReportMetric(float64(b.N*set.N)/b.Elapsed().Seconds(), "reviews/s")
			})
		}
	}
}
