package web

import (
	"reflect"
	"testing"

	"sentilab/protocol"
)

// The comparison table's last columns: padding, scoring speed on the
// second dataset, and the out-of-domain accuracy with its change.
func TestOODColumns(t *testing.T) {
	lstm := VariantInfo{Name: "base", Config: ModelConfig{MaxLen: 170, Padding: "post"}, Metrics: &Metrics{N: 400, Accuracy: 0.88},
		OOD: &protocol.OODEvaluation{Metrics: &Metrics{N: 10662, Accuracy: 0.726}, ReviewsPerSec: 1234.4}}
	base := VariantInfo{Name: "baseline", ModelKind: protocol.ModelKindTFIDF, Metrics: &Metrics{N: 400, Accuracy: 0.9}}
	if got := oodCells(lstm); !reflect.DeepEqual(got, []string{"post 170", "1234", "72.60% on 10662 (-15.40 points)"}) {
		t.Errorf("LSTM cells %q", got)
	}
	if got := oodCells(base); !reflect.DeepEqual(got, []string{"", "", ""}) {
		t.Errorf("unscored baseline cells %q", got)
	}
	m := PretrainedModel{Name: "base", Config: ModelConfig{MaxLen: 100, Padding: "pre"}, Metrics: map[string]float64{"ood_accuracy": 0.7537}, OODData: "rt.csv.gz"}
	if got := manifestOODCells(m); !reflect.DeepEqual(got, []string{"pre 100", "", "75.37% on rt.csv.gz"}) {
		t.Errorf("manifest cells %q", got)
	}
	rows := comparisonRows([]PretrainedModel{m}, []VariantInfo{lstm, base})
	for i, r := range rows {
		if len(r) != len(rows[0]) {
			t.Errorf("row %d has %d cells, the header %d", i, len(r), len(rows[0]))
		}
	}
	if h := rows[0]; h[len(h)-1] != "out_of_domain" {
		t.Errorf("header %q", h)
	}
	l := &Lab{Variants: []VariantInfo{lstm, base}}
	if got := l.OODScored(); len(got) != 1 || got[0].Name != "base" {
		t.Errorf("OODScored %v", got)
	}
	if got := l.Baselines(); len(got) != 1 || got[0].Name != "baseline" {
		t.Errorf("Baselines %v", got)
	}
}

func TestBaselineFraction(t *testing.T) {
	l := &Lab{}
	for _, c := range []struct {
		p    *protocol.BaselineProgress
		want float64
	}{
		{nil, 0},
		{&protocol.BaselineProgress{Stage: "vocabulary", Done: 40, Total: 80}, 1.0 / 6},
		{&protocol.BaselineProgress{Stage: "features", Done: 80, Total: 80}, 2.0 / 3},
		{&protocol.BaselineProgress{Stage: "fit", Done: 50, Total: 100}, 5.0 / 6},
		{&protocol.BaselineProgress{Stage: "evaluate", Done: 1, Total: 9}, 1},
	} {
		l.Base.Prog = c.p
		if got := l.BaselineFraction(); got < c.want-1e-12 || got > c.want+1e-12 {
			t.Errorf("%+v: %v, want %v", c.p, got, c.want)
		}
	}
}

// Compare shows a confusion matrix for every variant with counts: its own
// test metrics, or its evaluation on the loaded data.
func TestScoredConfusions(t *testing.T) {
	own := &Metrics{N: 10, Confusion: [2][2]int{{4, 1}, {2, 3}}}
	ev := &Metrics{N: 20, Confusion: [2][2]int{{8, 2}, {1, 9}}}
	l := &Lab{Variants: []VariantInfo{{Name: "base", Metrics: own}, {Name: "shipped", Metrics: &Metrics{Accuracy: 0.88}, Evaluation: &protocol.Evaluation{Metrics: ev}},
		{Name: "unscored", Metrics: &Metrics{Accuracy: 0.8}}}}
	got := (&CompareStep{Lab: l}).Scored()
	if len(got) != 2 || got[0].Metrics != own || got[1].Name != "shipped (on the loaded data)" || got[1].Metrics != ev {
		t.Fatalf("scored %+v", got)
	}
	if l.Variants[1].Name != "shipped" || l.Variants[1].Metrics.N != 0 {
		t.Error("Scored changed the lab's variants")
	}
}
