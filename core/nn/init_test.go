package nn

import (
	"math"
	"testing"
)

func TestLog64Accuracy(t *testing.T) {
	for _, x := range []float64{1e-300, 1e-10, 0.3, 1, 2, 1e10, 1e300} {
		if d := math.Abs(log64(x) - math.Log(x)); d > 1e-13*math.Max(1, math.Abs(math.Log(x))) {
			t.Errorf("log64(%g) = %v, want %v", x, log64(x), math.Log(x))
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
