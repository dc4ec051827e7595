package train

import (
	"context"
	"testing"

	"sentilab/core/kernels"
	"sentilab/core/nn"
)

// goldenWeights is the hash of the weights after the short run below. The same
// test runs natively and under WebAssembly (.ci/run does both), so equality
// with one constant means the two builds train bit-identically: same
// initialisation, same shuffles and dropout masks, same float32 rounding in
// the portable kernel and the hand-written exp/tanh/sigmoid, same Adam.
// If a deliberate change to the numerics moves it, update it from the
// native run and check that the wasm run agrees.
const goldenWeights = "a0bf8d08fe163e54"

func TestBitIdenticalAcrossTargets(t *testing.T) {
	// In wasm, also the SIMD kernel (when the host provides it:
	// scripts/go_js_wasm_exec), which must give the portable kernel's bits.
	kerns := []kernels.Kernels{kernels.Portable}
	if k := kernels.Default(); k.Name == "simd128" {
		kerns = append(kerns, k)
	}
	for _, kern := range kerns {
		for _, workers := range []int{1, 3} {
			checkGoldenRun(t, kern, workers)
		}
	}
}

func checkGoldenRun(t *testing.T, kern kernels.Kernels, workers int) {
	t.Helper()
	cfg := nn.Config{Vocab: 12, Embed: 8, Hidden: 16, MaxLen: 12, Padding: "post", Masking: true, Dropout: 0.2}
	m, _ := nn.NewModel(cfg)
	nn.Init(m, 11)
	_, err := Fit(context.Background(), m, toySet(600, cfg.MaxLen, 12),
		Options{Epochs: 2, BatchSize: 32, ValSplit: 0.1, Seed: 11, LR: 3e-3, Workers: workers, Kernels: kern})
	if err != nil {
		t.Fatal(err)
	}
	got := hashModel(m)
	want := goldenWeights
	if workers == 3 {
		want = goldenWeights3
	}
	if got != want {
		t.Errorf("%s kernel, workers %d: weights hash %s, want %s", kern.Name, workers, got, want)
	}
}

const goldenWeights3 = "a2ab3779accf607b"
