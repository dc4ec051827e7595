package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"sentilab/core/kernels"
	"sentilab/core/nn"
)

func TestPartition(t *testing.T) {
	rows := []int{10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}
	for _, c := range []struct {
		workers, chunk int
		want           string
	}{
		{1, 100, "[{[10 11 12 13 14 15 16 17 18 19 20] 0}]"},
		{1, 4, "[{[10 11 12 13 14 15 16 17 18 19 20] 0}]"},
		{3, 100, "[{[10 11 12] 0} {[13 14 15 16] 1} {[17 18 19 20] 2}]"},
		{3, 2, "[{[10 11 12] 0} {[13 14 15 16] 2} {[17 18 19 20] 4}]"},
		{20, 4, "[{[10] 0} {[11] 1} {[12] 2} {[13] 3} {[14] 4} {[15] 5} {[16] 6} {[17] 7} {[18] 8} {[19] 9} {[20] 10}]"},
	} {
		if got := fmt.Sprint(Partition(rows, c.workers, c.chunk)); got != c.want {
			t.Errorf("%d workers, chunk %d: %s, want %s", c.workers, c.chunk, got, c.want)
		}
	}
}

func TestChunkSize(t *testing.T) {
	thesis := nn.Config{Vocab: 20000, Embed: 128, Hidden: 128, MaxLen: 170, Padding: "post"}
	classroom := nn.Config{Vocab: 5000, Embed: 32, Hidden: 32, MaxLen: 100, Padding: "pre"}
	if c := ChunkSize(thesis); c != 32 {
		t.Errorf("thesis chunk %d, want 32 (the floor)", c)
	}
	if c := ChunkSize(classroom); c != 813 || EvalBatch(classroom) != 256 || EvalBatch(thesis) != 64 {
		t.Errorf("classroom chunk %d eval %d, thesis eval %d", c, EvalBatch(classroom), EvalBatch(thesis))
	}
}

// Chunks change only how the sums are grouped: without dropout, a fit in
// chunks of 5 ends within float rounding of a fit in one chunk per batch.
// With dropout the chunk picks the masks, so the weights differ.
func TestChunksOnlyRegroup(t *testing.T) {
	run := func(chunk int, dropout float32) *nn.Model {
		cfg := toyConfig(true)
		cfg.Dropout = dropout
		m, _ := nn.NewModel(cfg)
		nn.Init(m, 4)
		_, err := Fit(context.Background(), m, toySet(300, cfg.MaxLen, 4),
			Options{Epochs: 2, BatchSize: 32, Seed: 4, LR: 1e-3, Workers: 2, Chunk: chunk, Kernels: kernels.Portable})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	a, b := run(0, 0), run(5, 0)
	worst := 0.0
	for k, p := range a.Params() {
		for i, w := range p.W {
			worst = math.Max(worst, math.Abs(float64(w-b.Params()[k].W[i])))
		}
	}
	if worst > 1e-5 || worst == 0 {
		t.Errorf("chunks of 5 vs one per worker: largest weight difference %g, want (0, 1e-5]", worst)
	}
	if hashModel(run(0, 0.3)) == hashModel(run(5, 0.3)) {
		t.Error("with dropout, chunks of 5 gave the masks of one chunk per worker")
	}
}

// Pause runs before every batch (a shape with one chunk per batch still
// gives the browser its turns), between chunks and between a chunk's
// forward and backward pass; its error stops the fit.
func TestFitPause(t *testing.T) {
	cfg := toyConfig(true)
	m, _ := nn.NewModel(cfg)
	nn.Init(m, 1)
	calls := 0
	stop := errors.New("stop")
	opt := Options{Epochs: 1, BatchSize: 10, Seed: 1, LR: 1e-3, Workers: 1, Kernels: kernels.Portable, Pause: func() error {
		calls++
		if calls == 7 {
			return stop
		}
		return nil
	}}
	_, err := Fit(context.Background(), m, toySet(100, cfg.MaxLen, 1), opt)
	if !errors.Is(err, stop) || calls != 7 {
		t.Errorf("one chunk per batch: err %v after %d pauses, want the pause's error at the 7th (batch 4, before it)", err, calls)
	}
	calls = 0
	opt.Chunk, opt.Pause = 3, func() error { calls++; return nil } // 4 chunks a batch: 1 pause before, 3 between, 4 inside
	if _, err := Fit(context.Background(), m, toySet(100, cfg.MaxLen, 1), opt); err != nil || calls != 10*8 {
		t.Errorf("chunks of 3: %d pauses (err %v), want 80", calls, err)
	}
}
