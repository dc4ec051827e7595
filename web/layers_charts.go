package web

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"sentilab/protocol"
)

// SensitivityChart draws the accuracy change, in percentage points, when
// only one tensor is int8 and when only it is pruned: one bar pair per
// weight matrix (biases are never quantized or pruned).
func SensitivityChart(variant string, t *protocol.SensitivityTable) string {
	bar := charts.NewBar()
	bar.SetGlobalOptions(common("Sensitivity of "+variant, "tensor", "Δ accuracy (points)")...)
	var x []string
	var q, p []opts.BarData
	for _, r := range t.Rows {
		if !r.Int8 {
			continue
		}
		x = append(x, r.Name)
		q = append(q, opts.BarData{Value: round(100*r.Int8DAcc, 3)})
		p = append(p, opts.BarData{Value: round(100*r.PruneDAcc, 3)})
	}
	bar.SetXAxis(x)
	bar.AddSeries("only this tensor int8", q)
	bar.AddSeries("only this tensor pruned "+strconv.FormatFloat(100*t.PruneSparsity, 'f', 0, 64)+"%", p)
	return optionJSON(bar)
}

// OverlayHistogramChart draws one tensor's weights of two variants as
// overlapping translucent bars over the same bins.
func OverlayHistogramChart(a, b string, h protocol.LayerHistogram) string {
	bar := charts.NewBar()
	bar.SetGlobalOptions(common(h.Name+": "+a+" and "+b, "weight (bin centre)", "weights")...)
	n := len(h.Counts[0])
	w := (h.Hi - h.Lo) / float64(max(n, 1))
	digits := 0
	if w > 0 && w < 1 {
		digits = int(math.Ceil(-math.Log10(w))) + 1
	}
	var x []string
	for i := range n {
		x = append(x, strconv.FormatFloat(h.Lo+(float64(i)+0.5)*w, 'f', digits, 64))
	}
	bar.SetXAxis(x)
	for k, name := range []string{a, b} {
		var d []opts.BarData
		for _, c := range h.Counts[k] {
			d = append(d, opts.BarData{Value: c})
		}
		bar.AddSeries(name, d)
	}
	o := withSeriesOption(optionJSON(bar), "barGap", "-100%")
	return withSeriesOption(o, "itemStyle", map[string]any{"opacity": 0.55})
}

// ParetoFront is the points no other point beats: a point is dominated
// when another is no larger and no less accurate, and strictly better in
// one of the two. Compared as the chart shows them (KB to 0.1, % to 0.01).
// The result is sorted by size.
func ParetoFront(points []Point) []Point {
	key := func(p Point) (float64, float64) { return round(p.SizeKB, 1), round(p.Accuracy, 2) }
	var front []Point
	for i, p := range points {
		ps, pa := key(p)
		dominated := false
		for j, q := range points {
			qs, qa := key(q)
			if i != j && qs <= ps && qa >= pa && (qs < ps || qa > pa) {
				dominated = true
				break
			}
		}
		if !dominated {
			front = append(front, p)
		}
	}
	sort.SliceStable(front, func(i, j int) bool { return front[i].SizeKB < front[j].SizeKB })
	return front
}

// ParetoGroups are the scatter's groups the front is drawn through: the
// models measured here (the thesis's numbers come from its own test split).
var ParetoGroups = map[string]bool{"server's pre-trained": true, "this class": true}

// withParetoFront adds the front of the measured points to a scatter
// option as a line series with its own legend entry.
func withParetoFront(option string, points []Point) string {
	var measured []Point
	for _, p := range points {
		if ParetoGroups[p.Group] {
			measured = append(measured, p)
		}
	}
	front := ParetoFront(measured)
	if len(front) == 0 {
		return option
	}
	var m map[string]any
	if json.Unmarshal([]byte(option), &m) != nil {
		return option
	}
	var data []map[string]any
	for _, p := range front {
		data = append(data, map[string]any{"name": p.Name, "value": []float64{round(p.SizeKB, 1), round(p.Accuracy, 2)}})
	}
	ss, _ := m["series"].([]any)
	m["series"] = append(ss, map[string]any{"type": "line", "name": "Pareto front", "data": data, "symbolSize": 6,
		"lineStyle": map[string]any{"type": "dashed"}, "z": 1, "tooltip": map[string]any{"show": false}})
	if lg, ok := m["legend"].(map[string]any); ok {
		if d, ok := lg["data"].([]any); ok {
			lg["data"] = append(d, "Pareto front")
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return option
	}
	return string(b)
}
