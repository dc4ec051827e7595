package train

import (
	"context"
	"fmt"
	"sync"

	"sentilab/core/kernels"
	"sentilab/core/nn"
	"sentilab/core/text"
)

// EvalOptions control batched inference.
type EvalOptions struct {
	BatchSize int // the most examples in one chunk (default 256)
	Workers   int
	Kernels   kernels.Kernels
	Progress  func(done, total int) // after every round of chunks; may be nil
	Pause     func() error          // between rounds (the browser's turn to JS); its error stops; may be nil

	// ChunkBytes and ChunkFLOPs bound one worker's chunk (defaults
	// DefaultChunkBytes, DefaultChunkFLOPs): its activations and its
	// forward products. The context is checked between rounds of chunks, so
	// ChunkFLOPs is what bounds how late a cancel lands, and ChunkBytes what
	// evaluation holds, whatever max_len and the widths are.
	ChunkBytes int64
	ChunkFLOPs int64

	// Reuse, when not nil, lends the workspaces and takes them back, so
	// that the next call does not allocate them again.
	Reuse *Workspaces

	// Chunks, if set, are the row ranges to score, in order, covering the
	// set: a share of another evaluation's chunks (EvalChunks) gives its
	// bits. A logit depends on its chunk in its last bits with the portable
	// and SIMD128 kernels, whose last m%4 rows of a product take another
	// path (rowExact in the tests).
	Chunks [][2]int
}

// Workspaces keeps Logits's workspaces from one call to the next. The
// browser's Compare step evaluates variant after variant: allocating ~20 MB
// of activations per call, and collecting them, cost a third of scoring
// 200 classroom reviews (issue 9). The zero value is ready; Drop lets their
// memory go (before training, which needs it).
type Workspaces struct {
	mu   sync.Mutex
	free []*nn.Workspace
}

func (p *Workspaces) get(cfg nn.Config, k kernels.Kernels) *nn.Workspace {
	if p != nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		for i, ws := range p.free {
			if ws.Kernels().Name == k.Name {
				p.free = append(p.free[:i], p.free[i+1:]...)
				return ws
			}
		}
	}
	return nn.NewWorkspace(cfg, k)
}

func (p *Workspaces) put(wss []*nn.Workspace) {
	if p != nil {
		p.mu.Lock()
		p.free = append(p.free, wss...)
		p.mu.Unlock()
	}
}

// Drop forgets the kept workspaces.
func (p *Workspaces) Drop() {
	p.mu.Lock()
	p.free = nil
	p.mu.Unlock()
}

// Chunk bounds by default: 256 MiB and 1 GFLOP per worker (≈ 15–50 ms on
// an AVX-512 core, ≈ 50–100 ms in WebAssembly with SIMD). At the thesis
// shape a chunk holds 22 unmasked reviews, or about 30 masked ones; a chunk
// is always at least one review, which nn.DefaultBudget bounds the same way.
// Smaller chunks did not cost throughput: the thesis test split ran at
// 2,700–6,600 reviews/s natively against 3,700–4,200 in batches of 256
// (2 workers, load average 9).
const (
	DefaultChunkBytes = 256 << 20
	DefaultChunkFLOPs = 1e9
)

func (o *EvalOptions) defaults() {
	if o.BatchSize < 1 {
		o.BatchSize = 256
	}
	if o.Workers < 1 {
		o.Workers = 1
	}
	if o.Kernels.Gemm == nil {
		o.Kernels = kernels.Default()
	}
	if o.ChunkBytes <= 0 {
		o.ChunkBytes = DefaultChunkBytes
	}
	if o.ChunkFLOPs <= 0 {
		o.ChunkFLOPs = DefaultChunkFLOPs
	}
}

// Chunks splits the n examples of tokens [n, T] into consecutive ranges
// [a, b) of at most maxB examples whose cost stays within maxBytes and
// maxFLOPs: an example costs its live steps (all T without masking, its
// non-padding tokens with it) times the per-step costs of nn.Budget, plus
// its T token ids twice (the input and nn.BatchOrder's copy). A range
// always holds at least one example.
func Chunks(c nn.Config, tokens []int32, n, maxB int, maxBytes, maxFLOPs int64) [][2]int {
	T := c.MaxLen
	stepBytes, stepFLOPs := c.InferBytesPerStep(), c.FLOPsPerStep()
	var out [][2]int
	a := 0
	var bytes, flops int64
	for i := 0; i < n; i++ {
		live := int64(LiveSteps(c, tokens[i*T:(i+1)*T]))
		eb, ef := live*stepBytes+8*int64(T), live*stepFLOPs
		if i > a && (i-a >= maxB || bytes+eb > maxBytes || flops+ef > maxFLOPs) {
			out = append(out, [2]int{a, i})
			a, bytes, flops = i, 0, 0
		}
		bytes += eb
		flops += ef
	}
	if a < n {
		out = append(out, [2]int{a, n})
	}
	return out
}

// LiveSteps is how many LSTM steps a row of token ids costs: its tokens
// when the model is masked (padding, id 0, is skipped wherever it is),
// else every one of them.
func LiveSteps(c nn.Config, row []int32) int {
	if !c.Masking {
		return len(row)
	}
	live := 0
	for _, tok := range row {
		if tok != 0 {
			live++
		}
	}
	return live
}

// Logits runs the model over set (no dropout) and returns one logit per row.
// It works in chunks (see EvalOptions), Workers of them at a time, and
// returns ctx's error between rounds. A config over nn.DefaultBudget is
// refused: one review of it alone could exceed any memory. Each logit
// depends only on its own review, and with a row-exact kernel (AVX, gonum)
// the chunking never changes a bit; with the portable and SIMD128 kernels
// a review's last bits depend on its place in a chunk (their last m%4 rows
// of a product take another path), so scoring a share of the rows
// elsewhere keeps the bits only in the same chunks (opt.Chunks).
func Logits(ctx context.Context, m *nn.Model, set Set, opt EvalOptions) ([]float32, error) {
	opt.defaults()
	if err := m.Cfg.CheckBudget(nn.DefaultBudget); err != nil {
		return nil, fmt.Errorf("evaluation: %v", err)
	}
	T := m.Cfg.MaxLen
	if len(set.Tokens) != set.N*T || len(set.Labels) != set.N {
		return nil, fmt.Errorf("evaluation set: %d rows, %d tokens, %d labels (want tokens = rows × max length %d)", set.N, len(set.Tokens), len(set.Labels), T)
	}
	chunks := opt.Chunks
	if chunks == nil {
		chunks = EvalChunks(m.Cfg, set, opt)
	}
	if set.N > 0 && len(chunks) == 0 {
		return nil, fmt.Errorf("evaluation chunks: none for %d rows", set.N)
	}
	for i, ch := range chunks {
		if ch[0] < 0 || ch[0] >= ch[1] || (i == 0 && ch[0] != 0) || (i > 0 && ch[0] != chunks[i-1][1]) || (i == len(chunks)-1 && ch[1] != set.N) {
			return nil, fmt.Errorf("evaluation chunks %v do not cover the %d rows in order", chunks, set.N)
		}
	}
	out := make([]float32, set.N)
	wss := make([]*nn.Workspace, opt.Workers)
	for w := range wss {
		wss[w] = opt.Reuse.get(m.Cfg, opt.Kernels)
	}
	defer opt.Reuse.put(wss)
	for lo := 0; lo < len(chunks); lo += opt.Workers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		round := chunks[lo:min(lo+opt.Workers, len(chunks))]
		if opt.Pause != nil && lo > 0 {
			if err := opt.Pause(); err != nil {
				return nil, err
			}
		}
		var wg sync.WaitGroup
		for w, ch := range round {
			wg.Add(1)
			go func(ws *nn.Workspace, a, b int) {
				defer wg.Done()
				copy(out[a:b], ws.Forward(m, set.Tokens[a*T:b*T], b-a, nil))
			}(wss[w], ch[0], ch[1])
		}
		wg.Wait()
		if opt.Progress != nil {
			opt.Progress(round[len(round)-1][1], set.N)
		}
	}
	return out, nil // finished work is returned even if ctx ended meanwhile
}

// EvalChunks is the row ranges Logits scores set in with opt (and
// opt.Chunks unset): Chunks, cut into whole rounds of opt.Workers if the
// bounds allow.
func EvalChunks(c nn.Config, set Set, opt EvalOptions) [][2]int {
	opt.defaults()
	chunks := Chunks(c, set.Tokens, set.N, opt.BatchSize, opt.ChunkBytes, opt.ChunkFLOPs)
	if W := opt.Workers; W > 1 && len(chunks)%W != 0 {
		// A last round with idle workers: 64 thesis-shape reviews in 1 GFLOP
		// chunks are 22+22+20, two rounds of which the second keeps one of
		// two workers busy (lab bench's batched rows, 0.94× the unchunked
		// code). Smaller chunks that make whole rounds, if the bounds allow.
		k := (len(chunks)/W + 1) * W
		if even := Chunks(c, set.Tokens, set.N, min(opt.BatchSize, (set.N+k-1)/k), opt.ChunkBytes, opt.ChunkFLOPs); len(even)%W == 0 {
			chunks = even
		}
	}
	return chunks
}

// Evaluate returns the loss, accuracy, confusion matrix and classification
// report of m on set.
func Evaluate(ctx context.Context, m *nn.Model, set Set, opt EvalOptions) (*Metrics, error) {
	logits, err := Logits(ctx, m, set, opt)
	if err != nil {
		return nil, err
	}
	return MetricsOf(logits, set.Labels), nil
}

// TextBlock is how many texts LogitsOfTexts pads at a time.
const TextBlock = 4096

// LogitsOfTexts is Logits over already-cleaned texts, tokenized and padded
// TextBlock texts at a time, so the padded ids of the whole set never exist
// at once (50,000 reviews at max_len 4096 would be 800 MB of them).
// Progress counts texts.
func LogitsOfTexts(ctx context.Context, m *nn.Model, tok *text.Tokenizer, cleaned []string, opt EvalOptions) ([]float32, error) {
	out := make([]float32, 0, len(cleaned))
	progress := opt.Progress
	for lo := 0; lo < len(cleaned); lo += TextBlock {
		hi := min(lo+TextBlock, len(cleaned))
		set, err := Encode(tok, cleaned[lo:hi], make([]float32, hi-lo), m.Cfg)
		if err != nil {
			return nil, err
		}
		if progress != nil {
			opt.Progress = func(d, _ int) { progress(lo+d, len(cleaned)) }
		}
		z, err := Logits(ctx, m, set, opt)
		if err != nil {
			return nil, err
		}
		out = append(out, z...)
	}
	return out, nil
}
