package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"sentilab/core/kernels"
	"sentilab/core/nn"
	"sentilab/core/text"
)

// varied is n rows of random tokens (some ids ≥ vocab, read as OOV) with
// lengths 0..T, padded on the config's side.
func varied(c nn.Config, n int, seed uint64) Set {
	rng := rand.New(rand.NewPCG(seed, 2))
	T := c.MaxLen
	s := Set{Tokens: make([]int32, n*T), Labels: make([]float32, n), N: n}
	for i := 0; i < n; i++ {
		L := rng.IntN(T + 1)
		row := s.Tokens[i*T : (i+1)*T]
		if c.Padding == "pre" {
			row = row[T-L:]
		} else {
			row = row[:L]
		}
		for k := range row {
			row[k] = int32(1 + rng.IntN(c.Vocab+3))
		}
		s.Labels[i] = float32(i % 2)
	}
	return s
}

// rowExact says whether kernel k computes each row of a product the same
// way wherever the row sits: true of the native AVX kernels and gonum, not
// of the portable 4×4-blocked loop (nor WebAssembly's SIMD one), whose last
// m%4 rows take another path, so there a review's logit already depended in
// its last bits on its position in the batch before evaluation was chunked.
func rowExact(k kernels.Kernels) bool { return strings.HasPrefix(k.Name, "fast-") || k.Name == "gonum" }

func TestChunkedLogitsBitIdentical(t *testing.T) {
	for _, k := range []kernels.Kernels{kernels.Default(), kernels.Portable} {
		for _, masking := range []bool{false, true} {
			for _, pad := range []string{"post", "pre"} {
				c := nn.Config{Vocab: 50, Embed: 16, Hidden: 24, MaxLen: 40, Padding: pad, Masking: masking}
				m, _ := nn.NewModel(c)
				nn.Init(m, 3)
				set := varied(c, 301, 4)
				whole := EvalOptions{BatchSize: set.N, Workers: 1, Kernels: k, ChunkBytes: 1 << 40, ChunkFLOPs: 1 << 60}
				ref, err := Logits(context.Background(), m, set, whole)
				if err != nil {
					t.Fatal(err)
				}
				for _, opt := range []EvalOptions{
					{Workers: 2, Kernels: k},                // defaults: one chunk here
					{BatchSize: 7, Workers: 3, Kernels: k},  // ragged rounds
					{Workers: 2, Kernels: k, ChunkFLOPs: 1}, // one review per chunk
					{Workers: 1, Kernels: k, ChunkBytes: 20000},
				} {
					got, err := Logits(context.Background(), m, set, opt)
					if err != nil {
						t.Fatal(err)
					}
					for i := range ref {
						if rowExact(k) && math.Float32bits(got[i]) != math.Float32bits(ref[i]) ||
							math.Abs(float64(got[i]-ref[i])) > 1e-5*(1+math.Abs(float64(ref[i]))) {
							t.Fatalf("%s masking %v %s, batch %d chunk bytes %d FLOPs %d: logit %d is %v, unchunked %v",
								k.Name, masking, pad, opt.BatchSize, opt.ChunkBytes, opt.ChunkFLOPs, i, got[i], ref[i])
						}
					}
				}
			}
		}
	}
}

// TestLogitsGivenChunks: Logits in the chunks EvalChunks cuts gives the
// same bits as Logits cutting them itself, and chunks that skip, overlap or
// fall short of the rows are refused.
func TestLogitsGivenChunks(t *testing.T) {
	c := nn.Config{Vocab: 50, Embed: 16, Hidden: 24, MaxLen: 40, Padding: "pre", Masking: true}
	m, _ := nn.NewModel(c)
	nn.Init(m, 3)
	set := varied(c, 101, 4)
	opt := EvalOptions{BatchSize: 16, Workers: 2, Kernels: kernels.Portable}
	ref, err := Logits(context.Background(), m, set, opt)
	if err != nil {
		t.Fatal(err)
	}
	chunks := EvalChunks(c, set, opt)
	if len(chunks) < 2 || len(chunks)%2 != 0 {
		t.Fatalf("chunks %v: want whole rounds of 2", chunks)
	}
	given := opt
	given.Workers, given.Chunks = 1, chunks
	got, err := Logits(context.Background(), m, set, given)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ref {
		if math.Float32bits(got[i]) != math.Float32bits(ref[i]) {
			t.Fatalf("logit %d: %v in the given chunks, %v", i, got[i], ref[i])
		}
	}
	for _, bad := range [][][2]int{{{0, 50}, {51, 101}}, {{0, 50}, {40, 101}}, {{0, 100}}, {{1, 101}}, {}} {
		given.Chunks = bad // {} is an empty list, not "cut them yourself"
		if _, err := Logits(context.Background(), m, set, given); err == nil {
			t.Errorf("chunks %v for 101 rows: no error", bad)
		}
	}
}

// At the thesis shape a default chunk holds 22 unmasked reviews (1 GFLOP /
// 45 MFLOP); with masking it holds as many as fit by their real lengths.
func TestChunksThesisShape(t *testing.T) {
	c := nn.Config{Vocab: 20000, Embed: 128, Hidden: 128, MaxLen: 170, Padding: "post"}
	set := varied(c, 1000, 1)
	ch := Chunks(c, set.Tokens, set.N, 256, DefaultChunkBytes, DefaultChunkFLOPs)
	if len(ch) != 46 || ch[0] != [2]int{0, 22} || ch[45] != [2]int{990, 1000} {
		t.Errorf("unmasked: %d chunks, first %v last %v; want 46, [0 22], [990 1000]", len(ch), ch[0], ch[len(ch)-1])
	}
	c.Masking = true
	ch = Chunks(c, set.Tokens, set.N, 256, DefaultChunkBytes, DefaultChunkFLOPs)
	steps := 0
	for _, tok := range set.Tokens[:ch[0][1]*c.MaxLen] {
		if tok != 0 {
			steps++
		}
	}
	if steps > int(DefaultChunkFLOPs/c.FLOPsPerStep()) || ch[0][1] < 40 {
		t.Errorf("masked: first chunk %v has %d steps (bound %d)", ch[0], steps, DefaultChunkFLOPs/c.FLOPsPerStep())
	}
	// A single review over every bound is still a chunk of its own.
	if ch := Chunks(c, set.Tokens, 3, 256, 1, 1); len(ch) != 3 || ch[1] != [2]int{1, 2} {
		t.Errorf("tiny bounds: %v, want one review per chunk", ch)
	}
}

// A cancel lands between chunks: with the widest config the budget allows
// per example at embed = hidden = 1024, each chunk is one review of 1 GFLOP
// (and 59 passes over the 16 MiB recurrent kernel). The cancel comes in the
// middle of the second round. In WebAssembly nothing preempts the chunk, so
// the timer fires only after it: there the round time is the latency.
func TestLogitsCancelLatency(t *testing.T) {
	c := nn.Config{Vocab: 100, Embed: 1024, Hidden: 1024, MaxLen: 59, Padding: "post"}
	if err := c.CheckBudget(nn.DefaultBudget); err != nil {
		t.Fatal(err)
	}
	m, _ := nn.NewModel(c) // zero weights cost the same FLOPs
	set := varied(c, 16, 5)
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var canceled time.Time
	last := time.Now()
	var longest time.Duration
	rounds := 0
	_, err := Logits(ctx, m, set, EvalOptions{Workers: 2, Progress: func(d, _ int) {
		longest = max(longest, time.Since(last))
		last = time.Now()
		if rounds++; rounds == 1 {
			time.AfterFunc(longest/2, func() {
				mu.Lock()
				canceled = time.Now()
				mu.Unlock()
				cancel()
			})
		}
	}})
	end := time.Now()
	mu.Lock()
	lat := end.Sub(canceled)
	mu.Unlock()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v after %d rounds, want context.Canceled", err, rounds)
	}
	t.Logf("cancel to return: %v; longest round of 2 reviews %v; %d rounds", lat, longest, rounds)
	if lat > time.Second || longest > 2*time.Second {
		t.Errorf("cancel took %v to land, a round %v; want ≤ 1 s and ≤ 2 s", lat, longest)
	}
}

func TestLogitsRefusesOverBudget(t *testing.T) {
	c := nn.Config{Vocab: 20000, Embed: 128, Hidden: 128, MaxLen: 100000, Padding: "post"}
	m, err := nn.NewModel(c)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Logits(context.Background(), m, Set{}, EvalOptions{})
	if err == nil || !strings.Contains(err.Error(), "evaluation: config: max_len 100000 over the budget's 4096") {
		t.Fatalf("got %v", err)
	}
}

func TestLogitsOfTextsMatchesLogits(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	texts := make([]string, TextBlock+123)
	for i := range texts {
		var b strings.Builder
		for w := rng.IntN(30); w >= 0; w-- {
			fmt.Fprintf(&b, "w%d ", rng.IntN(60))
		}
		texts[i] = b.String()
	}
	c := nn.Config{Vocab: 40, Embed: 8, Hidden: 8, MaxLen: 20, Padding: "post", Masking: true}
	tok := text.FitTokenizer(texts, c.Vocab)
	m, _ := nn.NewModel(c)
	nn.Init(m, 1)
	set, err := Encode(tok, texts, make([]float32, len(texts)), c)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := Logits(context.Background(), m, set, EvalOptions{Kernels: kernels.Portable})
	if err != nil {
		t.Fatal(err)
	}
	last := 0
	got, err := LogitsOfTexts(context.Background(), m, tok, texts, EvalOptions{Kernels: kernels.Portable, Progress: func(d, n int) {
		if d <= last || n != len(texts) {
			t.Fatalf("progress %d/%d after %d", d, n, last)
		}
		last = d
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ref) || last != len(texts) {
		t.Fatalf("%d logits (progress reached %d), want %d", len(got), last, len(ref))
	}
	for i := range ref {
		if math.Float32bits(got[i]) != math.Float32bits(ref[i]) {
			t.Fatalf("text %d: %v, Logits gives %v", i, got[i], ref[i])
		}
	}
}
