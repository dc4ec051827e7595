package nn

import (
	"fmt"
	"math"
	"testing"

	"sentilab/core/mathx"
)

func TestLog64Accuracy(t *testing.T) {
	for _, x := range []float64{1e-300, 1e-10, 0.3, 1, 2, 1e10, 1e300} {
		if d := math.Abs(mathx.Log64(x) - math.Log(x)); d > 1e-13*math.Max(1, math.Abs(math.Log(x))) {
			t.Errorf("mathx.Log64(%g) = %v, want %v", x, mathx.Log64(x), math.Log(x))
		}
	}
}

func TestInitMatchesKeras(t *testing.T) {
	cfg := Config{Vocab: 200, Embed: 16, Hidden: 8, MaxLen: 4, Padding: "post", Dropout: 0.2}
	m, _ := NewModel(cfg)
	Init(m, 1)
	// Orthogonal recurrent kernel [H, 4H]: rows orthonormal.
	H, G := cfg.Hidden, 4*cfg.Hidden
	for i := 0; i < H; i++ {
		for j := 0; j < H; j++ {
			var d float64
			for k := 0; k < G; k++ {
				d += float64(m.Recurrent[i*G+k]) * float64(m.Recurrent[j*G+k])
			}
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(d-want) > 1e-6 {
				t.Fatalf("recurrent rows %d·%d = %v, want %v", i, j, d, want)
			}
		}
	}
	for j, b := range m.Bias {
		want := float32(0)
		if j >= H && j < 2*H {
			want = 1
		}
		if b != want {
			t.Fatalf("bias[%d] = %v, want %v (forget gate 1, others 0)", j, b, want)
		}
	}
	lim := float32(math.Sqrt(6.0 / float64(cfg.Embed+G)))
	for _, w := range m.Kernel {
		if w < -lim || w > lim {
			t.Fatalf("kernel weight %v outside Glorot limit %v", w, lim)
		}
	}
	for _, w := range m.Embedding {
		if w < -0.05 || w > 0.05 {
			t.Fatalf("embedding weight %v outside ±0.05", w)
		}
	}
	thesis := Config{Vocab: 20000, Embed: 128, Hidden: 128, MaxLen: 170, Padding: "post", Dropout: 0.2}
	tm, _ := NewModel(thesis)
	if n := tm.NumParams(); n != 2691713 {
		t.Errorf("thesis model has %d parameters, want 2,691,713", n)
	}
	half := thesis
	half.Embed, half.Hidden = 64, 64
	hm, _ := NewModel(half)
	if n := hm.NumParams(); n != 1313089 {
		t.Errorf("half-size student has %d parameters, want 1,313,089", n)
	}
}

// TestTensorsAreTheFileLayout pins the names and shapes the model file and
// core/compress's int8 model read from Config.Tensors.
func TestTensorsAreTheFileLayout(t *testing.T) {
	cfg := Config{Vocab: 7, Embed: 3, Hidden: 2, MaxLen: 4, Padding: "post"}
	m, err := NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name  string
		shape []int
	}{
		{"embedding.weight", []int{7, 3}}, {"lstm.kernel", []int{3, 8}}, {"lstm.recurrent", []int{2, 8}},
		{"lstm.bias", []int{8}}, {"dense.weight", []int{2, 1}}, {"dense.bias", []int{1}},
	}
	ps := m.Params()
	if len(ps) != len(want) {
		t.Fatalf("%d params, want %d", len(ps), len(want))
	}
	size := 0
	for i, p := range ps {
		if p.Name != want[i].name || fmt.Sprint(p.Shape) != fmt.Sprint(want[i].shape) {
			t.Errorf("param %d: %s %v, want %s %v", i, p.Name, p.Shape, want[i].name, want[i].shape)
		}
		n := 1
		for _, d := range p.Shape {
			n *= d
		}
		if len(p.W) != n {
			t.Errorf("%s: %d values for shape %v", p.Name, len(p.W), p.Shape)
		}
		size += n
	}
	if size != 7*3+3*8+2*8+8+2+1 || int64(size) != cfg.NumParams() {
		t.Errorf("%d values, NumParams %d, want %d", size, cfg.NumParams(), 7*3+3*8+2*8+8+2+1)
	}
}
