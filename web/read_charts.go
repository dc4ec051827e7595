package web

import (
	"encoding/json"
	"fmt"
	"html"
	"math"
	"slices"
	"strconv"
	"strings"

	"sentilab/protocol"
)

// The "watch the LSTM read" view's pictures, built from the engine's
// explain reply (protocol.Reading): ECharts options and the coloured words,
// all handed to the page outside Vugu's render buffer (ReadView).

// DivergeThreshold is how far apart two models' running sentiments must be
// after a word for the view to mark it: 0.1 on the probability scale.
const DivergeThreshold = 0.1

// Divergence is a word after which two models' running sentiments differ
// by more than DivergeThreshold.
type Divergence struct {
	Step   int // in the first reading
	Word   string
	PA, PB float32
}

// stepKeys names each step of r so two models' steps can be paired: "w"
// and the word's index in the cleaned review for a word, "p" and its
// ordinal for a padding step (models of different max_len or padding side
// place a word at different positions).
func stepKeys(r protocol.Reading) []string {
	kept := 0
	for _, w := range r.Words {
		if !isPad(w) {
			kept++
		}
	}
	keys := make([]string, len(r.Words))
	pads := 0
	for t, w := range r.Words {
		if isPad(w) {
			keys[t] = "p" + strconv.Itoa(pads)
			pads++
			continue
		}
		idx := r.Positions[t] // post padding: truncation kept the first max_len words
		if r.Padding == "pre" {
			idx = r.Cut + r.Positions[t] - (r.MaxLen - kept)
		}
		keys[t] = "w" + strconv.Itoa(idx)
	}
	return keys
}

func isPad(w string) bool { return w == "(pad)" }

// aligned returns b's running sentiment at each of a's steps (NaN where b
// has no such step).
func aligned(a, b protocol.Reading) []float64 {
	at := map[string]float32{}
	for t, k := range stepKeys(b) {
		at[k] = b.Sentiment[t]
	}
	out := make([]float64, len(a.Words))
	for t, k := range stepKeys(a) {
		out[t] = math.NaN()
		if v, ok := at[k]; ok {
			out[t] = float64(v)
		}
	}
	return out
}

// Diverge lists a's steps where b's running sentiment differs from a's by
// more than DivergeThreshold.
func Diverge(a, b protocol.Reading) []Divergence {
	var out []Divergence
	for t, pb := range aligned(a, b) {
		if !math.IsNaN(pb) && math.Abs(float64(a.Sentiment[t])-pb) > DivergeThreshold {
			out = append(out, Divergence{Step: t, Word: a.Words[t], PA: a.Sentiment[t], PB: float32(pb)})
		}
	}
	return out
}

// stepLabels are the x axis: each step's word, numbered from 1.
func stepLabels(r protocol.Reading) []string {
	xs := make([]string, len(r.Words))
	for t, w := range r.Words {
		xs[t] = fmt.Sprintf("%d %s", t+1, Clip(w, 24))
	}
	return xs
}

func marshal(opt map[string]any) string {
	b, err := json.Marshal(opt)
	if err != nil {
		return ""
	}
	return string(b)
}

// chartBase is what the view's charts share: a title, the steps across.
func chartBase(title string, x []string, yName string) map[string]any {
	return map[string]any{
		"animation": false,
		"title":     map[string]any{"text": title, "left": "center", "textStyle": map[string]any{"fontSize": 14}},
		"tooltip":   map[string]any{"show": true, "trigger": "axis"},
		"legend":    map[string]any{"show": true, "top": 24},
		"grid":      map[string]any{"top": 64, "left": 48, "right": 16, "bottom": 56},
		"xAxis":     map[string]any{"type": "category", "data": x, "name": "words read", "nameLocation": "middle", "nameGap": 36},
		"yAxis":     map[string]any{"type": "value", "name": yName, "scale": true},
		"dataZoom":  []any{map[string]any{"type": "inside"}},
	}
}

// SentimentChart draws the running sentiment of one model, or of two
// overlaid on the first one's steps, the divergent words marked. Values are
// float32's full precision: the page's tests read the last step.
func SentimentChart(rs []protocol.Reading, div []Divergence) string {
	if len(rs) == 0 {
		return ""
	}
	a := rs[0]
	opt := chartBase("Running sentiment σ(w·hₜ + b) after each word", stepLabels(a), "P(positive)")
	opt["yAxis"] = map[string]any{"type": "value", "name": "P(positive)", "min": 0, "max": 1}
	series := []any{map[string]any{"name": a.Variant, "type": "line", "data": a.Sentiment, "showSymbol": len(a.Words) < 60}}
	if len(rs) > 1 {
		b := aligned(a, rs[1])
		d := make([]any, len(b))
		for t, v := range b {
			d[t] = "-"
			if !math.IsNaN(v) {
				d[t] = float32(v) // printed as float32, like the first line
			}
		}
		series = append(series, map[string]any{"name": rs[1].Variant, "type": "line", "data": d, "showSymbol": len(a.Words) < 60})
		var marks [][2]any
		for _, dv := range div {
			marks = append(marks, [2]any{dv.Step, dv.PB})
		}
		series = append(series, map[string]any{"name": fmt.Sprintf("differ by > %g", DivergeThreshold), "type": "scatter",
			"data": marks, "symbol": "diamond", "symbolSize": 13, "z": 5, "itemStyle": map[string]any{"color": "#b45309", "borderColor": "#fff", "borderWidth": 1}})
	}
	opt["series"] = series
	return marshal(opt)
}

// GateNames are the gates in the engine's order, with their symbols.
var GateNames = []string{"input gate iₜ", "forget gate fₜ", "candidate c̃ₜ", "output gate oₜ"}

// GatesChart draws the mean activation of each gate over the steps.
func GatesChart(r protocol.Reading) string {
	opt := chartBase("Mean gate activations — "+r.Variant, stepLabels(r), "mean over units")
	var series []any
	for g, vs := range [][]float32{r.Input, r.Forget, r.Candidate, r.Output} {
		d := make([]float64, len(vs))
		for t, v := range vs {
			d[t] = round(float64(v), 5)
		}
		series = append(series, map[string]any{"name": GateNames[g], "type": "line", "data": d, "showSymbol": false})
	}
	opt["series"] = series
	return marshal(opt)
}

// CellChart is the cell state as a heatmap: a row per unit, a column per
// step, coloured from blue (negative) to red (positive). The scale ends at
// the 98th percentile of |c| (CellScale), so a few saturated units do not
// wash out the rest; the tooltip gives each cell's value.
func CellChart(r protocol.Reading) string {
	H := r.Hidden
	units := make([]string, H)
	for u := range units {
		units[u] = strconv.Itoa(u)
	}
	data := make([][3]any, 0, len(r.Cell))
	for t := 0; t < r.Steps; t++ {
		for u := 0; u < H; u++ {
			data = append(data, [3]any{t, u, round(float64(r.Cell[t*H+u]), 3)})
		}
	}
	hi := round(CellScale(r.Cell), 3)
	opt := chartBase("Cell state cₜ, unit × word — "+r.Variant, stepLabels(r), "unit")
	opt["tooltip"] = map[string]any{"show": true}
	opt["legend"] = map[string]any{"show": false}
	opt["grid"] = map[string]any{"top": 40, "left": 48, "right": 16, "bottom": 96}
	opt["yAxis"] = map[string]any{"type": "category", "data": units, "name": "unit"}
	opt["visualMap"] = map[string]any{"min": -hi, "max": hi, "precision": 2, "calculable": true, "orient": "horizontal",
		"left": "center", "bottom": 0, "inRange": map[string]any{"color": []string{"#2563eb", "#f8fafc", "#dc2626"}}}
	opt["series"] = []any{map[string]any{"name": "cell state", "type": "heatmap", "data": data,
		"progressive": 0, "progressiveThreshold": 1 << 20}} // all cells at once: a screenshot or a test sees the whole map
	return marshal(opt)
}

// CellScale is the 98th percentile of |c| over the cells (at least 1e-3).
func CellScale(cell []float32) float64 {
	if len(cell) == 0 {
		return 1e-3
	}
	abs := make([]float64, len(cell))
	for i, v := range cell {
		abs[i] = math.Abs(float64(v))
	}
	slices.Sort(abs)
	return math.Max(abs[min(len(abs)-1, len(abs)*98/100)], 1e-3)
}

// WordsHTML is the review as read, each word underlined in green (pushed
// the logit up, toward positive) or red (down) with a strength |IG|/max|IG|,
// and the words in diverge outlined. A run of padding steps is one item
// with its summed attribution. Every word is escaped; each item carries its
// step, attribution and running sentiment as data attributes for the tests.
func WordsHTML(r protocol.Reading, diverge map[int]bool) string {
	top := 1e-12
	for _, a := range r.Attribution {
		top = math.Max(top, math.Abs(float64(a)))
	}
	var b strings.Builder
	for t := 0; t < len(r.Words); t++ {
		if isPad(r.Words[t]) {
			end, sum := t, 0.0
			for end < len(r.Words) && isPad(r.Words[end]) {
				sum += float64(r.Attribution[end])
				end++
			}
			fmt.Fprintf(&b, `<span class="rw rw-pad" data-step="%d" data-steps="%d" data-attr="%g" style="border-bottom-color:%s">(pad) ×%d</span> `,
				t, end-t, sum, attrColour(sum, top), end-t)
			t = end - 1
			continue
		}
		a := float64(r.Attribution[t])
		cls := "rw"
		if diverge[t] {
			cls += " rw-diverge"
		}
		fmt.Fprintf(&b, `<span class="%s" data-step="%d" data-steps="1" data-attr="%g" data-p="%g" title="IG %+.3f, P(positive) after it %.3f" style="border-bottom-color:%s">%s</span> `,
			cls, t, a, r.Sentiment[t], a, r.Sentiment[t], attrColour(a, top), html.EscapeString(r.Words[t]))
	}
	return b.String()
}

// attrColour is green for a positive attribution, red for a negative one,
// its opacity the attribution's share of the largest.
func attrColour(a, top float64) string {
	s := math.Min(math.Abs(a)/top, 1)
	if a >= 0 {
		return fmt.Sprintf("rgba(22,163,74,%.2f)", 0.1+0.9*s)
	}
	return fmt.Sprintf("rgba(220,38,38,%.2f)", 0.1+0.9*s)
}
