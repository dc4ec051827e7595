package layers_test

import (
	"bytes"
	"math"
	"os"
	"testing"

	"sentilab/core/layers"
	"sentilab/core/modelfile"
)

func load(t *testing.T, name string) *modelfile.Loaded {
	t.Helper()
	b, err := os.ReadFile("../../assets/models/" + name)
	if err != nil {
		t.Skip("no shipped model:", err)
	}
	ld, err := modelfile.Load(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return ld
}

// The shipped base and its int8 file: Int8Weights reproduces the file's
// weights bit for bit, and every error stays within int8's and float16's
// rounding bounds (half a step of the group's scale max|w|/127; 2⁻¹¹ of a
// value).
func TestShippedBase(t *testing.T) {
	base, i8 := load(t, "base.safetensors"), load(t, "base.int8.safetensors")
	q, err := layers.Int8Weights(base.Model, false)
	if err != nil {
		t.Fatal(err)
	}
	d, err := layers.Diff(q, i8.Model)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range d {
		if c.Changed != 0 {
			t.Errorf("%s: %d weights differ from base.int8.safetensors", c.Name, c.Changed)
		}
	}
	st, err := layers.Stats(base.Model, q)
	if err != nil {
		t.Fatal(err)
	}
	diff, _ := layers.Diff(base.Model, i8.Model)
	for i, p := range base.Model.Params() {
		s := st[i]
		var maxAbs float64
		for _, x := range p.W {
			maxAbs = math.Max(maxAbs, math.Abs(float64(x)))
		}
		if s.Int8Max > maxAbs/254/s.RMS*(1+1e-6) || s.F16Max > maxAbs/2048/s.RMS {
			t.Errorf("%s: int8 max error %.4g (bound %.4g), f16 %.4g (bound %.4g)", s.Name, s.Int8Max, maxAbs/254/s.RMS, s.F16Max, maxAbs/2048/s.RMS)
		}
		if s.Int8Stored && (s.Int8RMS <= 0 || math.Abs(diff[i].MaxAbs/s.RMS-s.Int8Max) > 1e-9) {
			t.Errorf("%s: int8 RMS error %v, max %v vs the file's diff %v", s.Name, s.Int8RMS, s.Int8Max, diff[i].MaxAbs/s.RMS)
		}
		if s.Sparsity != 0 {
			t.Errorf("%s: sparsity %v in the dense base", s.Name, s.Sparsity)
		}
		t.Logf("%-16s rms %.4f int8 rms %.5f max %.5f  f16 rms %.2e max %.2e  changed by int8 %.1f%%", s.Name, s.RMS, s.Int8RMS, s.Int8Max, s.F16RMS, s.F16Max, 100*diff[i].Share)
	}
	// The pruned model: its int8 file shares one scale per sparse tensor.
	pr := load(t, "base.prune.safetensors")
	pst, _ := layers.Stats(pr.Model, pr.Model)
	if pst[0].Sparsity < 0.79 || pst[0].Sparsity > 0.81 {
		t.Errorf("base.prune embedding sparsity %v, want 0.8", pst[0].Sparsity)
	}
	hs, err := layers.Histograms(base.Model, pr.Model, 40)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range hs {
		for v := range 2 {
			n := 0
			for _, c := range h.Counts[v] {
				n += c
			}
			if n != h.Sizes[v] || n != len(base.Model.Params()[i].W) {
				t.Errorf("%s variant %d: counts sum to %d, size %d", h.Name, v, n, h.Sizes[v])
			}
		}
	}
}
