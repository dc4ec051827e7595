package compress

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"sentilab/core/kernels"
	"sentilab/core/nn"
	"sentilab/core/train"
)

// The schedule against TF-MOT's formula, with the thesis's end step (3
// epochs × 563 steps): values computed independently in Python,
// final + (initial − final)·(1 − step/end)³; updates only every 100 steps
// and not after the end.
func TestPolynomialDecayMatchesTFMOT(t *testing.T) {
	s := ThesisSchedule(1689)
	cases := []struct {
		step   int
		update bool
		want   float64
	}{
		{0, true, 0.19999999999999996}, {1, false, 0.20106508850856408}, {99, false, 0.29944284380068953},
		{100, true, 0.3003866973976271}, {150, false, 0.3460812095822337}, {200, true, 0.3889010240731039},
		{1600, true, 0.7999122125727332}, {1689, false, 0.8}, {1700, false, 0.8},
	}
	for _, c := range cases {
		up, got := s.At(c.step)
		if up != c.update || math.Abs(got-c.want) > 1e-15 {
			t.Errorf("step %d: (%v, %.17g), want (%v, %.17g)", c.step, up, got, c.update, c.want)
		}
	}
	cs := ConstantSparsity{Target: 0.5, Begin: 10, End: 300, Frequency: 100}
	for step, want := range map[int]bool{0: false, 10: true, 50: false, 110: true, 210: true, 310: false} {
		if up, sp := cs.At(step); up != want || sp != 0.5 {
			t.Errorf("constant sparsity at %d: (%v, %v), want (%v, 0.5)", step, up, sp, want)
		}
	}
	for _, bad := range []Schedule{PolynomialDecay{0.2, 0.8, 0, 0, 3, 100}, PolynomialDecay{0.2, 1, 0, 10, 3, 100},
		PolynomialDecay{0.2, 0.8, 0, 10, 3, 0}, ConstantSparsity{Target: -0.1, Frequency: 1}} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestKthLargest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{1, 2, 7, 100, 1001} {
		a := make([]float32, n)
		for i := range a {
			a[i] = float32(r.IntN(50)) // many ties
		}
		sorted := slices.Clone(a)
		slices.Sort(sorted)
		slices.Reverse(sorted)
		for _, k := range []int{1, n / 2, n} {
			if k < 1 {
				continue
			}
			if got := kthLargest(slices.Clone(a), k); got != sorted[k-1] {
				t.Fatalf("n=%d k=%d: %v, want %v", n, k, got, sorted[k-1])
			}
		}
	}
}

// Pruning while fine-tuning: the weights masked at the last update are
// exactly zero at the end although Adam kept training, every pruned tensor
// has exactly round(n·(1−s)) non-zeros (no ties in random weights), biases
// are untouched by the masks, and the kept weights did train.
func TestPruneHoldsZerosThroughFineTuning(t *testing.T) {
	m := initModel(t, tinyCfg, 3)
	before := slices.Clone(m.Kernel)
	set := randomSet(tinyCfg, 96, 4)
	tune := DefaultTune()
	tune.Epochs, tune.BatchSize, tune.Kernels = 3, 8, kernels.Portable
	var zeroed []int // recurrent-kernel weights zero after the first update
	opt := PruneOptions{
		Schedule: PolynomialDecay{Initial: 0.2, Final: 0.8, Begin: 0, End: 30, Power: 3, Frequency: 5},
		Tune:     tune,
	}
	tune.Progress = func(p train.Progress) {
		if p.Epoch == 1 && p.Batch == 1 {
			for i, w := range m.Recurrent {
				if w == 0 {
					zeroed = append(zeroed, i)
				}
			}
		}
	}
	opt.Tune = tune
	res, err := Prune(context.Background(), m, set, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 3*11 || res.Updates != 7 || res.Target != 0.8 {
		t.Errorf("steps %d, updates %d, last target %v; want 33, 7 (steps 0,5,…,30), 0.8", res.Steps, res.Updates, res.Target)
	}
	if len(zeroed) == 0 {
		t.Fatal("no weight was zero after the first step")
	}
	for _, p := range m.Params() {
		nz := countNonZero(p.W)
		if slices.Contains(DefaultPruneTensors, p.Name) {
			want := int(roundHalfEven(float64(len(p.W)) * 0.2))
			if nz != want {
				t.Errorf("%s: %d non-zero of %d, want %d (80%% pruned)", p.Name, nz, len(p.W), want)
			}
		} else if nz != len(p.W) && p.Name != "dense.bias" {
			t.Errorf("%s (not pruned) has %d zeros", p.Name, len(p.W)-nz)
		}
	}
	changed := 0
	for i, w := range m.Kernel {
		if w != 0 && w != before[i] {
			changed++
		}
	}
	if changed == 0 {
		t.Error("no kept kernel weight changed: fine-tuning did not run")
	}
	total := res.Sparsities[len(res.Sparsities)-1]
	if total.Name != "total" || total.NonZero != NonZero(m) {
		t.Errorf("total row %+v, NonZero %d", total, NonZero(m))
	}
}

// Keeping every unit is the identity; removing a dead unit (all its weights
// zero) changes no logit; the kept units are the most important ones.
func TestPruneUnits(t *testing.T) {
	c := tinyCfg
	m := initModel(t, c, 5)
	set := randomSet(c, 30, 6)
	logits := func(m *nn.Model) []float32 {
		z, err := train.Logits(context.Background(), m, set, train.EvalOptions{BatchSize: 8, Kernels: kernels.Portable})
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	want := logits(m)
	same, kept, err := PruneUnits(m, c.Hidden)
	if err != nil || len(kept) != c.Hidden {
		t.Fatal(err, kept)
	}
	if got := logits(same); !slices.Equal(got, want) {
		t.Fatalf("keeping all units changed the logits: %v vs %v", got, want)
	}
	// Kill unit 2: zero every weight touching it.
	H, G := c.Hidden, 4*c.Hidden
	for g := 0; g < 4; g++ {
		col := g*H + 2
		for k := 0; k < c.Embed; k++ {
			m.Kernel[k*G+col] = 0
		}
		for k := 0; k < H; k++ {
			m.Recurrent[k*G+col] = 0
		}
		m.Bias[col] = 0
	}
	clear(m.Recurrent[2*G : 3*G])
	m.DenseW[2] = 0
	want = logits(m)
	small, kept, err := PruneUnits(m, H-1)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(kept, 2) || small.Cfg.Hidden != H-1 {
		t.Fatalf("kept %v (hidden %d): the dead unit 2 should go", kept, small.Cfg.Hidden)
	}
	got := logits(small)
	for i := range got {
		if math.Abs(float64(got[i]-want[i])) > 1e-6 {
			t.Fatalf("example %d: %v without the dead unit, %v with it", i, got[i], want[i])
		}
	}
	if _, _, err := PruneUnits(m, 0); err == nil {
		t.Error("keep 0 accepted")
	}
}
