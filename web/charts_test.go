package web

import (
	"encoding/json"
	"math"
	"testing"
)

func TestLineChartJSON(t *testing.T) {
	js := LineChart("loss", "batch", "value", []string{"1", "2", "3"}, []string{"loss"}, [][]float64{{0.7, 0.6, math.NaN()}})
	var opt struct {
		XAxis  []struct{ Data []string } `json:"xAxis"`
		Series []struct {
			Type string
			Data []struct{ Value any }
		} `json:"series"`
	}
	if err := json.Unmarshal([]byte(js), &opt); err != nil {
		t.Fatalf("%v in %s", err, js)
	}
	if len(opt.XAxis) != 1 || len(opt.XAxis[0].Data) != 3 {
		t.Fatalf("x axis not copied into the option (Validate missing?): %s", js)
	}
	if len(opt.Series) != 1 || opt.Series[0].Type != "line" || opt.Series[0].Data[1].Value != 0.6 || opt.Series[0].Data[2].Value != "-" {
		t.Fatalf("series: %+v", opt.Series)
	}
}

func TestPolynomialSchedule(t *testing.T) {
	_, s := PolynomialSchedule(0.2, 0.8, 0, 1000)
	if s[0] != 20 || math.Abs(s[len(s)-1]-80) > 1e-9 {
		t.Fatalf("schedule from %v to %v, want 20%% to 80%%", s[0], s[len(s)-1])
	}
	for i := 1; i < len(s); i++ {
		if s[i] < s[i-1] {
			t.Fatalf("schedule decreases at %d: %v", i, s)
		}
	}
}
