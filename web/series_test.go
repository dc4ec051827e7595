package web

import (
	"math"
	"testing"
)

func TestSeriesStaysBoundedAndKeepsTheMean(t *testing.T) {
	s := NewSeries(300)
	const n = 10000 // ≈ 15 epochs of 50,000 reviews at batch 64
	var sum float64
	for i := 1; i <= n; i++ {
		v := math.Exp(-math.Pow(float64(i-3000)/800, 2)) // one peak, at batch 3,000
		sum += v
		s.Add(i, v, 2*v)
		if len(s.X) >= s.Cap {
			t.Fatalf("after %d batches: %d points, cap %d", i, len(s.X), s.Cap)
		}
	}
	x, a, b := s.Points()
	if len(x) > 300 || len(x) < 150 {
		t.Fatalf("%d points drawn, want 150..300", len(x))
	}
	if x[len(x)-1] != n {
		t.Fatalf("last point at batch %d, want %d", x[len(x)-1], n)
	}
	// Every point but the partial last one holds Step batches, so the
	// weighted mean of the points is the mean of all batches.
	var got float64
	full := len(s.X)
	for i := 0; i < full; i++ {
		got += a[i] * float64(s.Step)
		if x[i] != (i+1)*s.Step {
			t.Fatalf("point %d ends at batch %d, want %d (step %d)", i, x[i], (i+1)*s.Step, s.Step)
		}
		if math.Abs(b[i]-2*a[i]) > 1e-12 {
			t.Fatalf("point %d: b %v is not 2·a %v", i, b[i], a[i])
		}
	}
	if rest := n - full*s.Step; rest > 0 {
		got += a[full] * float64(rest)
	}
	if math.Abs(got-sum) > 1e-9*n {
		t.Fatalf("mean of the points %v, of the batches %v", got/n, sum/n)
	}
	// The curve keeps its shape: the peak stays near batch 3,000.
	best := 0
	for i := range a {
		if a[i] > a[best] {
			best = i
		}
	}
	if c := x[best]; c < 3000-s.Step || c > 3000+s.Step {
		t.Fatalf("peak drawn at batch %d, want 3000 ± %d", c, s.Step)
	}
}

func TestSeriesShort(t *testing.T) {
	s := NewSeries(300)
	s.Add(1, 0.7, 0.5)
	s.Add(2, 0.6, 0.55)
	x, a, _ := s.Points()
	if len(x) != 2 || x[1] != 2 || a[1] != 0.6 || s.Step != 1 {
		t.Fatalf("got x %v a %v step %d", x, a, s.Step)
	}
}

func TestRateFollowsTheRecentSpeed(t *testing.T) {
	r := Rate{Window: 3000}
	if r.PerSec() != 0 {
		t.Fatal("a rate before two samples")
	}
	// 10 s at 100 units/s, then 10 s at 400 units/s.
	v := 0.0
	for ms := 0.0; ms <= 20000; ms += 100 {
		r.Add(ms, v)
		if ms < 10000 {
			v += 10
		} else {
			v += 40
		}
	}
	if got := r.PerSec(); math.Abs(got-400) > 20 {
		t.Fatalf("rate %v, want ≈400 (the last 3 s)", got)
	}
	if len(r.t) > 32 {
		t.Fatalf("%d samples kept for a 3 s window at 10/s", len(r.t))
	}
}
