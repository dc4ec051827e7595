//go:build !js || !wasm

package main

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"sentilab/protocol"
)

// parseReportDoc reads the manifest as the report pages use it
// (protocol.Manifest, written by lab manifest: cmd/lab/manifest.go).
// Everything beyond the fields the server itself checks (manifest.go) is
// optional: a section whose data is missing says so instead of drawing an
// empty chart.
func parseReportDoc(manifest []byte) (*protocol.Manifest, error) {
	doc, err := parseManifest(manifest)
	if err != nil {
		return nil, err
	}
	if g := doc.DistillGrid; g != nil {
		for i, c := range g.Cells {
			if !(c.TestAccuracy >= 0 && c.TestAccuracy <= 1) {
				return nil, fmt.Errorf("distill_grid.cells[%d]: test_accuracy %v outside [0, 1]", i, c.TestAccuracy)
			}
		}
	}
	return doc, nil
}

// metric returns a model's metric and whether the manifest has it (a
// finite one).
func metric(m *protocol.ManifestModel, k string) (float64, bool) {
	v, ok := m.Metrics[k]
	if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
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
