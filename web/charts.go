package web

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Chart options are built here with go-echarts and rendered in the page by
// assets/main.js: Root.AfterRender hands each option to the page outside
// Vugu's render buffer (Browser.DrawChart), where
// echarts.init(el).setOption(JSON.parse(option)) draws it.

type validator interface {
	Validate()
	JSON() map[string]interface{}
}

// optionJSON is a chart's ECharts option as JSON. Validate is required: it
// copies the x axis into the options (go-echarts v2).
func optionJSON(c validator) string {
	c.Validate()
	b, err := json.Marshal(c.JSON())
	if err != nil {
		return ""
	}
	return string(b)
}

func common(title, xName, yName string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithTitleOpts(opts.Title{Title: title, Left: "center", TitleStyle: &opts.TextStyle{FontSize: 14}}),
		charts.WithAnimation(false),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "24"}),
		charts.WithGridOpts(opts.Grid{Top: "64", Left: "56", Right: "24", Bottom: "48"}),
		charts.WithXAxisOpts(opts.XAxis{Name: xName, NameLocation: "middle", NameGap: 28}),
		charts.WithYAxisOpts(opts.YAxis{Name: yName, Scale: opts.Bool(true)}),
	}
}

// HistogramChart draws several histograms with the same edges as bars.
// Bins are labelled by their left edge with as many decimals as the bin
// width needs (weights of ±0.05 need three, word counts none).
func HistogramChart(title, xName, yName string, names []string, hs []Histogram) string {
	if len(hs) == 0 || len(hs[0].Edges) < 2 {
		return ""
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(common(title, xName, yName)...)
	e := hs[0].Edges
	digits := 0
	if w := e[1] - e[0]; w > 0 && w < 1 {
		digits = int(math.Ceil(-math.Log10(w))) + 1
	}
	var x []string
	for i := 0; i+1 < len(e); i++ {
		x = append(x, strconv.FormatFloat(e[i], 'f', digits, 64))
	}
	bar.SetXAxis(x)
	for k, h := range hs {
		var d []opts.BarData
		for _, c := range h.Counts {
			d = append(d, opts.BarData{Value: c})
		}
		bar.AddSeries(names[k], d, charts.WithBarChartOpts(opts.BarChart{BarGap: "0%"}))
	}
	return optionJSON(bar)
}

// LineChart draws series over shared x labels; nil values are gaps.
func LineChart(title, xName, yName string, x []string, names []string, series [][]float64) string {
	line := charts.NewLine()
	line.SetGlobalOptions(common(title, xName, yName)...)
	line.SetXAxis(x)
	for k, s := range series {
		var d []opts.LineData
		for _, v := range s {
			if math.IsNaN(v) {
				d = append(d, opts.LineData{Value: "-"})
				continue
			}
			d = append(d, opts.LineData{Value: round(v, 5)})
		}
		line.AddSeries(names[k], d, charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(len(x) < 40)}))
	}
	return optionJSON(line)
}

// BarChart draws one series of labelled values (TF-IDF terms, word counts).
func BarChart(title, yName string, labels []string, values []float64) string {
	bar := charts.NewBar()
	bar.SetGlobalOptions(common(title, "", yName)...)
	bar.SetXAxis(labels)
	var d []opts.BarData
	for _, v := range values {
		d = append(d, opts.BarData{Value: round(v, 6)})
	}
	bar.AddSeries(yName, d)
	return optionJSON(bar)
}

// Point is one variant on the accuracy-vs-size scatter.
type Point struct {
	Name     string
	SizeKB   float64
	Accuracy float64 // percent
	Group    string  // its legend entry: ScatterGroups
}

// ScatterGroups are the scatter's series, each its own legend entry and
// colour: the thesis's numbers, the server's pre-trained models, and the
// models the class made itself.
var ScatterGroups = []string{"thesis", "server's pre-trained", "this class"}

// ScatterChart is accuracy (y) against file size (x), one series per group.
// Labels that would overlap are hidden (hover shows every name), so close
// variants (int8 next to its pruned twin) do not print over each other.
func ScatterChart(points []Point) string {
	sc := charts.NewScatter()
	g := common("Accuracy vs file size", "file size (KB)", "test accuracy (%)")
	g[2] = charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"})
	g = append(g, charts.WithXAxisOpts(opts.XAxis{Name: "file size (KB)", Type: "log", NameLocation: "middle", NameGap: 28}))
	sc.SetGlobalOptions(g...)
	for _, grp := range ScatterGroups {
		var d []opts.ScatterData
		for _, p := range points {
			if p.Group == grp {
				d = append(d, opts.ScatterData{Name: p.Name, Value: []any{round(p.SizeKB, 1), round(p.Accuracy, 2)}, SymbolSize: 14})
			}
		}
		sc.AddSeries(grp, d, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Formatter: "{b}", Position: "right"}))
	}
	return withSeriesOption(optionJSON(sc), "labelLayout", map[string]any{"hideOverlap": true})
}

// withSeriesOption sets key to v in every series of an option (ECharts
// options go-echarts does not know, such as labelLayout).
func withSeriesOption(option, key string, v any) string {
	var m map[string]any
	if json.Unmarshal([]byte(option), &m) != nil {
		return option
	}
	ss, _ := m["series"].([]any)
	for _, s := range ss {
		if sm, ok := s.(map[string]any); ok {
			sm[key] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return option
	}
	return string(b)
}

// PolynomialSchedule is TensorFlow's PolynomialDecay sparsity schedule (the
// thesis's pruning): s(t) = s_f + (s_i − s_f)·(1 − (t − t0)/(t1 − t0))³.
func PolynomialSchedule(si, sf float64, t0, t1 int) (x []string, s []float64) {
	for t := 0; t <= t1+t1/10; t += max(1, t1/50) {
		v := si
		switch {
		case t >= t1:
			v = sf
		case t > t0:
			v = sf + (si-sf)*math.Pow(1-float64(t-t0)/float64(t1-t0), 3)
		}
		x = append(x, fmt.Sprint(t))
		s = append(s, v*100)
	}
	return x, s
}

// AccuracyHeatmap is an ECharts heatmap option of test accuracies (%):
// xs across, ys up, each cell {x, y, accuracy %} coloured and labelled,
// missing cells blank. The colour range is the cells' (0–100 with none,
// widened to a visible 1 point when they are all equal). left is the
// plot's left margin, sized to the y axis's labels.
func AccuracyHeatmap(title, xName, yName string, left int, xs, ys []string, cells [][3]any) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range cells {
		v := c[2].(float64)
		lo, hi = min(lo, v), max(hi, v)
	}
	if len(cells) == 0 {
		lo, hi = 0, 100
	}
	if hi-lo < 0.5 { // one cell, or all equal: a visible range
		lo, hi = lo-0.5, hi+0.5
	}
	opt := map[string]any{
		"animation": false,
		"title":     map[string]any{"text": title, "left": "center", "textStyle": map[string]any{"fontSize": 14}},
		"tooltip":   map[string]any{"show": true},
		"grid":      map[string]any{"top": 40, "left": left, "right": 24, "bottom": 96},
		"xAxis":     map[string]any{"type": "category", "data": xs, "name": xName, "nameLocation": "middle", "nameGap": 28, "splitArea": map[string]any{"show": true}},
		"yAxis":     map[string]any{"type": "category", "data": ys, "name": yName, "splitArea": map[string]any{"show": true}},
		"visualMap": map[string]any{"min": round(lo, 2), "max": round(hi, 2), "calculable": true, "orient": "horizontal", "left": "center", "bottom": 0},
		"series": []any{map[string]any{"name": "test accuracy (%)", "type": "heatmap", "data": cells,
			"label": map[string]any{"show": true}}},
	}
	b, err := json.Marshal(opt)
	if err != nil {
		return ""
	}
	return string(b)
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
