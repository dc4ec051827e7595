package explain

import (
	"context"
	"fmt"
	"math"

	"sentilab/core/kernels"
	"sentilab/core/nn"
)

// DefaultIGSteps is the first m, the number of trapezoid intervals of the
// path integral: the masked shipped models are complete to 0.02% with it.
const DefaultIGSteps = 64

// Method and Formula describe the attribution for the page and the CLI.
const (
	Method  = "integrated gradients on the embedding (zero-vector baseline, trapezoid rule)"
	Formula = "IG_t = Σ_e (x_te − x'_te) · ∫₀¹ ∂F(x' + α(x − x'))/∂x_te dα"
)

// Attribution is integrated gradients for one review: Scores[t] is step t's
// share of F(x) − F(x'), F the logit, x' = 0 the baseline.
type Attribution struct {
	Scores        []float32 // per step of the Reading, summed over embedding dims
	Logit         float32   // F(x)
	BaselineLogit float32   // F(x') with every step's embedding vector zero
	Steps         int       // m, the first grid's trapezoid intervals
	Points        int       // points of the path evaluated (m+1, more where refined)
}

// Sum is Σ_t Scores[t].
func (a *Attribution) Sum() float64 {
	var s float64
	for _, v := range a.Scores {
		s += float64(v)
	}
	return s
}

// Completeness is |Σ_t IG_t − (F(x) − F(x'))| / |F(x) − F(x')|: 0 for exact
// integration, the quadrature and float32 error otherwise.
func (a *Attribution) Completeness() float64 {
	d := float64(a.Logit) - float64(a.BaselineLogit)
	return math.Abs(a.Sum()-d) / math.Max(math.Abs(d), 1e-12)
}

// chunkAlphas bounds how many points of the path run in one batch: the
// workspace holds ~10 floats × 4H per row, so 17 copies of a 170-step
// review at H = 128 take ~25 MB (a wasm memory never shrinks).
const chunkAlphas = 17

// IntegratedGradients attributes m's logit for one encoded review to the
// steps it reads (the steps of Read, in order). The path integral is the
// trapezoid rule on a grid of steps intervals (DefaultIGSteps if ≤ 0),
// refined where it is not yet accurate: an interval is halved while the
// trapezoid of dF/dα = x·∂F/∂x over it moves by more than its share of
// Tolerance·|F(x) − F(x')| when its midpoint is added. An LSTM that reads its
// padding (the thesis model) can switch sharply somewhere along the path,
// and only that stretch needs the finer grid. Cost: one forward and backward
// pass per point (Attribution.Points, at most MaxIGPoints), run in batches;
// it stops between batches when ctx ends.
func IntegratedGradients(ctx context.Context, m *nn.Model, in Input, steps int) (*Attribution, error) {
	c := m.Cfg
	if len(in.Tokens) != c.MaxLen {
		return nil, fmt.Errorf("explain: %d tokens, want max_len %d", len(in.Tokens), c.MaxLen)
	}
	if steps <= 0 {
		steps = DefaultIGSteps
	}
	x := Embedded(m, in.Tokens)
	E := c.Embed
	S := len(x) / E
	a := &Attribution{Scores: make([]float32, S), Steps: steps}
	alphas := make([]float32, steps+1)
	for k := range alphas {
		alphas[k] = float32(k) / float32(steps)
	}
	pts, err := evaluate(ctx, m, in.Tokens, x, alphas)
	if err != nil {
		return nil, err
	}
	a.Points = len(pts)
	a.BaselineLogit, a.Logit = pts[0].z, pts[steps].z
	budget := Tolerance * math.Abs(float64(a.Logit)-float64(a.BaselineLogit))
	sum := make([]float64, len(x)) // Σ over finished intervals of their trapezoid weights × ∂F/∂x
	var open []interval
	for k := 0; k < steps; k++ {
		open = append(open, interval{pts[k], pts[k+1]})
	}
	for len(open) > 0 {
		if a.Points+len(open) > MaxIGPoints {
			for _, iv := range open { // out of budget: keep the grid as it is
				iv.add(sum)
			}
			break
		}
		mids := make([]float32, len(open))
		for i, iv := range open {
			mids[i] = (iv.lo.alpha + iv.hi.alpha) / 2
		}
		ms, err := evaluate(ctx, m, in.Tokens, x, mids)
		if err != nil {
			return nil, err
		}
		a.Points += len(ms)
		var next []interval
		for i, iv := range open {
			l, r := interval{iv.lo, ms[i]}, interval{ms[i], iv.hi}
			w := float64(iv.hi.alpha - iv.lo.alpha)
			if math.Abs(l.trapezoid()+r.trapezoid()-iv.trapezoid()) <= budget*w || w < 1.0/4096 {
				l.add(sum)
				r.add(sum)
				continue
			}
			next = append(next, l, r)
		}
		open = next
	}
	for t := 0; t < S; t++ {
		var s float64
		for e := t * E; e < (t+1)*E; e++ {
			s += float64(x[e]) * sum[e]
		}
		a.Scores[t] = float32(s)
	}
	return a, nil
}

// Tolerance is the share of |F(x) − F(x')| the refinement aims the
// completeness error at (half the 1% the tests and the page hold it to);
// MaxIGPoints bounds the points of the path it evaluates.
const (
	Tolerance   = 0.005
	MaxIGPoints = 1024
)

// point is the path at one α: F and ∂F/∂x there, and dF/dα = x·∂F/∂x.
type point struct {
	alpha float32
	z     float32
	grad  []float32
	slope float64
}

type interval struct{ lo, hi point }

func (iv interval) trapezoid() float64 {
	return float64(iv.hi.alpha-iv.lo.alpha) / 2 * (iv.lo.slope + iv.hi.slope)
}

// add adds the interval's trapezoid weights × the gradients to sum.
func (iv interval) add(sum []float64) {
	w := float64(iv.hi.alpha-iv.lo.alpha) / 2
	for j := range sum {
		sum[j] += w * (float64(iv.lo.grad[j]) + float64(iv.hi.grad[j]))
	}
}

// evaluate runs the path at each α, in batches of chunkAlphas.
func evaluate(ctx context.Context, m *nn.Model, tokens []int32, x []float32, alphas []float32) ([]point, error) {
	var pts []point
	for lo := 0; lo < len(alphas); lo += chunkAlphas {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hi := min(lo+chunkAlphas, len(alphas))
		xs := make([][]float32, 0, hi-lo)
		for _, alpha := range alphas[lo:hi] {
			xk := make([]float32, len(x))
			for i, v := range x {
				xk[i] = alpha * v
			}
			xs = append(xs, xk)
		}
		z, grads := Gradients(m, tokens, xs)
		for i, alpha := range alphas[lo:hi] {
			p := point{alpha: alpha, z: z[i], grad: grads[i]}
			for j, g := range p.grad {
				p.slope += float64(x[j]) * float64(g)
			}
			pts = append(pts, p)
		}
	}
	return pts, nil
}

// Embedded returns the embedding vectors of the steps m reads for tokens
// [max_len] ([steps, E], the steps of Read), as Forward gathers them
// (an id outside the vocabulary reads as OOV).
func Embedded(m *nn.Model, tokens []int32) []float32 {
	E, V := m.Cfg.Embed, int32(m.Cfg.Vocab)
	ps := steps(m.Cfg, tokens)
	x := make([]float32, 0, len(ps)*E)
	for _, p := range ps {
		tok := tokens[p]
		if tok < 0 || tok >= V {
			tok = 1
		}
		x = append(x, m.Embedding[int(tok)*E:int(tok+1)*E]...)
	}
	return x
}

// Gradients evaluates F, m's logit, for the review tokens with its embedded
// steps replaced by each of xs ([steps, E], as Embedded lays them out), and
// returns each F and ∂F/∂x ([steps, E]). It runs m's own Forward and
// Backward on a stand-in model whose vocabulary has one row per (input,
// step), so each step's gradient comes back as its own embedding row's.
func Gradients(m *nn.Model, tokens []int32, xs [][]float32) ([]float32, [][]float32) {
	c := m.Cfg
	T, E := c.MaxLen, c.Embed
	ps := steps(c, tokens)
	S, K := len(ps), len(xs)
	pc := c
	pc.Vocab = 2 + K*S
	stand := &nn.Model{Cfg: pc, Embedding: make([]float32, pc.Vocab*E), Kernel: m.Kernel, Recurrent: m.Recurrent,
		Bias: m.Bias, DenseW: m.DenseW, DenseB: m.DenseB}
	toks := make([]int32, K*T) // padding a masked model skips stays 0
	for k, x := range xs {
		if len(x) != S*E {
			panic(fmt.Sprintf("explain: input %d has %d values, want steps %d × embed %d", k, len(x), S, E))
		}
		for s, p := range ps {
			id := 2 + k*S + s
			toks[k*T+p] = int32(id)
			copy(stand.Embedding[id*E:(id+1)*E], x[s*E:(s+1)*E])
		}
	}
	ws := nn.NewWorkspace(pc, kernels.Default())
	z := append([]float32(nil), ws.Forward(stand, toks, K, nil)...)
	g, err := nn.NewGrads(pc)
	if err != nil {
		panic(err) // pc is m's valid config with a smaller vocabulary
	}
	ones := make([]float32, K)
	for i := range ones {
		ones[i] = 1
	}
	ws.Backward(stand, ones, g)
	grads := make([][]float32, K)
	for k := range grads {
		id := 2 + k*S
		grads[k] = g.Embedding[id*E : (id+S)*E]
	}
	return z, grads
}
