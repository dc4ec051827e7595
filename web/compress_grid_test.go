package web

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"sentilab/protocol"
)

func TestParseGridValues(t *testing.T) {
	got, err := ParseGridValues("α values", " 0.5, 0.85 ,1", 0, 1)
	if err != nil || !reflect.DeepEqual(got, []float64{0.5, 0.85, 1}) {
		t.Fatalf("got %v, %v", got, err)
	}
	for in, want := range map[string]string{
		"":                                "give 1 to 7",
		"0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8": "not 8",
		"0.5, x":                          `"x" is not a number in [0, 1]`,
		"1.5":                             `"1.5" is not a number in [0, 1]`,
		"0.5,0.5":                         "0.5 is given twice",
		"NaN":                             `"NaN" is not a number`,
	} {
		if _, err := ParseGridValues("α values", in, 0, 1); err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "α values: ") {
			t.Errorf("%q: error %v, want one naming the list and saying %q", in, err, want)
		}
	}
}

func TestGridMissingAndHeatmap(t *testing.T) {
	g := &DistillGrid{Teacher: "base", Alphas: []float64{0.5, 0.85}, Ts: []float64{1.5, 3},
		Cells: []GridCell{{Alpha: 0.85, T: 3, Accuracy: 0.8125, Variant: "v"}, {Alpha: 0.5, T: 1.5, Accuracy: 0.75, Variant: "w"}}}
	if m := g.Missing(); !reflect.DeepEqual(m, [][2]float64{{0.5, 3}, {0.85, 1.5}}) {
		t.Errorf("missing %v", m)
	}
	if s := g.Summary(); s != "2 of 4 cells done (teacher base). Best: α 0.85, T 3, 81.25% (v)." {
		t.Errorf("summary %q", s)
	}
	var opt struct {
		XAxis     struct{ Data []string }
		YAxis     struct{ Data []string }
		VisualMap struct{ Min, Max float64 }
		Series    []struct {
			Type string
			Data [][3]float64
		}
	}
	js := HeatmapChart(g)
	if err := json.Unmarshal([]byte(js), &opt); err != nil {
		t.Fatalf("%v in %s", err, js)
	}
	// T across (x index), α up (y index), accuracy in percent; missing
	// cells are absent, not zero.
	want := [][3]float64{{0, 0, 75}, {1, 1, 81.25}}
	if !reflect.DeepEqual(opt.XAxis.Data, []string{"1.5", "3"}) || !reflect.DeepEqual(opt.YAxis.Data, []string{"0.5", "0.85"}) ||
		len(opt.Series) != 1 || opt.Series[0].Type != "heatmap" || !reflect.DeepEqual(opt.Series[0].Data, want) ||
		opt.VisualMap.Min != 75 || opt.VisualMap.Max != 81.25 {
		t.Errorf("option %s", js)
	}
}

func TestGridResumeKeepsCellsOfTheSameRun(t *testing.T) {
	old := &DistillGrid{Teacher: "base", Epochs: 3, Alphas: []float64{0.5}, Ts: []float64{1}, Cells: []GridCell{{Alpha: 0.5, T: 1, Accuracy: 0.7}}}
	if !old.sameRun(&DistillGrid{Teacher: "base", Epochs: 3, Alphas: []float64{0.5, 0.9}}) {
		t.Error("a grid with more values of the same teacher and settings must keep the cells")
	}
	for _, h := range []*DistillGrid{{Teacher: "other", Epochs: 3}, {Teacher: "base", Epochs: 1}, {Teacher: "base", Epochs: 3, Hidden: 8}} {
		if old.sameRun(h) {
			t.Errorf("cells kept for %+v", h)
		}
	}
}

func TestGridCheck(t *testing.T) {
	ok := DistillGrid{Teacher: "base", Alphas: []float64{0.5}, Ts: []float64{1.5}, Cells: []GridCell{{Alpha: 0.5, T: 1.5, Accuracy: 0.8}}}
	if bad := ok.check(); bad != "" {
		t.Errorf("good grid refused: %s", bad)
	}
	for _, f := range []func(g *DistillGrid){
		func(g *DistillGrid) { g.Teacher = "" },
		func(g *DistillGrid) { g.Alphas = []float64{2} },
		func(g *DistillGrid) { g.Ts = nil },
		func(g *DistillGrid) { g.Cells[0].Accuracy = 1.5 },
	} {
		g := ok
		g.Cells = append([]GridCell(nil), ok.Cells...)
		f(&g)
		if g.check() == "" {
			t.Errorf("bad grid accepted: %+v", g)
		}
	}
}

func TestPipeStageText(t *testing.T) {
	s := PipeStage{Method: "int8", Source: "base-prune", State: "done",
		Result: VariantInfo{Name: "base-prune-int8", FileBytes: 2048, Params: 1000, NonZero: 200, Metrics: &Metrics{Accuracy: 0.8}}}
	if got := s.Text(3); got != "Stage 4 of 4, int8: done, base-prune-int8 (from base-prune): file 2.0 KB, test accuracy 80.00%, 200 of 1,000 weights non-zero." {
		t.Errorf("%q", got)
	}
	if got := (PipeStage{Method: "prune", State: "not run"}).Text(0); got != "Stage 1 of 4, prune: not run." {
		t.Errorf("%q", got)
	}
}

// A model deleted in Compare must not stay the Compress step's source: the
// next compression takes the first LSTM left (not the baseline).
func TestSourceAfterDelete(t *testing.T) {
	l := &Lab{Variants: []VariantInfo{{Name: "baseline", ModelKind: protocol.ModelKindTFIDF}, {Name: "base"}, {Name: "base-int8"}}}
	c := &CompressStep{Lab: l, CSource: "base-int8"}
	if got := c.source(); got != "base-int8" {
		t.Errorf("source with its model present = %q, want base-int8", got)
	}
	c.CSource = "base-grid-a0.5-t1"
	if got := c.source(); got != "base" || c.CSource != "base" {
		t.Errorf("source after its model was deleted = %q (CSource %q), want base", got, c.CSource)
	}
}
