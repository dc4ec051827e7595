//go:build !js || !wasm

package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/render"

	"sentilab/protocol"
)

// echartsHost is where go-echarts points the pages' <script src> for
// echarts.min.js: the asset root of the lab (build.sh copies it there from
// npm), natively and on Workers, never a remote host.
const echartsHost = "/"

// chartInit gives every chart a fixed id (so the page, its ETag and its
// CSP hashes are the same on every start and every Worker instance) and
// the local assets host.
func chartInit(id, width, height string) charts.GlobalOpts {
	return charts.WithInitializationOpts(opts.Initialization{ChartID: id, Width: width, Height: height, AssetsHost: echartsHost})
}

func chartTitle(title, sub string) charts.GlobalOpts {
	return charts.WithTitleOpts(opts.Title{Title: chartText(title), Subtitle: chartText(sub), Left: "center"})
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// accuracySizeChart: test accuracy against file size, one point per
// variant, and the thesis's files beside them: the lesson in one picture
// (how far left a technique moves a model, and how far down).
func accuracySizeChart(doc *protocol.Manifest) (render.Renderer, bool) {
	c := charts.NewScatter()
	c.SetGlobalOptions(
		chartInit("c_accuracy_size", "100%", "460px"),
		chartTitle("Test accuracy against file size", "size on a log scale; the thesis's Keras/TFLite files for comparison"),
		charts.WithAnimation(false),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0", Type: "scroll"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "log", Name: "KB", NameLocation: "end", SplitLine: &opts.SplitLine{Show: opts.Bool(true)}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "test accuracy %", Scale: opts.Bool(true)}),
		charts.WithGridOpts(opts.Grid{Left: "60", Right: "60", Top: "70", Bottom: "70"}),
	)
	// Labels alternate above and below in order of size, so neighbours on
	// the log axis (int8 and pruned files are about the same size) do not
	// write over each other.
	order := make([]int, len(doc.Models))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return doc.Models[order[a]].Bytes < doc.Models[order[b]].Bytes })
	n := 0
	for _, i := range order {
		m := &doc.Models[i]
		acc, ok := metric(m, "test_accuracy")
		if !ok || m.Bytes <= 0 {
			continue
		}
		pos := "top"
		if n%2 == 1 {
			pos = "bottom"
		}
		pt := opts.ScatterData{Name: chartText(m.Name), Value: []float64{round(float64(m.Bytes)/1024, 1), round(100*acc, 2)}, SymbolSize: 16}
		c.AddSeries(chartText(m.Name), []opts.ScatterData{pt},
			charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: pos, Formatter: "{a}"}))
		n++
	}
	var thesis []opts.ScatterData
	seen := map[string]bool{}
	for _, m := range doc.Models {
		if m.Thesis == nil || seen[m.Variant] {
			continue
		}
		acc, ok1 := thesisNumber(m.Thesis.Accuracy)
		kb, ok2 := thesisNumber(m.Thesis.Size)
		if ok1 && ok2 && kb > 0 {
			seen[m.Variant] = true
			thesis = append(thesis, opts.ScatterData{Name: "thesis " + chartText(m.Variant), Value: []float64{kb, round(acc, 2)}, Symbol: "diamond", SymbolSize: 12})
		}
	}
	if len(thesis) > 0 {
		c.AddSeries("thesis (its files)", thesis, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "left", Formatter: "{b}", Color: "#777"}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: "#999"}))
	}
	return c, n > 0
}

// sizeChart: file and gzip size per variant. gzip is what a browser
// downloads, and it shows what each encoding leaves to compress: float32
// weights barely shrink, a sparse file's zeros are already gone.
func sizeChart(doc *protocol.Manifest) (render.Renderer, bool) {
	c := charts.NewBar()
	c.SetGlobalOptions(
		chartInit("c_sizes", "100%", "420px"),
		chartTitle("File size and gzip size", "KB; gzip -6 of the file, what a browser downloads"),
		charts.WithAnimation(false),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithXAxisOpts(opts.XAxis{AxisLabel: &opts.AxisLabel{Interval: "0", Rotate: 20}}),
		charts.WithYAxisOpts(opts.YAxis{Name: "KB"}),
		charts.WithGridOpts(opts.Grid{Left: "70", Right: "30", Top: "70", Bottom: "90"}),
	)
	var names []string
	var file, gz []opts.BarData
	for _, m := range doc.Models {
		names = append(names, chartText(m.Name))
		file = append(file, opts.BarData{Value: round(float64(m.Bytes)/1024, 0)})
		if g, ok := metric(&m, "gzip_bytes"); ok {
			gz = append(gz, opts.BarData{Value: round(g/1024, 0)})
		} else {
			gz = append(gz, opts.BarData{Value: "-"})
		}
	}
	label := charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "top", FontSize: 10})
	c.SetXAxis(names).AddSeries("file", file, label).AddSeries("gzip", gz, label)
	return c, len(names) > 0
}

// historyChart: one metric of the training history (train and validation)
// of every model that has one.
func historyChart(doc *protocol.Manifest, id, title, unit string, train, val func(protocol.Epoch) float64) (render.Renderer, bool) {
	sub := "solid: training batches; dashed: validation split"
	for _, m := range doc.Models {
		if m.BestEpoch > 0 && m.BestEpoch < len(m.History) {
			sub += fmt.Sprintf("; %s keeps epoch %d (early stopping)", m.Name, m.BestEpoch)
		}
	}
	c := charts.NewLine()
	c.SetGlobalOptions(
		chartInit(id, "100%", "380px"),
		chartTitle(title, sub),
		charts.WithAnimation(false),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0", Type: "scroll"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithXAxisOpts(opts.XAxis{Name: "epoch", Type: "category"}),
		charts.WithYAxisOpts(opts.YAxis{Name: unit, Scale: opts.Bool(true)}),
		charts.WithGridOpts(opts.Grid{Left: "60", Right: "60", Top: "70", Bottom: "60"}),
	)
	epochs := 0
	for _, m := range doc.Models {
		epochs = max(epochs, len(m.History))
	}
	x := make([]string, epochs)
	for i := range x {
		x[i] = strconv.Itoa(i + 1)
	}
	c.SetXAxis(x)
	n := 0
	for _, m := range doc.Models {
		if len(m.History) == 0 {
			continue
		}
		var tr, va []opts.LineData
		for _, e := range m.History {
			tr = append(tr, opts.LineData{Value: round(train(e), 4)})
			va = append(va, opts.LineData{Value: round(val(e), 4)})
		}
		name := chartText(m.Name)
		c.AddSeries(name+" train", tr)
		c.AddSeries(name+" validation", va, charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed"}))
		n++
	}
	return c, n > 0
}

var classNames = []string{"negative", "positive"}

// confusionChart: one model's test confusion matrix, counts in the cells.
func confusionChart(i int, m *protocol.ManifestModel) render.Renderer {
	cm := m.Confusion
	c := charts.NewHeatMap()
	hi := 0
	var cells []opts.HeatMapData
	for t := 0; t < 2; t++ {
		for p := 0; p < 2; p++ {
			hi = max(hi, cm[t][p])
			cells = append(cells, opts.HeatMapData{Value: [3]int{p, t, cm[t][p]}})
		}
	}
	sub := ""
	if acc, ok := metric(m, "test_accuracy"); ok {
		sub = fmt.Sprintf("accuracy %.2f%%", 100*acc)
	}
	c.SetGlobalOptions(
		chartInit(fmt.Sprintf("c_confusion_%d", i), "280px", "280px"),
		chartTitle(m.Name, sub),
		charts.WithAnimation(false),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: classNames, Name: "predicted", NameLocation: "middle", NameGap: 25, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		// Inverse: the negative row on top, as confusion matrices are printed.
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: classNames, Name: "true", NameLocation: "middle", NameGap: 60, Inverse: opts.Bool(true),
			SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithVisualMapOpts(opts.VisualMap{Show: opts.Bool(false), Calculable: opts.Bool(false), Min: 0, Max: float32(max(hi, 1)),
			InRange: &opts.VisualMapInRange{Color: []string{"#f4f8fb", "#2f6fa3"}}}),
		charts.WithGridOpts(opts.Grid{Left: "80", Right: "15", Top: "55", Bottom: "45"}),
	)
	c.SetXAxis(classNames)
	c.AddSeries("count", cells, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Formatter: "{@[2]}", FontSize: 14}))
	return c
}

// gridChart: the α×T distillation grid as a heatmap of test accuracy. A
// cell not run yet stays empty.
func gridChart(g *protocol.DistillGrid) render.Renderer {
	xs := make([]string, len(g.Temperatures))
	for j, t := range g.Temperatures {
		xs[j] = strconv.FormatFloat(t, 'g', -1, 64)
	}
	ys := make([]string, len(g.Alphas))
	for i, a := range g.Alphas {
		ys[i] = strconv.FormatFloat(a, 'g', -1, 64)
	}
	lo, hi := 100.0, 0.0
	var cells []opts.HeatMapData
	for _, cell := range g.Cells {
		i, j := indexOf(g.Alphas, cell.Alpha), indexOf(g.Temperatures, cell.T)
		if i < 0 || j < 0 {
			continue
		}
		acc := round(100*cell.TestAccuracy, 2)
		lo, hi = math.Min(lo, acc), math.Max(hi, acc)
		cells = append(cells, opts.HeatMapData{Value: []any{j, i, acc}})
	}
	if lo > hi {
		lo, hi = 0, 100
	}
	if hi-lo < 0.01 {
		lo, hi = lo-0.5, hi+0.5
	}
	sub := fmt.Sprintf("%d of %d cells run (%s); teacher not recorded", len(cells), len(xs)*len(ys), g.Source)
	if t := g.Teacher; t != nil {
		sub = fmt.Sprintf("%d of %d cells run (%s); teacher %s", len(cells), len(xs)*len(ys), g.Source, t.File)
		if t.Preset != "" {
			sub += ", " + t.Preset + " preset"
		}
		sub += fmt.Sprintf(", %s parameters, test accuracy %.2f%%", commas(int64(t.Params)), 100*t.TestAccuracy)
	}
	c := charts.NewHeatMap()
	c.SetGlobalOptions(
		chartInit("c_distill_grid", "100%", "460px"),
		chartTitle("Distillation: student test accuracy over α × T", sub),
		charts.WithAnimation(false),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: xs, Name: "temperature T", NameLocation: "middle", NameGap: 30, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: ys, Name: "α (weight of the hard labels)", NameLocation: "middle", NameGap: 45, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithVisualMapOpts(opts.VisualMap{Calculable: opts.Bool(true), Min: float32(math.Floor(lo*10) / 10), Max: float32(math.Ceil(hi*10) / 10),
			Orient: "vertical", Right: "10", Top: "center", Text: []string{"% accuracy", ""},
			InRange: &opts.VisualMapInRange{Color: []string{"#fff5eb", "#fd8d3c", "#7f2704"}}}),
		charts.WithGridOpts(opts.Grid{Left: "90", Right: "110", Top: "70", Bottom: "60"}),
	)
	c.SetXAxis(xs)
	c.AddSeries("test accuracy %", cells, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Formatter: "{@[2]}"}))
	return c
}

func indexOf(xs []float64, x float64) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}
