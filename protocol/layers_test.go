package protocol

import (
	"reflect"
	"testing"
)

// The layer-by-layer messages join the round-trip table (TestRoundTrip).
func init() {
	messages = append(messages, []struct {
		name string
		v    any
		json string
	}{
		{"LayersRequest", &LayersRequest{Variant: "base", Sensitivity: true, Reviews: 500, PruneSparsity: 0.5},
			`{"variant":"base","sensitivity":true,"reviews":500,"prune_sparsity":0.5}`},
		{"LayersResult", &LayersResult{Variant: "base",
			Stats: []LayerStat{{Name: "lstm.kernel", Shape: []int{2, 4}, Size: 8, RMS: 2, Int8Stored: true, Int8RMS: 0.01, Int8Max: 0.02, F16RMS: 0.001, F16Max: 0.002, Sparsity: 0.25}},
			Table: &SensitivityTable{N: 500, Accuracy: 0.9, Loss: 0.25, PruneSparsity: 0.5, Rows: []LayerSensitivity{{Name: "lstm.kernel", Int8: true,
				Int8Accuracy: 0.89, Int8Loss: 0.26, Int8DAcc: -0.01, Int8DLoss: 0.01, Prune: true, PruneAccuracy: 0.5, PruneLoss: 0.7, PruneDAcc: -0.4, PruneDLoss: 0.45, PruneSparsity: 0.5}}},
			Data: "the first 500 reviews of the test split", MostSensitive: "lstm.kernel"},
			`{"variant":"base","stats":[{"name":"lstm.kernel","shape":[2,4],"size":8,"rms":2,"int8_stored":true,"int8_rms":0.01,"int8_max":0.02,"f16_rms":0.001,"f16_max":0.002,"sparsity":0.25}],` +
				`"table":{"n":500,"accuracy":0.9,"loss":0.25,"prune_sparsity":0.5,"rows":[{"name":"lstm.kernel","int8":true,"int8_accuracy":0.89,"int8_loss":0.26,"int8_dacc":-0.01,"int8_dloss":0.01,` +
				`"prune":true,"prune_accuracy":0.5,"prune_loss":0.7,"prune_dacc":-0.4,"prune_dloss":0.45,"prune_sparsity":0.5}]},` +
				`"data":"the first 500 reviews of the test split","most_sensitive":"lstm.kernel"}`},
		{"HistogramsRequest", &HistogramsRequest{A: "base", B: "base-int8", Bins: 4}, `{"a":"base","b":"base-int8","bins":4}`},
		{"HistogramsResult", &HistogramsResult{A: "base", B: "base-int8", Histograms: []LayerHistogram{{Name: "dense.bias", Lo: -1, Hi: 1, Counts: [2][]int{{1, 0}, {0, 1}}, Sizes: [2]int{1, 1}}}},
			`{"a":"base","b":"base-int8","histograms":[{"name":"dense.bias","lo":-1,"hi":1,"counts":[[1,0],[0,1]],"sizes":[1,1]}]}`},
		{"DiffRequest", &DiffRequest{A: "base", B: "base-int8"}, `{"a":"base","b":"base-int8"}`},
		{"DiffResult", &DiffResult{A: "base", B: "base-int8", Changes: []LayerChange{{Name: "lstm.kernel", Size: 8, Changed: 2, Share: 0.25, MaxAbs: 0.5, RMS: 0.1}}},
			`{"a":"base","b":"base-int8","changes":[{"name":"lstm.kernel","size":8,"changed":2,"share":0.25,"max_abs":0.5,"rms":0.1}]}`},
	}...)
}

func TestLayersTypesCovered(t *testing.T) {
	covered := map[string]bool{}
	for _, m := range messages {
		covered[reflect.TypeOf(m.v).Elem().Name()] = true
	}
	for _, name := range []string{"LayersRequest", "LayersResult", "HistogramsRequest", "HistogramsResult", "DiffRequest", "DiffResult"} {
		if !covered[name] {
			t.Errorf("%s has no round-trip case", name)
		}
	}
	var r LayersRequest
	if err := Decode("layers request", []byte(`{"variant":"base","bins":3}`), &r); err == nil {
		t.Error("an unknown key in a layers request was accepted")
	}
}
