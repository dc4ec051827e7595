package web

import "fmt"

// Series is a per-batch curve of bounded size: a run of any length keeps at
// most Cap points. Each point is the mean of Step consecutive batches; when
// the points fill up, neighbours are merged in pairs and Step doubles, so the
// curve keeps its shape at a coarser grain (a 15-epoch run over 50,000
// reviews sends ~10,000 batches; the chart must not grow with them).
type Series struct {
	Cap  int       // maximum number of points (even, ≥ 2)
	Step int       // batches per point
	X    []int     // the last batch of each point (1-based, over the run)
	A, B []float64 // the two curves' means per point

	// the batches of the point being filled
	n          int
	sumA, sumB float64
	last       int
}

// NewSeries makes a Series of at most cap points.
func NewSeries(cap int) *Series {
	cap = max(2, cap&^1)
	return &Series{Cap: cap, Step: 1}
}

// Add appends batch number x (increasing) with values a and b.
func (s *Series) Add(x int, a, b float64) {
	s.n++
	s.sumA += a
	s.sumB += b
	s.last = x
	if s.n < s.Step {
		return
	}
	s.X = append(s.X, x)
	s.A = append(s.A, s.sumA/float64(s.n))
	s.B = append(s.B, s.sumB/float64(s.n))
	s.n, s.sumA, s.sumB = 0, 0, 0
	if len(s.X) == s.Cap {
		s.halve()
	}
}

// halve merges neighbouring points: both hold Step batches, so their mean
// is the mean of 2·Step batches.
func (s *Series) halve() {
	h := len(s.X) / 2
	for i := 0; i < h; i++ {
		s.X[i] = s.X[2*i+1]
		s.A[i] = (s.A[2*i] + s.A[2*i+1]) / 2
		s.B[i] = (s.B[2*i] + s.B[2*i+1]) / 2
	}
	s.X, s.A, s.B = s.X[:h], s.A[:h], s.B[:h]
	s.Step *= 2
}

// check says what is wrong with a Series decoded from a saved record, or "".
func (s *Series) check() string {
	if len(s.A) != len(s.X) || len(s.B) != len(s.X) {
		return fmt.Sprintf("%d points, %d and %d values", len(s.X), len(s.A), len(s.B))
	}
	if s.Cap < 2 || len(s.X) >= s.Cap || s.Step < 1 {
		return fmt.Sprintf("%d points of at most %d, %d batches each", len(s.X), s.Cap, s.Step)
	}
	return ""
}

// Points returns the curve to draw: the full points, then the partial one
// (so the newest batch shows at once). At most Cap points.
func (s *Series) Points() (x []int, a, b []float64) {
	x, a, b = append([]int(nil), s.X...), append([]float64(nil), s.A...), append([]float64(nil), s.B...)
	if s.n > 0 {
		x, a, b = append(x, s.last), append(a, s.sumA/float64(s.n)), append(b, s.sumB/float64(s.n))
	}
	return x, a, b
}

// Rate estimates throughput over a recent window, so the ETA follows the
// speed of the last seconds (the engine's rate is the run's average, and
// moves slowly when the machine speeds up or slows down).
type Rate struct {
	Window float64 // ms
	t, v   []float64
}

// Add records that v units were done at time t (ms, increasing).
func (r *Rate) Add(t, v float64) {
	r.t, r.v = append(r.t, t), append(r.v, v)
	// Keep one sample older than the window, as the rate's start.
	i := 0
	for i+1 < len(r.t) && t-r.t[i+1] >= r.Window {
		i++
	}
	if i > 0 {
		r.t, r.v = append(r.t[:0], r.t[i:]...), append(r.v[:0], r.v[i:]...)
	}
}

// PerSec is the units per second over the window (0 before two samples).
func (r *Rate) PerSec() float64 {
	n := len(r.t)
	if n < 2 || r.t[n-1] <= r.t[0] {
		return 0
	}
	return (r.v[n-1] - r.v[0]) / (r.t[n-1] - r.t[0]) * 1000
}

// Reset forgets every sample.
func (r *Rate) Reset() { r.t, r.v = r.t[:0], r.v[:0] }
