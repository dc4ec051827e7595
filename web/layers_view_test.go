package web

import (
	"encoding/json"
	"testing"

	"sentilab/protocol"
)

func TestParetoFront(t *testing.T) {
	pts := []Point{
		{Name: "base", SizeKB: 10000, Accuracy: 88.35, Group: "this class"},
		{Name: "int8", SizeKB: 2900, Accuracy: 88.30, Group: "this class"},
		{Name: "f16", SizeKB: 5400, Accuracy: 88.30, Group: "this class"},      // int8 is smaller, as accurate
		{Name: "pruned", SizeKB: 2600, Accuracy: 87.00, Group: "this class"},   // smaller, less accurate: on the front
		{Name: "worse", SizeKB: 3000, Accuracy: 87.00, Group: "this class"},    // beaten by pruned and int8
		{Name: "thesis", SizeKB: 100, Accuracy: 99, Group: "thesis"},           // not measured here
		{Name: "twin", SizeKB: 2900.04, Accuracy: 88.301, Group: "this class"}, // equal to int8 as shown: both kept
	}
	var names []string
	for _, p := range ParetoFront(pts[:5]) {
		names = append(names, p.Name)
	}
	if got, want := names, []string{"pruned", "int8", "base"}; !equalStrings(got, want) {
		t.Errorf("front %v, want %v", got, want)
	}
	var m struct {
		Series []struct {
			Type, Name string
			Data       []struct {
				Name  string
				Value []float64
			}
		}
	}
	if err := json.Unmarshal([]byte(scatterChart(nil, nil)), &m); err != nil {
		t.Fatal(err)
	}
	opt := withParetoFront(ScatterChart(pts), pts)
	if err := json.Unmarshal([]byte(opt), &m); err != nil {
		t.Fatal(err)
	}
	last := m.Series[len(m.Series)-1]
	if last.Name != "Pareto front" || last.Type != "line" || len(last.Data) != 4 || last.Data[0].Name != "pruned" || last.Data[3].Name != "base" || last.Data[1].Value[0] != 2900 {
		t.Errorf("front series %+v", last)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLayerRows(t *testing.T) {
	l := &Lab{}
	l.Layers.Result = &protocol.LayersResult{Variant: "base",
		Stats: []protocol.LayerStat{{Name: "lstm.kernel", Shape: []int{2, 4}, Int8Stored: true, Int8RMS: 0.005, Int8Max: 0.02}, {Name: "lstm.bias", Shape: []int{4}}},
		Table: &protocol.SensitivityTable{N: 100, Accuracy: 0.9, PruneSparsity: 0.5,
			Rows: []protocol.LayerSensitivity{{Name: "lstm.kernel", Int8: true, Int8DAcc: -0.01, Int8Accuracy: 0.89, Prune: true, PruneDAcc: -0.25}, {Name: "lstm.bias"}}}}
	p := &LayersPanel{Lab: l}
	r := p.Rows()
	if len(r) != 2 || r[0].Int8 != "RMS 0.500% · max 2.00%" || r[0].DAccInt8 != "-1.00 pts" || r[0].RawInt8Acc != "0.89" || r[0].DAccPrune != "-25.00 pts" {
		t.Errorf("kernel row %+v", r[0])
	}
	if r[1].Int8 != "stays float32" || r[1].DAccInt8 != "—" {
		t.Errorf("bias row %+v", r[1])
	}
	if c := SensitivityChart("base", l.Layers.Result.Table); len(c) < 50 {
		t.Errorf("chart %q", c)
	}
}
