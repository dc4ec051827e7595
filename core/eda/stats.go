package eda

import (
	"math"
	"slices"
)

// summarize returns mean, min and max of xs (zero Summary for none). The
// mean is the float64 sum divided by the count, as pandas' mean of an int
// column (exact here: the sums are far below 2^53).
func summarize(xs []int) Summary {
	if len(xs) == 0 {
		return Summary{}
	}
	s := Summary{Min: xs[0], Max: xs[0]}
	var sum int64
	for _, x := range xs {
		sum += int64(x)
		s.Min = min(s.Min, x)
		s.Max = max(s.Max, x)
	}
	s.Mean = float64(sum) / float64(len(xs))
	return s
}

// percentiles returns the values at 0, step, ..., 100 percent of xs with
// numpy's default "linear" method, which pandas' quantile uses: virtual
// index (n-1)·q, then numpy's _lerp, which computes b - (b-a)·(1-t) for
// t >= 0.5 so the result is exact at both ends.
func percentiles(xs []int, step int) []Percentile {
	if len(xs) == 0 || step <= 0 {
		return nil
	}
	sorted := slices.Clone(xs)
	slices.Sort(sorted)
	var out []Percentile
	for p := 0; p <= 100; p += step {
		q := float64(p) / 100
		v := q * float64(len(sorted)-1)
		lo := math.Floor(v)
		i := int(lo)
		j := min(i+1, len(sorted)-1)
		a, b := float64(sorted[i]), float64(sorted[j])
		t := v - lo
		d := b - a
		val := a + d*t
		if t >= 0.5 {
			val = b - d*(1-t)
		}
		out = append(out, Percentile{P: p, Value: val})
	}
	return out
}

// histogram counts xs in bins equal-width bins over [lo, hi], numpy.histogram
// style: edges from linspace, bin i is [edges[i], edges[i+1]) and the last
// bin also holds hi. hi <= lo gives one bin of width 1.
func histogram(xs []int, lo, hi float64, bins int) Histogram {
	if bins < 1 {
		bins = 1
	}
	if hi <= lo {
		hi = lo + 1
	}
	h := Histogram{Edges: make([]float64, bins+1), Counts: make([]int, bins)}
	step := (hi - lo) / float64(bins)
	for i := range h.Edges {
		h.Edges[i] = lo + float64(i)*step
	}
	h.Edges[bins] = hi
	for _, x := range xs {
		f := float64(x)
		if f < lo || f > hi {
			continue
		}
		k := int((f - lo) / step)
		// Float rounding can put x one bin off; the edges decide.
		if k >= bins {
			k = bins - 1
		}
		if k > 0 && f < h.Edges[k] {
			k--
		} else if k < bins-1 && f >= h.Edges[k+1] {
			k++
		}
		h.Counts[k]++
	}
	return h
}

// topCounts returns the n most frequent entries of counts, ties in
// alphabetical order (so the result does not depend on map order).
func topCounts(counts map[string]int, n int) []WordFreq {
	all := make([]WordFreq, 0, len(counts))
	for w, c := range counts {
		all = append(all, WordFreq{w, c})
	}
	slices.SortFunc(all, func(a, b WordFreq) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if a.Word < b.Word {
			return -1
		}
		if a.Word > b.Word {
			return 1
		}
		return 0
	})
	return all[:min(n, len(all))]
}
