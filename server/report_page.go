//go:build !js || !wasm

package main

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"

	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/render"

	"sentilab/protocol"
)

// renderReport builds the /report page from the manifest: the thesis-style
// results table, then the charts. Each chart is go-echarts' own element
// and inline script (RenderSnippet); the page around them is ours, so the
// table and the notes can sit between the charts. echarts.min.js comes from
// the asset root (echartsHost).
//
// go-echarts panics on a template error; that would be our bug, not bad
// input, but a report must not take the server down, so it becomes an error.
func renderReport(manifest []byte) (page []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			page, err = nil, fmt.Errorf("report: rendering panicked: %v", r)
		}
	}()
	doc, err := parseReportDoc(manifest)
	if err != nil {
		return nil, fmt.Errorf("report: manifest: %w", err)
	}
	v := reportView{Rows: tableRows(doc), Models: len(doc.Models), EchartsSrc: echartsHost + opts.EchartsJS}
	for _, m := range doc.Models {
		if _, ok := metric(&m, "ood_accuracy"); ok && v.OODData == "" {
			v.OODData = orDash(m.OODData)
		}
		if m.Kind != "" {
			v.Baseline = true
		}
	}
	add := func(r render.Renderer) template.HTML {
		s := r.RenderSnippet()
		return template.HTML(s.Element + "\n" + s.Script)
	}
	if c, ok := accuracySizeChart(doc); ok {
		v.AccuracySize = add(c)
	}
	if c, ok := sizeChart(doc); ok {
		v.Sizes = add(c)
	}
	if c, ok := historyChart(doc, "c_history_loss", "Training curves: loss", "binary cross-entropy",
		func(e protocol.Epoch) float64 { return e.Loss }, func(e protocol.Epoch) float64 { return e.ValLoss }); ok {
		v.Loss = add(c)
	}
	if c, ok := historyChart(doc, "c_history_accuracy", "Training curves: accuracy", "accuracy",
		func(e protocol.Epoch) float64 { return e.Accuracy }, func(e protocol.Epoch) float64 { return e.ValAccuracy }); ok {
		v.Accuracy = add(c)
	}
	for i := range doc.Models {
		if doc.Models[i].Confusion != nil {
			v.Confusion = append(v.Confusion, add(confusionChart(i, &doc.Models[i])))
		}
	}
	if g := doc.DistillGrid; g != nil && len(g.Cells) > 0 {
		v.Grid = add(gridChart(g))
		v.GridBest = bestCells(g, 3)
	}
	var b bytes.Buffer
	if err := reportTemplate.Execute(&b, v); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return b.Bytes(), nil
}

type reportView struct {
	Models                              int
	OODData                             string // the out-of-domain dataset's name: "" when no model has an ood_accuracy
	Baseline                            bool   // a non-LSTM model (the TF-IDF baseline) is in the table
	Rows                                []tableRow
	AccuracySize, Sizes, Loss, Accuracy template.HTML
	Confusion                           []template.HTML
	Grid                                template.HTML
	GridBest                            []string
	EchartsSrc                          string
}

// tableRow is one line of the results table, already formatted; "—" where
// the manifest has no number.
type tableRow struct {
	Name, Method, Runtime, Accuracy, OOD, Change, Loss, File, Gzip, Params, NonZero string
	Speed, WasmSpeed, ThesisAccuracy, ThesisSize, ThesisParams                      string
	Negative                                                                        bool // accuracy below the base
}

const dash = "—"

func tableRows(doc *protocol.Manifest) []tableRow {
	var rows []tableRow
	for i := range doc.Models {
		m := &doc.Models[i]
		r := tableRow{Name: m.Name, Method: orDash(m.Variant), Runtime: orDash(m.Runtime),
			File: kib(float64(m.Bytes)), Params: commas(int64(m.Params)), NonZero: commas(int64(m.NonZero)),
			Accuracy: dash, OOD: dash, Change: dash, Loss: dash, Gzip: dash, Speed: dash, WasmSpeed: dash,
			ThesisAccuracy: dash, ThesisSize: dash, ThesisParams: dash}
		if m.Params == 0 {
			r.Params, r.NonZero = dash, dash
		}
		if v, ok := metric(m, "test_accuracy"); ok {
			r.Accuracy = fmt.Sprintf("%.2f%%", 100*v)
		}
		if v, ok := metric(m, "ood_accuracy"); ok {
			r.OOD = fmt.Sprintf("%.2f%%", 100*v)
		}
		if v, ok := metric(m, "accuracy_change"); ok {
			r.Change = fmt.Sprintf("%+.2f", 100*v)
			r.Negative = v < 0
		}
		if v, ok := metric(m, "test_loss"); ok {
			r.Loss = fmt.Sprintf("%.4f", v)
		}
		if v, ok := metric(m, "gzip_bytes"); ok {
			r.Gzip = kib(v)
		}
		if v, ok := metric(m, "reviews_per_second"); ok {
			r.Speed = commas(int64(v + 0.5))
		}
		if v, ok := metric(m, "wasm_reviews_per_second"); ok {
			r.WasmSpeed = commas(int64(v + 0.5))
		}
		if t := m.Thesis; t != nil {
			r.ThesisAccuracy, r.ThesisSize, r.ThesisParams = orDash(t.Accuracy), orDash(t.Size), orDash(t.Params)
		}
		rows = append(rows, r)
	}
	return rows
}

// bestCells describes the n most accurate grid cells, best first.
func bestCells(g *protocol.DistillGrid, n int) []string {
	cells := append([]protocol.GridCell(nil), g.Cells...)
	for i := 1; i < len(cells); i++ { // insertion sort: a grid has at most a few dozen cells
		for j := i; j > 0 && cells[j].TestAccuracy > cells[j-1].TestAccuracy; j-- {
			cells[j], cells[j-1] = cells[j-1], cells[j]
		}
	}
	var out []string
	for _, c := range cells[:min(n, len(cells))] {
		out = append(out, fmt.Sprintf("α %g, T %g: %.2f%% (loss %.4f)", c.Alpha, c.T, 100*c.TestAccuracy, c.TestLoss))
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return dash
	}
	return s
}

// kib writes a size as the thesis does: KB of 1,024 bytes, with commas.
func kib(n float64) string { return commas(int64(n/1024+0.5)) + " KB" }

func commas(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

var reportTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sentilab: the pre-trained variants compared</title>
<script src="{{.EchartsSrc}}"></script>
<style>
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2733; margin: 0 auto; max-width: 1500px; padding: 16px 24px 48px; }
h1 { font-size: 1.6em; margin: .4em 0 .2em; }
h2 { font-size: 1.2em; margin: 2em 0 .4em; border-bottom: 1px solid #d6dde5; padding-bottom: .2em; }
p.note, li { color: #4a5866; }
nav a { margin-right: 1em; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 12.5px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 6px; border-bottom: 1px solid #e3e8ee; text-align: right; white-space: nowrap; }
th { background: #f3f6f9; position: sticky; top: 0; }
td:first-child, th:first-child, .text { text-align: left; }
td.neg { color: #b03a2e; }
th.thesis, td.thesis { background: #fbf8f1; }
.container { width: 100%; }
.flex { display: flex; flex-wrap: wrap; gap: 8px; }
.flex .container { width: auto; }
</style>
</head>
<body>
<header>
<h1>Sentilab: the pre-trained variants compared</h1>
<nav><a href="/">the lab</a><a href="/api/models">manifest (JSON)</a></nav>
<p class="note">Each row is a model file the server offers, made by the documented <code>lab</code> commands
(scripts/pretrained.sh) from one base model and scored on its held-out test split. "vs base" is in
percentage points. The thesis's numbers (Keras/TFLite files, 80/20 split of the same 50,000 reviews)
stand beside ours.</p>
</header>
{{if not .Rows}}
<p>No pre-trained models yet: the model folder has no manifest.json (scripts/pretrained.sh makes one).</p>
{{else}}
<section id="results">
<h2>Results</h2>
<div class="scroll"><table>
<thead><tr><th>model</th><th class="text">method</th><th class="text">runtime</th><th>test accuracy</th>{{if $.OODData}}<th>out of domain</th>{{end}}<th>vs base</th><th>test loss</th>
<th>file</th><th>gzip</th><th>params</th><th>non-zero</th><th>reviews/s</th><th>wasm</th>
<th class="thesis">thesis accuracy</th><th class="thesis">thesis size</th><th class="thesis">thesis params</th></tr></thead>
<tbody>
{{range .Rows}}<tr><td>{{.Name}}</td><td class="text">{{.Method}}</td><td class="text">{{.Runtime}}</td><td>{{.Accuracy}}</td>{{if $.OODData}}<td>{{.OOD}}</td>{{end}}
<td{{if .Negative}} class="neg"{{end}}>{{.Change}}</td><td>{{.Loss}}</td><td>{{.File}}</td><td>{{.Gzip}}</td><td>{{.Params}}</td>
<td>{{.NonZero}}</td><td>{{.Speed}}</td><td>{{.WasmSpeed}}</td><td class="thesis">{{.ThesisAccuracy}}</td>
<td class="thesis">{{.ThesisSize}}</td><td class="thesis">{{.ThesisParams}}</td></tr>
{{end}}</tbody></table></div>
<p class="note">reviews/s: batch-256 inference on one goroutine (lab report), natively; wasm: the same as WebAssembly
under Node. An int8 variant runs on the int8 runtime. KB are 1,024 bytes.{{if .OODData}} Out of domain: the accuracy on
every review of a second dataset ({{.OODData}}), which no model trained on.{{end}}{{if .Baseline}} The baseline is TF-IDF
n-grams and a logistic regression (core/baseline), not an LSTM: its params are its n-gram weights and bias, and its
reviews/s include reading the raw text.{{end}}</p>
</section>

<section id="accuracy-size">
<h2>Accuracy against size</h2>
{{if .AccuracySize}}{{.AccuracySize}}{{else}}<p class="note">No test accuracies in the manifest.</p>{{end}}
</section>

<section id="sizes">
<h2>File and gzip size</h2>
{{.Sizes}}
</section>

<section id="training">
<h2>Training curves</h2>
{{if .Loss}}{{.Loss}}{{.Accuracy}}{{else}}<p class="note">No training histories in the manifest: lab manifest takes them from
the <code>lab train --json</code> outputs (--train-json), or from a model file's "history" metadata.</p>{{end}}
</section>

<section id="confusion">
<h2>Confusion matrices (test split)</h2>
{{if .Confusion}}<div class="flex">{{range .Confusion}}{{.}}{{end}}</div>
<p class="note">Rows: the true class; columns: the predicted class.</p>
{{else}}<p class="note">No confusion matrices in the manifest: lab manifest --data PATH measures them.</p>{{end}}
</section>

<section id="distillation">
<h2>Distillation: α × T</h2>
{{if .Grid}}{{.Grid}}
<p class="note">Best cells: {{range $i, $c := .GridBest}}{{if $i}}; {{end}}{{$c}}{{end}}. The thesis's grid applied a softmax
to its one output unit, so its distillation term was identically zero: T had no effect and α only scaled the
hard-label loss. Ours is the binary form, σ(z/T) for teacher and student.</p>
{{else}}<p class="note">No grid search in the manifest: <code>lab compress --method distill --grid FILE</code> runs one,
and lab manifest --grid FILE adds it.</p>{{end}}
</section>
{{end}}
</body>
</html>
`))
