package layers

import (
	"fmt"
	"math"

	"sentilab/core/nn"
	"sentilab/protocol"
)

// Histogram counts one tensor's weights of two variants in the same bins:
// equal-width bins over [Lo, Hi], the smallest and largest weight of
// either variant (a weight equal to Hi falls in the last bin), so the two
// count rows overlay.
type Histogram = protocol.LayerHistogram

// Histograms bins every tensor the two models both have (a student's
// shapes may differ: each tensor is binned as it is).
func Histograms(a, b *nn.Model, bins int) ([]Histogram, error) {
	if bins < 1 || bins > 1000 {
		return nil, fmt.Errorf("layers: %d bins, want 1 to 1000", bins)
	}
	pb := b.Params()
	var out []Histogram
	for i, p := range a.Params() {
		ws := [2][]float32{p.W, pb[i].W}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, w := range ws {
			for _, x := range w {
				lo, hi = math.Min(lo, float64(x)), math.Max(hi, float64(x))
			}
		}
		if lo == hi {
			// One value everywhere: a bin of width 1 around it.
			lo, hi = lo-0.5, hi+0.5
		}
		h := Histogram{Name: p.Name, Lo: lo, Hi: hi}
		width := (hi - lo) / float64(bins)
		for k, w := range ws {
			h.Counts[k] = make([]int, bins)
			h.Sizes[k] = len(w)
			for _, x := range w {
				j := int((float64(x) - lo) / width)
				h.Counts[k][min(max(j, 0), bins-1)]++
			}
		}
		out = append(out, h)
	}
	return out, nil
}

// Change is one tensor's difference between two variants of one shape.
type Change = protocol.LayerChange

// Diff compares every tensor of a and b, which must have the same shapes.
func Diff(a, b *nn.Model) ([]Change, error) {
	if err := sameShapes(a, b); err != nil {
		return nil, err
	}
	pb := b.Params()
	var out []Change
	for i, p := range a.Params() {
		c := Change{Name: p.Name, Size: len(p.W)}
		var s float64
		for j, x := range p.W {
			y := pb[i].W[j]
			if x == y {
				continue
			}
			c.Changed++
			d := math.Abs(float64(y) - float64(x))
			s += d * d
			c.MaxAbs = math.Max(c.MaxAbs, d)
		}
		c.Share = float64(c.Changed) / float64(c.Size)
		c.RMS = math.Sqrt(s / float64(c.Size))
		out = append(out, c)
	}
	return out, nil
}
