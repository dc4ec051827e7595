package compress

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"sentilab/core/nn"
)

// QLogits's chunks give the bits of one whole batch: every int8 product and
// gate of a review depends only on that review.
func TestQLogitsChunkedBitIdentical(t *testing.T) {
	for _, masking := range []bool{true, false} {
		c := nn.Config{Vocab: 60, Embed: 20, Hidden: 24, MaxLen: 30, Padding: "post", Masking: masking}
		q := Quantize(initModel(t, c, 3))
		set := randomSet(c, 157, 4)
		ref := append([]float32(nil), q.Logits(set.Tokens, set.N, &QWorkspace{})...)
		for _, bw := range [][2]int{{256, 1}, {5, 3}, {1, 2}} {
			got, err := QLogits(context.Background(), q, set, bw[0], bw[1])
			if err != nil {
				t.Fatal(err)
			}
			for i := range ref {
				if math.Float32bits(got[i]) != math.Float32bits(ref[i]) {
					t.Fatalf("masking %v batch %d workers %d: review %d: %v, whole batch %v", masking, bw[0], bw[1], i, got[i], ref[i])
				}
			}
		}
	}
}

// A cancel lands within a few time steps, even inside one review.
func TestQLogitsCancelLatency(t *testing.T) {
	c := nn.Config{Vocab: 50, Embed: 1024, Hidden: 1024, MaxLen: 59, Padding: "post"}
	if err := c.CheckBudget(nn.DefaultBudget); err != nil {
		t.Fatal(err)
	}
	m, _ := nn.NewModel(c)
	r := rand.New(rand.NewPCG(1, 1))
	for _, p := range m.Params() {
		for i := range p.W {
			p.W[i] = float32(r.NormFloat64()) * 0.05
		}
	}
	q := Quantize(m)
	set := randomSet(c, 40, 2)

	// Before anything runs: no work at all.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := q.LogitsContext(ctx, set.Tokens[:c.MaxLen], 1, &QWorkspace{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled context: %v", err)
	}

	// In the middle of a run.
	ctx, cancel = context.WithCancel(context.Background())
	var mu sync.Mutex
	var canceled time.Time
	time.AfterFunc(30*time.Millisecond, func() {
		mu.Lock()
		canceled = time.Now()
		mu.Unlock()
		cancel()
	})
	t0 := time.Now()
	_, err := QLogits(ctx, q, set, 256, 2)
	end := time.Now()
	mu.Lock()
	defer mu.Unlock()
	if canceled.IsZero() {
		t.Skipf("the run finished in %v, before the cancel", end.Sub(t0))
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	lat := end.Sub(canceled)
	t.Logf("cancel to return: %v", lat)
	if lat > time.Second {
		t.Errorf("cancel took %v, want ≤ 1 s", lat)
	}
}

func TestQLogitsRefusesOverBudget(t *testing.T) {
	c := tinyCfg
	c.MaxLen = 5000
	q := Quantize(initModel(t, c, 1))
	_, err := QLogits(context.Background(), q, randomSet(c, 1, 1), 1, 1)
	if err == nil || !strings.Contains(err.Error(), "int8 evaluation: config: max_len 5000 over the budget's 4096") {
		t.Fatalf("got %v", err)
	}
}
