package lab

import (
	"bytes"
	"context"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"sentilab/core/data"
	"sentilab/core/kernels"
	"sentilab/core/layers"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/onnx"
	"sentilab/core/text"
	"sentilab/core/train"
	"sentilab/internal/testenv"
)

// Selective quantization keeps the named tensor's float32 bits and gives
// every other weight matrix exactly the int8 file's values.
func TestSelective(t *testing.T) {
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
	in := ChainInput{Source: tr.Model, Vocab: tr.Tok.Words(), Train: prep.Train, Test: prep.Test, Params: DefaultParams(),
		Eval: EvalOptions{Kernels: kernels.Portable}}
	int8Out, err := Compress(context.Background(), in, []string{"int8"})
	if err != nil {
		t.Fatal(err)
	}
	in.Params.KeepFloat = []string{"lstm.recurrent"}
	out, err := Compress(context.Background(), in, []string{"selective"})
	if err != nil {
		t.Fatal(err)
	}
	src, q, i8 := tr.Model.Params(), out.Model.Params(), int8Out.Model.Params()
	for i, p := range q {
		want := i8[i].W
		if p.Name == "lstm.recurrent" {
			want = src[i].W
		}
		if !slices.Equal(p.W, want) {
			t.Errorf("%s: not the expected bits (kept float32: %v)", p.Name, p.Name == "lstm.recurrent")
		}
	}
	for _, ts := range out.Tensors {
		wantI8 := ts.Name == "embedding.weight" || ts.Name == "lstm.kernel" || ts.Name == "dense.weight"
		if (ts.DType == "I8") != wantI8 {
			t.Errorf("file tensor %s stored as %s", ts.Name, ts.DType)
		}
	}
	// The ONNX export holds what it computes: float32 weights.
	for _, c := range []*Compressed{out, int8Out} {
		f, err := modelfile.NewFile(c.Model.Cfg, in.Vocab, modelfile.Meta{Variant: c.Chain}, c.Tensors)
		if err != nil {
			t.Fatal(err)
		}
		if onnx.StoresInt8(f) != (c == int8Out) {
			t.Errorf("%s: exported as int8 %v", c.Chain, onnx.StoresInt8(f))
		}
	}
	mt, _ := Evaluate(context.Background(), out.Model, nil, prep.Test, in.Eval)
	if out.Q != nil || Runtime(out.Chain) != RuntimeFloat32 || mt.Accuracy != out.Test.Accuracy || mt.Loss != out.Test.Loss {
		t.Errorf("selective runs %s (Q %v); score %+v, direct float32 %+v", Runtime(out.Chain), out.Q != nil, out.Test, mt)
	}
	if s := out.Steps[0].Params["float32"]; !slices.Equal(s.([]string), []string{"lstm.recurrent"}) {
		t.Errorf("recorded params %v", out.Steps[0].Params)
	}

	// No name: the most sensitive tensor on the first training reviews.
	in.Params.KeepFloat = nil
	out, err = Compress(context.Background(), in, []string{"selective"})
	if err != nil {
		t.Fatal(err)
	}
	n := min(prep.Train.N, SelectiveRankReviews)
	T := tr.Model.Cfg.MaxLen
	set := train.Set{Tokens: prep.Train.Tokens[:n*T], Labels: prep.Train.Labels[:n], N: n}
	tb, err := layers.Sensitivities(context.Background(), tr.Model, layers.SensitivityOptions{
		Eval: func(ctx context.Context, m *nn.Model) (*train.Metrics, error) {
			return Evaluate(ctx, m, nil, set, in.Eval)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Steps[0].Params["float32"].([]string); len(got) != 1 || got[0] != layers.MostSensitive(tb) {
		t.Errorf("kept %v, the table's most sensitive is %s (%+v)", got, layers.MostSensitive(tb), tb.Rows)
	}
	t.Logf("most sensitive %s; selective accuracy %.4f, int8 %.4f", layers.MostSensitive(tb), out.Test.Accuracy, int8Out.Test.Accuracy)

	in.Params.KeepFloat = []string{"lstm.bias"}
	if _, err := Compress(context.Background(), in, []string{"selective"}); err == nil || !strings.Contains(err.Error(), "want one of embedding.weight, lstm.kernel") {
		t.Errorf("a bias to keep: %v", err)
	}
	if _, err := ParseChain("selective,prune"); err == nil {
		t.Error("selective before another method accepted")
	}
}

// On the shipped base and real reviews: the sensitivity table's int8-only
// row for lstm.kernel is the selective variant that keeps every other
// matrix in float32, evaluated on the same reviews.
func TestSelectiveShipped(t *testing.T) {
	path := testenv.DataPath(t)
	b, err := os.ReadFile("../../assets/models/base.safetensors")
	if err != nil {
		t.Skip("no assets/models/base.safetensors:", err)
	}
	ld, err := modelfile.Load(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	reviews, err := data.Open(path, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := text.NewTokenizerFromVocab(ld.Vocab)
	var raw []string
	var labels []float32
	for _, r := range reviews[:300] {
		raw, labels = append(raw, r.Text), append(labels, float32(r.Label))
	}
	set, err := train.EncodeRaw(tok, raw, labels, ld.Model.Cfg)
	if err != nil {
		t.Fatal(err)
	}
	eo := EvalOptions{Workers: 2}
	tb, err := layers.Sensitivities(context.Background(), ld.Model, layers.SensitivityOptions{
		Eval: func(ctx context.Context, m *nn.Model) (*train.Metrics, error) { return Evaluate(ctx, m, nil, set, eo) }})
	if err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	p.KeepFloat = []string{"embedding.weight", "lstm.recurrent", "dense.weight"}
	out, err := Compress(context.Background(), ChainInput{Source: ld.Model, Vocab: ld.Vocab, Test: set, Params: p, Eval: eo}, []string{"selective"})
	if err != nil {
		t.Fatal(err)
	}
	r := tb.Rows[1]
	if r.Name != "lstm.kernel" || r.Int8Accuracy != out.Test.Accuracy || math.Abs(r.Int8Loss-out.Test.Loss) > 0 {
		t.Errorf("%s int8 only: table %.4f / %.6f, selective variant %.4f / %.6f", r.Name, r.Int8Accuracy, r.Int8Loss, out.Test.Accuracy, out.Test.Loss)
	}
	for _, r := range tb.Rows {
		t.Logf("%-16s int8 Δacc %+.4f Δloss %+.5f   pruned 50%% Δacc %+.4f Δloss %+.5f", r.Name, r.Int8DAcc, r.Int8DLoss, r.PruneDAcc, r.PruneDLoss)
	}
	t.Logf("base %.4f / %.5f on %d reviews; most sensitive %s", tb.Accuracy, tb.Loss, tb.N, layers.MostSensitive(tb))
}
