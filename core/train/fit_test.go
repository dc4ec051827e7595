package train

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"sentilab/core/kernels"
	"sentilab/core/nn"
)

// toySet is a task an LSTM must learn and a bag of words could not: the label
// is whether token 2 appears before token 3 (both appear once, among noise).
func toySet(n, T int, seed uint64) Set {
	rng := rand.New(rand.NewPCG(seed, 1))
	s := Set{Tokens: make([]int32, n*T), Labels: make([]float32, n), N: n}
	for i := 0; i < n; i++ {
		L := 4 + rng.IntN(T-3)
		row := s.Tokens[i*T : i*T+L]
		for k := range row {
			row[k] = int32(4 + rng.IntN(8))
		}
		a, b := rng.IntN(L), rng.IntN(L-1)
		if b >= a {
			b++
		}
		row[a], row[b] = 2, 3
		if a < b {
			s.Labels[i] = 1
		}
	}
	return s
}

func toyConfig(masking bool) nn.Config {
	return nn.Config{Vocab: 12, Embed: 8, Hidden: 16, MaxLen: 12, Padding: "post", Masking: masking, Dropout: 0.1}
}

func hashModel(m *nn.Model) string {
	h := sha256.New()
	for _, p := range m.Params() {
		for _, w := range p.W {
			binary.Write(h, binary.LittleEndian, math.Float32bits(w))
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))[:16]
}

func TestFitLearnsOrder(t *testing.T) {
	cfg := toyConfig(true)
	m, _ := nn.NewModel(cfg)
	nn.Init(m, 1)
	set := toySet(3000, cfg.MaxLen, 2)
	opt := Options{Epochs: 12, BatchSize: 32, ValSplit: 0.2, Seed: 3, LR: 0.01, Workers: 2, Kernels: kernels.Portable}
	var events int
	opt.Progress = func(p Progress) {
		events++
		if p.Done > p.Total || p.Batch > p.Batches || p.ExamplesPerSec <= 0 {
			t.Fatalf("inconsistent progress %+v", p)
		}
	}
	res, err := Fit(context.Background(), m, set, opt)
	if err != nil {
		t.Fatal(err)
	}
	last := res.History[len(res.History)-1]
	t.Logf("history: first %+v last %+v", res.History[0], last)
	if last.ValAccuracy < 0.95 {
		t.Errorf("validation accuracy %.3f after %d epochs, want ≥ 0.95", last.ValAccuracy, len(res.History))
	}
	if res.History[0].Loss <= last.Loss {
		t.Errorf("loss did not fall: %v → %v", res.History[0].Loss, last.Loss)
	}
	if want := 12 * ((2400 + 31) / 32); events != want {
		t.Errorf("%d progress events, want %d (one per batch)", events, want)
	}
}

// Same seed and worker count ⇒ same bits, whatever the scheduling; the
// gradient sum runs in shard order. A different seed gives different weights.
func TestFitDeterministic(t *testing.T) {
	run := func(seed uint64, workers int) string {
		cfg := toyConfig(true)
		m, _ := nn.NewModel(cfg)
		nn.Init(m, seed)
		_, err := Fit(context.Background(), m, toySet(500, cfg.MaxLen, 5),
			Options{Epochs: 2, BatchSize: 16, ValSplit: 0.1, Seed: seed, LR: 1e-3, Workers: workers, Kernels: kernels.Portable})
		if err != nil {
			t.Fatal(err)
		}
		return hashModel(m)
	}
	a, b := run(1, 3), run(1, 3)
	if a != b {
		t.Fatalf("same seed, different weights: %s vs %s", a, b)
	}
	if c := run(2, 3); c == a {
		t.Fatalf("different seeds gave the same weights %s", a)
	}
}

func TestFitCancel(t *testing.T) {
	cfg := toyConfig(false)
	m, _ := nn.NewModel(cfg)
	nn.Init(m, 1)
	ctx, cancel := context.WithCancel(context.Background())
	batches := 0
	_, err := Fit(ctx, m, toySet(1000, cfg.MaxLen, 1), Options{Epochs: 5, BatchSize: 10, Seed: 1, LR: 1e-3, Workers: 1, Kernels: kernels.Portable,
		Progress: func(p Progress) {
			batches++
			if batches == 3 {
				cancel()
			}
		}})
	if !errors.Is(err, context.Canceled) || batches != 3 {
		t.Fatalf("after cancel at batch 3: err %v, %d batches run", err, batches)
	}
}

func TestEarlyStoppingRestoresBest(t *testing.T) {
	cfg := toyConfig(true)
	m, _ := nn.NewModel(cfg)
	nn.Init(m, 1)
	set := toySet(400, cfg.MaxLen, 9)
	// A huge learning rate makes validation loss worse quickly.
	res, err := Fit(context.Background(), m, set, Options{Epochs: 30, BatchSize: 8, ValSplit: 0.25, Seed: 1, LR: 0.5, Workers: 1, Patience: 2, Kernels: kernels.Portable})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.History) == 30 {
		t.Fatalf("early stopping never triggered: %+v", res.History)
	}
	if got := len(res.History) - res.BestEpoch; got != 2 {
		t.Errorf("stopped %d epochs after the best, want patience 2", got)
	}
	vm, _ := Evaluate(context.Background(), m, set.Rows(300, 400, cfg.MaxLen), EvalOptions{Kernels: kernels.Portable})
	if best := res.History[res.BestEpoch-1].ValLoss; math.Abs(vm.Loss-best) > 1e-9 {
		t.Errorf("restored weights give val loss %v, best epoch had %v", vm.Loss, best)
	}
}

func TestOptionsRefused(t *testing.T) {
	good := Options{Epochs: 1, BatchSize: 8, Seed: 1, LR: 1e-3, Workers: 1, Kernels: kernels.Portable}
	for name, mod := range map[string]func(*Options){
		"epochs":   func(o *Options) { o.Epochs = 0 },
		"batch":    func(o *Options) { o.BatchSize = -1 },
		"valsplit": func(o *Options) { o.ValSplit = 1 },
		"lr":       func(o *Options) { o.LR = math.NaN() },
		"workers":  func(o *Options) { o.Workers = 0 },
		"patience": func(o *Options) { o.Patience = 3 },
	} {
		o := good
		mod(&o)
		if err := o.Validate(); err == nil {
			t.Errorf("%s: bad options accepted: %+v", name, o)
		}
	}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestMetricsReport(t *testing.T) {
	// 3 TN, 1 FP, 2 FN, 4 TP.
	logits := []float32{-1, -2, -3, 1, -1, -1, 2, 2, 2, 2}
	labels := []float32{0, 0, 0, 0, 1, 1, 1, 1, 1, 1}
	mt := MetricsOf(logits, labels)
	if mt.Confusion != [2][2]int{{3, 1}, {2, 4}} || mt.Accuracy != 0.7 {
		t.Fatalf("confusion %v accuracy %v", mt.Confusion, mt.Accuracy)
	}
	pos := mt.Classes["positive"]
	if math.Abs(pos.Precision-0.8) > 1e-12 || math.Abs(pos.Recall-4.0/6) > 1e-12 || pos.Support != 6 {
		t.Errorf("positive row %+v", pos)
	}
	neg := mt.Classes["negative"]
	wantF1 := 2 * 0.6 * 0.75 / (0.6 + 0.75)
	if math.Abs(neg.F1-wantF1) > 1e-12 {
		t.Errorf("negative F1 %v want %v", neg.F1, wantF1)
	}
	if math.Abs(mt.Weighted.Recall-0.7) > 1e-12 { // weighted recall = accuracy
		t.Errorf("weighted recall %v", mt.Weighted.Recall)
	}
}
