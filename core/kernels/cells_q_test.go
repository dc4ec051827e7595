package kernels

import (
	"math"
	"testing"
)

// TestQActivationsAccuracy bounds the int8 runtime's activations against
// float64's on a dense grid of [−40, 40] (steps of 2^-12) and at the
// extremes: tanhR within 4e-7 of tanh (float32's ulp below 1 is 6e-8, and
// the rational is good to a few; 3.6e-7 measured), sigmoidR within 2.5e-7
// of the logistic (1.8e-7 measured), both odd/complementary as the true
// functions, and NaN kept. A wrong coefficient or a lost clamp moves these
// by orders of magnitude.
func TestQActivationsAccuracy(t *testing.T) {
	var worstT, worstS float64
	for i := -40 * 4096; i <= 40*4096; i++ {
		x := float32(i) / 4096
		gt, gs := float64(tanhR(x)), float64(sigmoidR(x))
		wt, ws := math.Tanh(float64(x)), 1/(1+math.Exp(-float64(x)))
		worstT = max(worstT, math.Abs(gt-wt))
		worstS = max(worstS, math.Abs(gs-ws))
		if tanhR(-x) != -tanhR(x) {
			t.Fatalf("tanhR(%v) = %v but tanhR(%v) = %v", -x, tanhR(-x), x, tanhR(x))
		}
		if gt < -1 || gt > 1 || gs < 0 || gs > 1 {
			t.Fatalf("x = %v: tanhR %v, sigmoidR %v out of range", x, gt, gs)
		}
	}
	if worstT > 4e-7 || worstS > 2.5e-7 {
		t.Fatalf("largest error on [-40, 40]: tanhR %.3g, sigmoidR %.3g (want ≤ 4e-7, 2.5e-7)", worstT, worstS)
	}
	t.Logf("largest error on [-40, 40]: tanhR %.3g, sigmoidR %.3g", worstT, worstS)
	inf := float32(math.Inf(1))
	for _, c := range []struct {
		name      string
		got, want float32
	}{{"tanhR(+Inf)", tanhR(inf), 1}, {"tanhR(-Inf)", tanhR(-inf), -1}, {"sigmoidR(+Inf)", sigmoidR(inf), 1},
		{"sigmoidR(-Inf)", sigmoidR(-inf), 0}, {"tanhR(0)", tanhR(0), 0}, {"sigmoidR(0)", sigmoidR(0), 0.5}} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if nan := float32(math.NaN()); !math.IsNaN(float64(tanhR(nan))) || !math.IsNaN(float64(sigmoidR(nan))) {
		t.Error("NaN did not stay NaN")
	}
}

// TestQCellsCell: lstmCellsQ's cell update is lstmCells' (c = f·cprev + i·g,
// h = o·tanh(c)) with the rational activations, checked against float64 on
// random gates: within 1e-6.
func TestQCellsCell(t *testing.T) {
	const n, H = 3, 8
	a := make([]float32, n*4*H)
	cprev := make([]float32, n*H)
	for i := range a {
		a[i] = float32(math.Sin(float64(i)*1.7) * 6)
	}
	for i := range cprev {
		cprev[i] = float32(math.Cos(float64(i)*0.9) * 3)
	}
	a0 := append([]float32(nil), a...)
	c, tc, h := make([]float32, n*H), make([]float32, n*H), make([]float32, n*H)
	lstmCellsQ(a, cprev, c, tc, h, n, H)
	sig := func(x float32) float64 { return 1 / (1 + math.Exp(-float64(x))) }
	for r := 0; r < n; r++ {
		for j := 0; j < H; j++ {
			g := a0[r*4*H:]
			i, f, gg, o := sig(g[j]), sig(g[H+j]), math.Tanh(float64(g[2*H+j])), sig(g[3*H+j])
			wc := f*float64(cprev[r*H+j]) + i*gg
			wh := o * math.Tanh(wc)
			if d := math.Abs(float64(c[r*H+j]) - wc); d > 1e-6 {
				t.Fatalf("c[%d,%d] = %v, want %v", r, j, c[r*H+j], wc)
			}
			if d := math.Abs(float64(h[r*H+j]) - wh); d > 1e-6 {
				t.Fatalf("h[%d,%d] = %v, want %v", r, j, h[r*H+j], wh)
			}
		}
	}
}
