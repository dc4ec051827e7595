package lab

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"sentilab/core/compress"
	"sentilab/core/data"
	"sentilab/core/kernels"
	"sentilab/internal/testenv"
)

func ptr[T any](v T) *T { return &v }

// toyReviews are testenv.ToyCSV's reviews: a small model learns them.
func toyReviews(t *testing.T, n int, seed uint64) []data.Review {
	t.Helper()
	rs, err := data.ReadCSV(bytes.NewReader(testenv.ToyCSV(n, seed)), "toy.csv", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestResolve(t *testing.T) {
	p, err := Resolve("fast", Overrides{Hidden: ptr(64), Epochs: ptr(3), Seed: ptr(uint64(7))})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "fast" || p.Model.Hidden != 64 || p.Model.Embed != 128 || p.Epochs != 3 || p.Patience != 1 || p.Seed != 7 {
		t.Errorf("resolved %+v", p)
	}
	// No validation data: the preset's early stopping is turned off...
	if p, err := Resolve("fast", Overrides{ValSplit: ptr(0.0)}); err != nil || p.Patience != 0 {
		t.Errorf("fast without validation: patience %d, err %v", p.Patience, err)
	}
	// ...but asked for explicitly, it is refused.
	for _, c := range []struct {
		o    Overrides
		want string
	}{
		{Overrides{ValSplit: ptr(0.0), Patience: ptr(1)}, "early stopping (patience > 0) needs a validation split"},
		{Overrides{Epochs: ptr(0)}, "epochs 0 out of range [1, 1000]"},
		{Overrides{BatchSize: ptr(-3)}, "batch size -3 out of range"},
		{Overrides{LR: ptr(0.0)}, "learning rate 0 out of range (0, 10)"},
		{Overrides{ValSplit: ptr(1.0)}, "validation split 1 out of range [0, 1)"},
		{Overrides{TestFrac: ptr(1.5)}, "test fraction 1.5 out of range (0, 1)"},
		{Overrides{TrainLimit: ptr(-1)}, "training subset size -1 is negative"},
		{Overrides{Patience: ptr(9)}, "patience 9 out of range [0, epochs 8]"},
		{Overrides{Hidden: ptr(0)}, "config: hidden 0 out of range"},
		{Overrides{Padding: ptr("middle")}, `config: padding "middle"`},
		{Overrides{Dropout: ptr(1.0)}, "config: dropout 1 out of range [0, 1)"},
	} {
		if _, err := Resolve("fast", c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err %v, want %q", c.o, err, c.want)
		}
	}
	if _, err := Resolve("nope", Overrides{}); err == nil || !strings.Contains(err.Error(), `unknown preset "nope" (have [classroom fast thesis])`) {
		t.Errorf("unknown preset: %v", err)
	}
}

func TestConfigJSON(t *testing.T) {
	p, _ := LookupPreset("classroom")
	c := ConfigJSON(p.Model)
	if c.Dropout != 0.2 || ConfigOf(c) != p.Model {
		t.Errorf("%+v does not round-trip to %+v", c, p.Model)
	}
	if pp := p.Protocol(); pp.Name != "classroom" || pp.TrainLimit != 10000 || pp.Vocab != 5000 || pp.Padding != "pre" {
		t.Errorf("protocol preset %+v", pp)
	}
}

func TestParseChain(t *testing.T) {
	m, err := ParseChain(" prune, distill ,int8")
	if err != nil || fmt.Sprint(m) != "[prune distill int8]" || ChainName(m) != "prune+distill+int8" {
		t.Fatalf("%v %v", m, err)
	}
	if got := VariantName("base", m, Params{ThesisLoss: true}); got != "base-prune-distill-int8-thesis" {
		t.Errorf("variant name %q", got)
	}
	if got := VariantName("base", []string{"int8"}, Params{ThesisLoss: true}); got != "base-int8" {
		t.Errorf("variant name %q", got)
	}
	for s, want := range map[string]string{
		"":             "no method given",
		"int8,prune":   `method "int8" is step 1 of 2: a storage method`,
		"prune,zip":    `unknown method "zip" (want distill, prune, prune-units, selective, int8, int8-weights, f16)`,
		"f16,int8,f16": `method "f16" is step 1 of 3`,
	} {
		if _, err := ParseChain(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err %v, want %q", s, err, want)
		}
	}
	if Runtime("prune+distill+int8") != RuntimeInt8 || Runtime("int8-weights") != RuntimeFloat32 || Runtime("base") != RuntimeFloat32 {
		t.Error("runtimes")
	}
}

func toyPlan(t *testing.T) Plan {
	t.Helper()
	p, err := Resolve("classroom", Overrides{Vocab: ptr(40), Embed: ptr(16), Hidden: ptr(16), MaxLen: ptr(48), Epochs: ptr(6),
		BatchSize: ptr(16), LR: ptr(0.01), TrainLimit: ptr(0)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Train learns the toy task; the same plan gives the same bits.
func TestTrain(t *testing.T) {
	c := NewCorpus(toyReviews(t, 2000, 1), nil)
	p := toyPlan(t)
	run := func(workers int) *Trained {
		tr, err := Train(context.Background(), c, p, RunOptions{Workers: workers, Kernels: kernels.Portable})
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	a := run(2)
	if a.TrainN != 1600 || a.TestN != 400 || a.Test.N != 400 || len(a.Fit.History) != 6 {
		t.Fatalf("train %d test %d history %d", a.TrainN, a.TestN, len(a.Fit.History))
	}
	if a.Plan.Model.Vocab >= 40 || a.Model.Cfg.Vocab != a.Tok.NumWords() {
		t.Errorf("vocabulary %d not cut to the corpus's %d words", a.Model.Cfg.Vocab, a.Tok.NumWords())
	}
	if a.Test.Accuracy < 0.85 {
		t.Errorf("test accuracy %.3f, want ≥ 0.85", a.Test.Accuracy)
	}
	if WeightsHash(a.Model) != WeightsHash(run(2).Model) {
		t.Error("same plan, different weights")
	}
	if WeightsHash(a.Model) == WeightsHash(run(1).Model) {
		t.Error("1 and 2 workers gave the same bits (their sums are grouped differently)")
	}
}

func TestCompressChains(t *testing.T) {
	c := NewCorpus(toyReviews(t, 600, 2), nil)
	tr, err := Train(context.Background(), c, toyPlan(t), RunOptions{Workers: 1, Kernels: kernels.Portable})
	if err != nil {
		t.Fatal(err)
	}
	texts, _ := c.Split(tr.Plan.Split())
	prep, err := Prepare(texts, tr.Plan.Model)
	if err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	p.Tune.Epochs, p.Tune.Kernels, p.Tune.BatchSize = 1, kernels.Portable, 16
	in := ChainInput{Source: tr.Model, Vocab: tr.Tok.Words(), Train: prep.Train, Test: prep.Test, Params: p, Eval: EvalOptions{Kernels: kernels.Portable}}
	before := WeightsHash(tr.Model)
	for _, chain := range []string{"int8", "int8-weights", "f16", "prune", "prune-units", "distill", "prune,distill,prune,int8"} {
		methods, err := ParseChain(chain)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Compress(context.Background(), in, methods)
		if err != nil {
			t.Fatalf("%s: %v", chain, err)
		}
		last := out.Steps[len(out.Steps)-1]
		if len(out.Steps) != len(methods) || out.Chain != ChainName(methods) || last.TestAccuracy != out.Test.Accuracy || out.Test.N != prep.Test.N {
			t.Errorf("%s: %d steps, chain %q, last step accuracy %v, test %+v", chain, len(out.Steps), out.Chain, last.TestAccuracy, out.Test)
		}
		if (out.Q != nil) != (Runtime(out.Chain) == RuntimeInt8) {
			t.Errorf("%s: int8 runtime %v", chain, out.Q != nil)
		}
		nz := compress.NonZero(out.Model)
		switch chain {
		case "prune":
			if !out.Enc.Sparse || float64(nz) > 0.25*float64(out.Model.NumParams()) {
				t.Errorf("prune: %d of %d non-zero, sparse %v", nz, out.Model.NumParams(), out.Enc.Sparse)
			}
		case "prune-units", "distill":
			if out.Model.Cfg.Hidden != 8 {
				t.Errorf("%s: hidden %d, want half of 16", chain, out.Model.Cfg.Hidden)
			}
		case "prune,distill,prune,int8":
			if out.Enc.Values != compress.StoreInt8 || !out.Enc.Sparse || out.Model.Cfg.Hidden != 8 {
				t.Errorf("chain: %+v, hidden %d", out.Enc, out.Model.Cfg.Hidden)
			}
		}
		t.Logf("%-24s accuracy %.3f (base %.3f), %d of %d non-zero", chain, out.Test.Accuracy, tr.Test.Accuracy, nz, out.Model.NumParams())
	}
	if WeightsHash(tr.Model) != before {
		t.Error("a chain changed its source")
	}
	// With the test texts, the final score is split by the training
	// reviews (here, to see the plumbing, 10 test reviews called seen).
	in.TestTexts, _ = c.TestTexts(tr.Plan.Split())
	in.Training, in.TestData = TrainingTexts(c, texts.TestIndex[:10]), "toy test split"
	out, err := Compress(context.Background(), in, []string{"int8"})
	if err != nil {
		t.Fatal(err)
	}
	if ev := out.TestEval; ev == nil || ev.Metrics != out.Test || ev.Seen != 10 || ev.Unseen != prep.Test.N-10 || ev.Data != "toy test split" {
		t.Errorf("chain's test evaluation %+v", ev)
	}
	in.SourceEnc.Values = compress.StoreInt8
	if _, err := Compress(context.Background(), in, []string{"prune"}); err == nil || !strings.Contains(err.Error(), "the source is stored as int8") {
		t.Errorf("an int8 source: %v", err)
	}
}
