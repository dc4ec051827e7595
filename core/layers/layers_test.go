package layers_test

import (
	"context"
	"math"
	"testing"

	"sentilab/core/lab"
	"sentilab/core/layers"
	"sentilab/core/nn"
	"sentilab/core/train"
)

// tiny is a model small enough to know every answer: V 4, E 2, H 1.
func tiny(t *testing.T) *nn.Model {
	m, err := nn.NewModel(nn.Config{Vocab: 4, Embed: 2, Hidden: 1, MaxLen: 3, Padding: "post", Masking: true})
	if err != nil {
		t.Fatal(err)
	}
	// Kernel [2, 4], one int8 scale per column: columns {127, 1.5},
	// {0, 0}, {-127, 3}, {127, 127}. Scales 1, 0, 1, 1: only 1.5 moves,
	// to 2 (half away from zero).
	copy(m.Kernel, []float32{127, 0, -127, 127, 1.5, 0, 3, 127})
	// 1 + 2⁻¹² is not a float16: it rounds to 1.
	copy(m.Recurrent, []float32{1 + 1.0/4096, 2, 0, 0})
	copy(m.Embedding, []float32{0, 0, 1, -1, 0.5, 0.25, -2, 1})
	m.DenseW[0], m.DenseB[0] = 3, 1
	return m
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func TestStatsKnown(t *testing.T) {
	m := tiny(t)
	q, err := layers.Int8Weights(m, false)
	if err != nil {
		t.Fatal(err)
	}
	st, err := layers.Stats(m, q)
	if err != nil {
		t.Fatal(err)
	}
	k := st[1]
	rmsK := math.Sqrt((4*127*127 + 1.5*1.5 + 9) / 8)
	if k.Name != "lstm.kernel" || k.Size != 8 || !k.Int8Stored || !near(k.RMS, rmsK) {
		t.Fatalf("kernel %+v, want RMS %v", k, rmsK)
	}
	if !near(k.Int8Max, 0.5/rmsK) || !near(k.Int8RMS, math.Sqrt(0.25/8)/rmsK) || k.F16Max != 0 || k.F16RMS != 0 || k.Sparsity != 0.25 {
		t.Errorf("kernel int8 max %v rms %v (want %v, %v), f16 %v %v (want 0), sparsity %v (want 0.25)",
			k.Int8Max, k.Int8RMS, 0.5/rmsK, math.Sqrt(0.25/8)/rmsK, k.F16Max, k.F16RMS, k.Sparsity)
	}
	r := st[2]
	rmsR := math.Sqrt((math.Pow(1+1.0/4096, 2) + 4) / 4)
	if !near(r.F16Max, (1.0/4096)/rmsR) || !near(r.F16RMS, math.Sqrt(math.Pow(1.0/4096, 2)/4)/rmsR) || r.Sparsity != 0.5 {
		t.Errorf("recurrent f16 max %v rms %v, want %v %v; sparsity %v", r.F16Max, r.F16RMS, (1.0/4096)/rmsR, math.Sqrt(math.Pow(1.0/4096, 2)/4)/rmsR, r.Sparsity)
	}
	for _, b := range []layers.Stat{st[3], st[5]} {
		if b.Int8Stored || b.Int8Max != 0 {
			t.Errorf("bias %s: %+v; the int8 file keeps biases float32", b.Name, b)
		}
	}
	// Only the one weight moved.
	d, err := layers.Diff(m, q)
	if err != nil {
		t.Fatal(err)
	}
	if d[1].Changed != 1 || d[1].MaxAbs != 0.5 || !near(d[1].RMS, math.Sqrt(0.25/8)) || d[1].Share != 1.0/8 {
		t.Errorf("kernel diff %+v, want 1 of 8 changed by 0.5", d[1])
	}
	if d[3].Changed != 0 || d[5].Changed != 0 {
		t.Errorf("biases changed: %+v %+v", d[3], d[5])
	}
}

func TestHistogramsKnown(t *testing.T) {
	a := tiny(t)
	b := tiny(t)
	b.Kernel[4] = 2
	hs, err := layers.Histograms(a, b, 4)
	if err != nil {
		t.Fatal(err)
	}
	k := hs[1]
	// Range [-127, 127], bins of 63.5: -127 | 0, 1.5, 3 (and 2) | 127 ×3 in the last.
	want := [2][]int{{1, 0, 4, 3}, {1, 0, 4, 3}}
	if k.Lo != -127 || k.Hi != 127 || k.Sizes != [2]int{8, 8} {
		t.Fatalf("kernel histogram %+v", k)
	}
	for v := range 2 {
		for j := range want[v] {
			if k.Counts[v][j] != want[v][j] {
				t.Errorf("variant %d counts %v, want %v", v, k.Counts[v], want[v])
				break
			}
		}
	}
	db := hs[5] // dense.bias: one value, 1 → [0.5, 1.5]
	if db.Lo != 0.5 || db.Hi != 1.5 || db.Counts[0][2] != 1 {
		t.Errorf("constant tensor %+v", db)
	}
	if _, err := layers.Histograms(a, b, 0); err == nil {
		t.Error("0 bins accepted")
	}
	other, _ := nn.NewModel(nn.Config{Vocab: 4, Embed: 2, Hidden: 2, MaxLen: 3, Padding: "post"})
	if _, err := layers.Diff(a, other); err == nil {
		t.Error("diff of two shapes accepted")
	}
}

// The tiny model's sensitivities, on a set where the answers are known:
// pruning the one dense weight to 50% zeroes it (round-half-even keeps 0 of
// 1), so every logit is the dense bias, +1: everything is called positive.
func TestSensitivitiesKnown(t *testing.T) {
	m := tiny(t)
	set := train.Set{Tokens: []int32{2, 3, 0, 3, 2, 2, 1, 0, 0, 2, 0, 0}, Labels: []float32{1, 0, 0, 1}, N: 4}
	eval := func(ctx context.Context, x *nn.Model) (*train.Metrics, error) {
		return lab.Evaluate(ctx, x, nil, set, lab.EvalOptions{})
	}
	var calls []int
	tb, err := layers.Sensitivities(context.Background(), m, layers.SensitivityOptions{Eval: eval, Progress: func(d, n int) { calls = append(calls, d, n) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 18 || calls[16] != 9 || calls[17] != 9 {
		t.Errorf("progress %v, want 9 evaluations (base + 4 matrices × 2)", calls)
	}
	dw := tb.Rows[4]
	if dw.Name != "dense.weight" || !dw.Prune || dw.PruneAccuracy != 0.5 || dw.PruneSparsity != 1 {
		t.Errorf("dense.weight pruned: %+v, want accuracy 0.5 (all positive, 2 of 4), sparsity 1", dw)
	}
	// The one-tensor-changed model, evaluated directly.
	for i, r := range tb.Rows {
		if !r.Int8 {
			if r.Int8DAcc != 0 || r.PruneDAcc != 0 || r.Prune {
				t.Errorf("bias row %+v", r)
			}
			continue
		}
		q, _ := layers.Int8Weights(m, false)
		x := clone(m)
		copy(x.Params()[i].W, q.Params()[i].W)
		mt, _ := eval(context.Background(), x)
		if mt.Accuracy != r.Int8Accuracy || mt.Loss != r.Int8Loss || r.Int8DAcc != mt.Accuracy-tb.Accuracy {
			t.Errorf("%s int8 only: table %v/%v, direct %v/%v", r.Name, r.Int8Accuracy, r.Int8Loss, mt.Accuracy, mt.Loss)
		}
	}
	// Cancel stops it.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := layers.Sensitivities(ctx, m, layers.SensitivityOptions{Eval: eval}); err == nil {
		t.Error("a cancelled context ran to the end")
	}
}

func TestPruneTensor(t *testing.T) {
	m := tiny(t)
	if err := layers.PruneTensor(m, "embedding.weight", 0.5); err != nil {
		t.Fatal(err)
	}
	// |w| = 0 0 1 1 .5 .25 2 1: the 4 largest are 2, 1, 1, 1.
	want := []float32{0, 0, 1, -1, 0, 0, -2, 1}
	for i, x := range m.Embedding {
		if x != want[i] {
			t.Fatalf("embedding pruned to %v, want %v", m.Embedding, want)
		}
	}
	if err := layers.PruneTensor(m, "nope", 0.5); err == nil {
		t.Error("unknown tensor accepted")
	}
}

func clone(m *nn.Model) *nn.Model {
	c, _ := nn.NewModel(m.Cfg)
	for k, p := range c.Params() {
		copy(p.W, m.Params()[k].W)
	}
	return c
}
