package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sentilab/core/kernels"
	"testing"
)

// Finite-difference gradient checks. Everything runs in float32, so the check
// uses central differences with step h = 5e-3 and accepts
// |analytic − numeric| ≤ 2e-4 + 1e-2·max(|analytic|, |numeric|): the
// truncation error is O(h²) and float32 rounding in the forward pass, divided
// by 2h, stays near 1e-5 at these sizes (the worst differences seen are
// ≈ 3e-5). A wrong sign, a missing term or a transposed index is off by more.
const (
	gcStep = 5e-3
	gcAbs  = 2e-4
	gcRel  = 1e-2
)

func tinyModel(t *testing.T, masking bool, padding string, dropout float32) (*Model, []int32, []float32, int) {
	t.Helper()
	cfg := Config{Vocab: 11, Embed: 3, Hidden: 4, MaxLen: 6, Padding: padding, Masking: masking, Dropout: dropout}
	m, err := NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	Init(m, 7)
	rng := rand.New(rand.NewPCG(1, 2))
	// Larger weights than the initialisers give, so every gate is far from
	// its linear region and the check sees the nonlinearities.
	for _, p := range m.Params() {
		for i := range p.W {
			p.W[i] += float32(rng.NormFloat64() * 0.5)
		}
	}
	B := 5
	lens := []int{6, 3, 0, 1, 4}
	tokens := make([]int32, B*cfg.MaxLen)
	for b, L := range lens {
		for k := 0; k < L; k++ {
			pos := k
			if padding == "pre" {
				pos = cfg.MaxLen - L + k
			}
			tokens[b*cfg.MaxLen+pos] = int32(1 + rng.IntN(cfg.Vocab-1))
		}
	}
	labels := []float32{1, 0, 1, 1, 0}
	return m, tokens, labels, B
}

func lossOf(m *Model, ws *Workspace, tokens []int32, labels []float32, B int) float64 {
	logits := ws.Forward(m, tokens, B, rand.New(rand.NewPCG(9, 9)))
	l, _ := BCEWithLogits(logits, labels, nil, 1)
	return l
}

func TestGradientsFiniteDifference(t *testing.T) {
	for _, tc := range []struct {
		masking bool
		padding string
		dropout float32
	}{{false, "post", 0}, {true, "post", 0}, {true, "pre", 0}, {false, "pre", 0.3}, {true, "post", 0.3}} {
		t.Run(fmt.Sprintf("mask=%v/%s/drop=%v", tc.masking, tc.padding, tc.dropout), func(t *testing.T) {
			m, tokens, labels, B := tinyModel(t, tc.masking, tc.padding, tc.dropout)
			checkGradients(t, m, kernels.Portable, tokens, labels, B)
		})
	}
}

// checkGradients compares Backward's gradient of the summed BCE loss with
// central differences of the loss for every weight of m, run on kernels k.
func checkGradients(t *testing.T, m *Model, k kernels.Kernels, tokens []int32, labels []float32, B int) {
	t.Helper()
	ws := NewWorkspace(m.Cfg, k)
	g, _ := NewGrads(m.Cfg)
	logits := ws.Forward(m, tokens, B, rand.New(rand.NewPCG(9, 9)))
	dl := make([]float32, B)
	BCEWithLogits(logits, labels, dl, 1)
	ws.Backward(m, dl, g)
	gp := g.Params()
	for pi, p := range m.Params() {
		worst := 0.0
		for i := range p.W {
			old := p.W[i]
			p.W[i] = old + gcStep
			up := lossOf(m, ws, tokens, labels, B)
			p.W[i] = old - gcStep
			down := lossOf(m, ws, tokens, labels, B)
			p.W[i] = old
			num := (up - down) / (2 * gcStep)
			ana := float64(gp[pi].W[i])
			diff := math.Abs(num - ana)
			if diff > gcAbs+gcRel*math.Max(math.Abs(num), math.Abs(ana)) {
				t.Errorf("%s[%d]: analytic %.6f, numeric %.6f", p.Name, i, ana, num)
			}
			worst = math.Max(worst, diff)
		}
		t.Logf("%-16s max |analytic-numeric| = %.2e", p.Name, worst)
	}
}

// With masking, padded steps are skipped: the logits must not depend on where
// the padding is, nor on how many pads there are.
func TestMaskingIgnoresPadding(t *testing.T) {
	m, tokens, _, B := tinyModel(t, true, "post", 0)
	ws := NewWorkspace(m.Cfg, kernels.Portable)
	post := append([]float32(nil), ws.Forward(m, tokens, B, nil)...)
	pre := make([]int32, len(tokens))
	T := m.Cfg.MaxLen
	for b := 0; b < B; b++ {
		row := tokens[b*T : (b+1)*T]
		n := 0
		for _, v := range row {
			if v != 0 {
				n++
			}
		}
		copy(pre[b*T+T-n:(b+1)*T], row[:n])
	}
	got := ws.Forward(m, pre, B, nil)
	for i := range post {
		if got[i] != post[i] {
			t.Errorf("example %d: pre-padded logit %v, post-padded %v", i, got[i], post[i])
		}
	}
	// An all-padding review has a zero final state: its logit is the bias.
	if post[2] != m.DenseB[0] {
		t.Errorf("empty review logit %v, want dense bias %v", post[2], m.DenseB[0])
	}
}

// Without masking, pad tokens are inputs like any other (the thesis's mode):
// moving the padding changes the answer.
func TestNoMaskingReadsPadding(t *testing.T) {
	m, tokens, _, B := tinyModel(t, false, "post", 0)
	ws := NewWorkspace(m.Cfg, kernels.Portable)
	a := append([]float32(nil), ws.Forward(m, tokens, B, nil)...)
	T := m.Cfg.MaxLen
	shifted := make([]int32, len(tokens))
	copy(shifted[1:], tokens[:len(tokens)-1]) // one more leading pad for example 0
	_ = T
	b := ws.Forward(m, shifted, B, nil)
	if a[0] == b[0] {
		t.Errorf("logit unchanged by an extra pad step without masking: %v", a[0])
	}
}

func TestBCEGradient(t *testing.T) {
	logits := []float32{-30, -2.5, -0.1, 0, 0.7, 4, 35}
	labels := []float32{0, 1, 1, 0, 0.3, 1, 0}
	dl := make([]float32, len(logits))
	BCEWithLogits(logits, labels, dl, 1)
	for i := range logits {
		z := float64(logits[i])
		f := func(z float64) float64 {
			l, _ := BCEWithLogits([]float32{float32(z)}, labels[i:i+1], nil, 1)
			return l
		}
		num := (f(z+1e-2) - f(z-1e-2)) / 2e-2
		if math.Abs(num-float64(dl[i])) > 1e-3 {
			t.Errorf("z=%v y=%v: analytic %v numeric %v", z, labels[i], dl[i], num)
		}
	}
	// Stable at large |z|: no Inf, no NaN.
	l, _ := BCEWithLogits([]float32{-1e4, 1e4}, []float32{1, 0}, nil, 1)
	if math.Abs(l-2e4) > 1e-6 {
		t.Errorf("loss at |z|=1e4: %v, want 2e4", l)
	}
}
