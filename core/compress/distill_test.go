package compress

import (
	"context"
	"math"
	"testing"

	"sentilab/core/kernels"
	"sentilab/core/nn"
)

// The distillation loss's gradient against central finite differences of
// the loss itself, over logits from confident to undecided and several
// temperatures and weights. Tolerance: 2e-6 absolute (O(h²) and float32 gradients).
func TestDistillGradientFiniteDifferences(t *testing.T) {
	zs := []float32{-6, -1.5, -0.2, 0, 0.3, 2, 7}
	zt := []float32{-4, 2.5, 0.1, -0.7, 0, 5, 6}
	labels := []float32{0, 1, 1, 0, 1, 1, 0}
	idx := []int{0, 1, 2, 3, 4, 5, 6}
	for _, alpha := range []float64{0, 0.15, 0.85, 1} {
		for _, T := range []float64{0.75, 1, 1.5, 5} {
			d := &DistillLoss{Alpha: alpha, T: T, Teacher: zt}
			const scale = 0.25
			dl := make([]float32, len(zs))
			d.Loss(zs, labels, dl, idx, scale)
			for i := range zs {
				const h = 1.0 / 1024 // z ± h is exact in float32 for these z
				f := func(dz float64) float64 {
					z := append([]float32(nil), zs...)
					z[i] = float32(float64(z[i]) + dz)
					l, _ := d.Loss(z, labels, nil, idx, 1)
					return l
				}
				num := scale * (f(h) - f(-h)) / (2 * h)
				if math.Abs(num-float64(dl[i])) > 2e-6 {
					t.Errorf("α %v T %v z_s %v z_t %v: gradient %v, finite difference %v", alpha, T, zs[i], zt[i], dl[i], num)
				}
			}
		}
	}
	// The soft term's gradient is T·(σ(z_s/T) − σ(z_t/T)) and its value is
	// zero when the student agrees with the teacher.
	if l, g := SoftTerm(1.2, 1.2, 2); l != 0 || g != 0 {
		t.Errorf("student = teacher: soft term (%v, %v), want (0, 0)", l, g)
	}
	l, g := SoftTerm(0, math.Log(3)*2, 2) // p_t = 3/4, p_s = 1/2
	wantL := 4 * (0.75*math.Log(1.5) + 0.25*math.Log(0.5))
	if math.Abs(l-wantL) > 1e-12 || math.Abs(g-2*(0.5-0.75)) > 1e-12 {
		t.Errorf("soft term (%v, %v), want (%v, %v)", l, g, wantL, 2*(0.5-0.75))
	}
}

// The thesis's softmax over one unit: the distillation term and its
// gradient are exactly zero for any logits, so its "distillation" is
// α × training on the labels.
func TestThesisLossIsIdenticallyZero(t *testing.T) {
	for _, zs := range []float64{-30, -2, -1e-9, 0, 0.4, 3, 50} {
		for _, zt := range []float64{-20, 0, 1, 9} {
			for _, T := range []float64{0.75, 1, 1.25, 1.5, 2, 3, 5} {
				if l, g := ThesisSoftTerm(zs, zt, T); l != 0 || g != 0 {
					t.Fatalf("z_s %v z_t %v T %v: (%v, %v), want exactly (0, 0)", zs, zt, T, l, g)
				}
			}
		}
	}
	zs := []float32{-1, 0.5, 2}
	labels := []float32{0, 1, 0}
	idx := []int{0, 1, 2}
	thesis := &DistillLoss{Alpha: 0.85, T: 1.5, Teacher: []float32{3, -3, 1}, Thesis: true}
	dl, ref := make([]float32, 3), make([]float32, 3)
	l, _ := thesis.Loss(zs, labels, dl, idx, 1)
	bce, _ := nn.BCEWithLogits(zs, labels, ref, 1)
	if math.Abs(l-0.85*bce) > 1e-9 {
		t.Errorf("thesis loss %v, want 0.85 × BCE = %v", l, 0.85*bce)
	}
	for i := range dl {
		if math.Abs(float64(dl[i])-0.85*float64(ref[i])) > 1e-6 {
			t.Errorf("thesis gradient %v, want 0.85 × %v", dl[i], ref[i])
		}
	}
}

// Distill trains a student of the asked size from a teacher's logits; the
// thesis's half-size student has 1,313,089 parameters.
func TestDistillStudent(t *testing.T) {
	teacher := initModel(t, tinyCfg, 8)
	set := randomSet(tinyCfg, 64, 9)
	opt := DefaultDistill()
	opt.Embed, opt.Hidden = 4, 3
	opt.Tune.Epochs, opt.Tune.BatchSize, opt.Tune.Kernels = 2, 16, kernels.Portable
	s, res, err := Distill(context.Background(), teacher, set, opt)
	if err != nil {
		t.Fatal(err)
	}
	if s.Cfg.Embed != 4 || s.Cfg.Hidden != 3 || len(res.History) != 2 {
		t.Errorf("student %+v, %d epochs", s.Cfg, len(res.History))
	}
	thesis := nn.Config{Vocab: 20000, Embed: 64, Hidden: 64, MaxLen: 170, Padding: "post", Dropout: 0.2}
	half, err := nn.NewModel(thesis)
	if err != nil {
		t.Fatal(err)
	}
	if n := half.NumParams(); n != 1313089 {
		t.Errorf("half-size student: %d parameters, want 1,313,089", n)
	}
	opt.Alpha = 1.5
	if _, _, err := Distill(context.Background(), teacher, set, opt); err == nil {
		t.Error("alpha 1.5 accepted")
	}
}
