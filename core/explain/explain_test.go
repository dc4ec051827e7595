package explain

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"sentilab/core/kernels"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/text"
)

// tiny returns a small random model with large weights (every gate away from
// its linear region) and a tokenizer for words w2..w9.
func tiny(t *testing.T, masking bool, padding string) (*nn.Model, *text.Tokenizer) {
	t.Helper()
	cfg := nn.Config{Vocab: 10, Embed: 3, Hidden: 4, MaxLen: 6, Padding: padding, Masking: masking}
	m, err := nn.NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	nn.Init(m, 7)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range m.Params() {
		for i := range p.W {
			p.W[i] += float32(rng.NormFloat64() * 0.5)
		}
	}
	words := []string{"", text.OOV}
	for i := 2; i < cfg.Vocab; i++ {
		words = append(words, "w"+string(rune('0'+i)))
	}
	tok, err := text.NewTokenizerFromVocab(words)
	if err != nil {
		t.Fatal(err)
	}
	return m, tok
}

func TestEncodePlacesWords(t *testing.T) {
	cases := []struct {
		padding, review string
		want            []string
		cut             int
	}{
		{"post", "w2 zz w3", []string{"w2", "zz", "w3", "", "", ""}, 0},
		{"pre", "w2 zz w3", []string{"", "", "", "w2", "zz", "w3"}, 0},
		{"post", "w2 w3 w4 w5 w6 w7 w8 w9", []string{"w2", "w3", "w4", "w5", "w6", "w7"}, 2},
		{"pre", "w2 w3 w4 w5 w6 w7 w8 w9", []string{"w4", "w5", "w6", "w7", "w8", "w9"}, 2},
	}
	for _, c := range cases {
		m, tok := tiny(t, true, c.padding)
		in, err := Encode(tok, c.review, m.Cfg)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(in.Words, ",") != strings.Join(c.want, ",") || in.Cut != c.cut {
			t.Errorf("%s %q: words %q cut %d, want %q cut %d", c.padding, c.review, in.Words, in.Cut, c.want, c.cut)
		}
		for p, w := range in.Words {
			if (w == "") != (in.Tokens[p] == 0) {
				t.Errorf("%s %q: position %d word %q token %d", c.padding, c.review, p, w, in.Tokens[p])
			}
		}
	}
}

// TestReadSteps checks the steps of masked and unmasked models on both
// padding sides: a masked model reads only the words, an unmasked one reads
// the padding too, shown as Pad.
func TestReadSteps(t *testing.T) {
	for _, masking := range []bool{true, false} {
		for _, padding := range []string{"post", "pre"} {
			m, tok := tiny(t, masking, padding)
			in, err := Encode(tok, "w5 w2 zz", m.Cfg)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Read(m, in)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"w5", "w2", "zz"}
			if !masking {
				pads := []string{Pad, Pad, Pad}
				if padding == "post" {
					want = append(want, pads...)
				} else {
					want = append(pads, want...)
				}
			}
			if strings.Join(r.Words, ",") != strings.Join(want, ",") {
				t.Errorf("masking %v %s: steps %q, want %q", masking, padding, r.Words, want)
			}
			checkReading(t, m, in, r)
		}
	}
}

// checkReading asserts that r's shapes agree and that its last step is the
// model's prediction bit for bit.
func checkReading(t *testing.T, m *nn.Model, in Input, r *Reading) {
	t.Helper()
	S, H := len(r.Words), m.Cfg.Hidden
	if len(r.Sentiment) != S || len(r.Cell) != S*H || len(r.Positions) != S {
		t.Fatalf("%d steps, %d sentiments, %d cell values, %d positions", S, len(r.Sentiment), len(r.Cell), len(r.Positions))
	}
	for g := range r.Gates {
		if len(r.Gates[g]) != S {
			t.Fatalf("gate %d: %d means for %d steps", g, len(r.Gates[g]), S)
		}
		for _, v := range r.Gates[g] {
			lo := float32(0)
			if g == GateCell {
				lo = -1
			}
			if !(v >= lo && v <= 1) {
				t.Fatalf("gate %d mean %v outside [%v, 1]", g, v, lo)
			}
		}
	}
	z := nn.NewWorkspace(m.Cfg, kernels.Default()).Forward(m, in.Tokens, 1, nil)[0]
	p := kernels.Sigmoid(z)
	if r.Logit != z || r.Probability != p || r.Sentiment[S-1] != p {
		t.Errorf("last step %v, reading %v (logit %v), prediction %v (logit %v)", r.Sentiment[S-1], r.Probability, r.Logit, p, z)
	}
}

// TestGradientsFiniteDifferences checks ∂F/∂x, the gradient integrated
// gradients integrates, against central differences of F, with nn's
// gradient-check step and tolerances (float32 throughout).
func TestGradientsFiniteDifferences(t *testing.T) {
	const h, abs, rel = 5e-3, 2e-4, 1e-2
	for _, masking := range []bool{true, false} {
		for _, padding := range []string{"post", "pre"} {
			m, tok := tiny(t, masking, padding)
			in, err := Encode(tok, "w5 w2 zz w9", m.Cfg)
			if err != nil {
				t.Fatal(err)
			}
			x := Embedded(m, in.Tokens)
			// Scaled, as on the integration path, plus a second point.
			x2 := make([]float32, len(x))
			for i, v := range x {
				x2[i] = 0.4 * v
			}
			z, grads := Gradients(m, in.Tokens, [][]float32{x, x2})
			want := nn.NewWorkspace(m.Cfg, kernels.Default()).Forward(m, in.Tokens, 1, nil)[0]
			if math.Abs(float64(z[0]-want)) > 1e-6 {
				t.Errorf("masking %v %s: F(x) %v, the model's logit %v", masking, padding, z[0], want)
			}
			for k, xk := range [][]float32{x, x2} {
				for i := range xk {
					up, down := append([]float32(nil), xk...), append([]float32(nil), xk...)
					up[i] += h
					down[i] -= h
					zz, _ := Gradients(m, in.Tokens, [][]float32{up, down})
					num := (float64(zz[0]) - float64(zz[1])) / (2 * h)
					ana := float64(grads[k][i])
					if math.Abs(ana-num) > abs+rel*math.Max(math.Abs(ana), math.Abs(num)) {
						t.Errorf("masking %v %s input %d value %d: analytic %.6g, numeric %.6g", masking, padding, k, i, ana, num)
					}
				}
			}
		}
	}
}

func TestIntegratedGradientsTiny(t *testing.T) {
	for _, masking := range []bool{true, false} {
		m, tok := tiny(t, masking, "post")
		in, err := Encode(tok, "w5 w2 zz w9 w3", m.Cfg)
		if err != nil {
			t.Fatal(err)
		}
		a, err := IntegratedGradients(context.Background(), m, in, 0)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := Read(m, in)
		if len(a.Scores) != len(r.Words) || a.Steps != DefaultIGSteps {
			t.Fatalf("%d scores for %d steps, m = %d", len(a.Scores), len(r.Words), a.Steps)
		}
		if c := a.Completeness(); c > 0.01 {
			t.Errorf("masking %v: Σ IG %.6g, F(x) − F(x') %.6g: off by %.3g%%", masking, a.Sum(), a.Logit-a.BaselineLogit, 100*c)
		}
		if math.Abs(float64(a.Logit-r.Logit)) > 1e-5 {
			t.Errorf("F(x) %v, the reading's logit %v", a.Logit, r.Logit)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m, tok := tiny(t, true, "post")
	in, _ := Encode(tok, "w5", m.Cfg)
	if _, err := IntegratedGradients(ctx, m, in, 0); err == nil {
		t.Error("a cancelled context did not stop integrated gradients")
	}
}

// reviews are real-length reviews: a short one, a mixed one, and one longer
// than max_len (170 words for the shipped models).
var reviews = []string{
	"A wonderful, moving film. The acting is superb and the story stays with you.",
	"I wanted to like this movie. The first half is clever and funny, but the ending is a lazy mess and the lead is wooden. Not worth the ticket.",
	strings.Repeat("The plot is thin and the pacing drags, yet the cinematography is gorgeous and the score soars. ", 25) + "In the end I was bored.",
}

func loadModel(t *testing.T, name string) (*nn.Model, *text.Tokenizer) {
	t.Helper()
	b, err := os.ReadFile("../../assets/models/" + name + ".safetensors")
	if err != nil {
		t.Skip("no shipped model:", err)
	}
	ld, err := modelfile.Load(strings.NewReader(string(b)), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := text.NewTokenizerFromVocab(ld.Vocab)
	if err != nil {
		t.Fatal(err)
	}
	return ld.Model, tok
}

// TestShippedModels reads real reviews with the shipped models (masked base
// and its distilled student, the unmasked thesis model): the last step is
// the prediction bit for bit, and integrated gradients are complete within
// 1% of F(x) − F(x').
func TestShippedModels(t *testing.T) {
	for _, name := range []string{"base", "base.distill", "thesis"} {
		m, tok := loadModel(t, name)
		for i, rv := range reviews {
			in, err := Encode(tok, text.Clean(rv), m.Cfg)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Read(m, in)
			if err != nil {
				t.Fatal(err)
			}
			checkReading(t, m, in, r)
			if i == 2 && (in.Cut == 0 || len(r.Words) != m.Cfg.MaxLen) {
				t.Errorf("%s: the long review cut %d words, read %d steps", name, in.Cut, len(r.Words))
			}
			pads := strings.Count(strings.Join(r.Words, " "), Pad)
			if i < 2 && m.Cfg.Masking == (pads > 0) { // the long review fills max_len
				t.Errorf("%s review %d: %d padding steps with masking %v", name, i, pads, m.Cfg.Masking)
			}
			a, err := IntegratedGradients(context.Background(), m, in, 0)
			if err != nil {
				t.Fatal(err)
			}
			c := a.Completeness()
			t.Logf("%s review %d: %d steps, p = %.4f, Σ IG %.5f, F(x) − F(x') %.5f (%.3f%%), %d points", name, i, len(r.Words), r.Probability, a.Sum(), a.Logit-a.BaselineLogit, 100*c, a.Points)
			if c > 0.01 {
				t.Errorf("%s review %d: completeness off by %.3g%%", name, i, 100*c)
			}
		}
	}
}
