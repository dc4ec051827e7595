//go:build !js || !wasm

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// reportDoc is what the report pages read from the manifest (lab manifest
// writes it: cmd/lab/manifest.go). Everything beyond the fields the server
// itself checks (manifest.go) is optional: a section whose data is missing
// says so instead of drawing an empty chart.
type reportDoc struct {
	Models      []reportModel `json:"models"`
	DistillGrid *reportGrid   `json:"distill_grid"`
}

type reportModel struct {
	Name      string                     `json:"name"`
	File      string                     `json:"file"`
	Bytes     int64                      `json:"bytes"`
	Variant   string                     `json:"variant"`
	Runtime   string                     `json:"runtime"`
	Preset    string                     `json:"preset"`
	Metrics   map[string]json.RawMessage `json:"metrics"`
	Params    int                        `json:"params"`
	NonZero   int                        `json:"nonzero"`
	History   []reportEpoch              `json:"history"`
	BestEpoch int                        `json:"best_epoch"` // early stopping kept this epoch's weights
	Confusion *[2][2]int                 `json:"confusion"`  // [true class][predicted class], 0 = negative
	Thesis    *reportThesis              `json:"thesis"`
}

type reportEpoch struct {
	Epoch       int     `json:"epoch"`
	Loss        float64 `json:"loss"`
	Accuracy    float64 `json:"accuracy"`
	ValLoss     float64 `json:"val_loss"`
	ValAccuracy float64 `json:"val_accuracy"`
}

// reportThesis is the thesis's result for the model's method, as text
// ("86.4–86.8%", "10,535 KB"), shown as written.
type reportThesis struct {
	Accuracy string `json:"test_accuracy"`
	Size     string `json:"size"`
	Params   string `json:"params"`
}

type reportGrid struct {
	Source  string `json:"source"`
	Teacher *struct {
		File         string  `json:"file"`
		Preset       string  `json:"preset"`
		Params       int     `json:"params"`
		TestAccuracy float64 `json:"test_accuracy"`
	} `json:"teacher"`
	Alphas       []float64    `json:"alphas"`
	Temperatures []float64    `json:"temperatures"`
	Cells        []reportCell `json:"cells"`
}

type reportCell struct {
	Alpha        float64 `json:"alpha"`
	T            float64 `json:"temperature"`
	TestAccuracy float64 `json:"test_accuracy"`
	TestLoss     float64 `json:"test_loss"`
}

func parseReportDoc(manifest []byte) (*reportDoc, error) {
	var doc reportDoc
	if err := json.Unmarshal(manifest, &doc); err != nil {
		return nil, jsonError(manifest, err)
	}
	for i, m := range doc.Models {
		for k, v := range m.Metrics {
			v = bytes.TrimSpace(v)
			if len(v) > 0 && v[0] != '-' && (v[0] < '0' || v[0] > '9') {
				return nil, fmt.Errorf("models[%d] (%q): metrics.%s: want a number, got %s", i, m.Name, k, truncate(string(v), 40))
			}
		}
	}
	if g := doc.DistillGrid; g != nil {
		for i, c := range g.Cells {
			if !(c.TestAccuracy >= 0 && c.TestAccuracy <= 1) {
				return nil, fmt.Errorf("distill_grid.cells[%d]: test_accuracy %v outside [0, 1]", i, c.TestAccuracy)
			}
		}
	}
	return &doc, nil
}

// metric returns a metric and whether the manifest has it.
func (m *reportModel) metric(k string) (float64, bool) {
	raw, ok := m.Metrics[k]
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

var numberRE = regexp.MustCompile(`[0-9][0-9,]*(\.[0-9]+)?`)

// thesisNumber reads the thesis's text: the number, or the middle of a
// range ("86.4–86.8%" gives 86.6), commas dropped ("10,535 KB" gives 10535).
func thesisNumber(s string) (float64, bool) {
	ms := numberRE.FindAllString(s, 2)
	if len(ms) == 0 {
		return 0, false
	}
	sum := 0.0
	for _, x := range ms {
		v, err := strconv.ParseFloat(strings.ReplaceAll(x, ",", ""), 64)
		if err != nil {
			return 0, false
		}
		sum += v
	}
	return sum / float64(len(ms)), true
}

// chartText makes a manifest string safe to put into a chart's options:
// go-echarts writes them into an inline <script> without HTML escaping,
// so "</script>" in a model name would end the script early. Angle
// brackets and ampersands have no business in a model name anyway.
func chartText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '<', '>', '&':
			return '_'
		}
		if r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029 {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) // a title, not an essay
	}
	return s
}
