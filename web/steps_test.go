package web

import (
	"encoding/json"
	"math"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"sentilab/protocol"
)

// Unit tests of the steps' state, without a browser.

func TestStepListIsDefinedOnce(t *testing.T) {
	c := NewRoot(nil, newFakeBrowser(), nil)
	seen := map[any]bool{}
	for i, st := range Steps {
		if got, want := StepHeading(st.ID), I(i+1)+". "+st.Title; got != want {
			t.Errorf("heading %q, want %q", got, want)
		}
		var s Settings
		if bad := s.ParseQuery("step=" + st.ID); bad != nil || s.Step != st.ID {
			t.Errorf("step=%s: bad %v, step %q", st.ID, bad, s.Step)
		}
		// Each step shows its own component.
		c.S.Step = st.ID
		comp := c.Step()
		if seen[comp] {
			t.Errorf("step %s shows another step's component %T", st.ID, comp)
		}
		seen[comp] = true
		if c.Current(st.ID) != "step" || c.Current(Steps[(i+1)%len(Steps)].ID) != nil {
			t.Errorf("aria-current of step %s", st.ID)
		}
	}
	if StepHeading("compress") != "3. Compress" || stepIndex("nowhere") != -1 {
		t.Errorf("compress is %q", StepHeading("compress"))
	}
}

func TestEveryStepSharesTheLab(t *testing.T) {
	c := NewRoot(nil, newFakeBrowser(), nil)
	for _, l := range []*Lab{c.DataStep.Lab, c.TrainStep.Lab, c.CompressStep.Lab, c.CompareStep.Lab, c.TryStep.Lab, c.ExportStep.Lab} {
		if l != &c.Lab {
			t.Fatal("a step does not see the page's Lab")
		}
	}
	if c.CompressStep.Train != &c.TrainStep {
		t.Fatal("Compress trains the unmasked model with another TrainStep")
	}
}

// Each training field's key is the URL's: the value an input shows is the
// value its key sets.
func TestTrainFieldsRoundTripThroughTheURL(t *testing.T) {
	s := Settings{Epochs: 4, BatchSize: 32, LR: 0.002, Seed: 9, TrainLimit: 500, TestFrac: 0.25, ValSplit: 0.15,
		Vocab: 3000, Embed: 16, Hidden: 24, MaxLen: 80, Dropout: 0.3, Workers: 3}
	var got Settings
	for _, f := range trainFields(s) {
		if bad := got.ParseQuery(url.Values{f.Key: {f.Value}}.Encode()); bad != nil {
			t.Errorf("field %s=%s refused: %v", f.Key, f.Value, bad)
		}
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("fields set\n %+v\nwant %+v", got, s)
	}
}

func TestProgressShowsTheRecentRateAndETA(t *testing.T) {
	l := &Lab{Charts: map[string]string{}}
	l.Run.start(false)
	// 2 epochs of 10 batches of 64 reviews; a batch every 100 ms: 640/s.
	pr := func(batch int) TrainProgress {
		return TrainProgress{Phase: protocol.PhaseTrain, Epoch: 1, Epochs: 2, Batch: batch, Batches: 10, Done: 64 * batch,
			Total: 1280, Loss: 0.6, Accuracy: 0.55, BatchLoss: 0.5 + 0.01*float64(batch)}
	}
	for b := 1; b <= 5; b++ {
		// Batches 2 and 4 are not redrawn (onProgress keeps them pending).
		l.Run.pend = append(l.Run.pend, pr(b))
		if b%2 == 1 {
			l.showProgress(pr(b), 100*float64(b))
		}
	}
	p := l.Run.Prog
	if math.Abs(p.ExamplesPerSec-640) > 1e-9 || math.Abs(p.ETASec-1.5) > 1e-9 || l.Run.Fraction() != 0.25 {
		t.Fatalf("rate %v, ETA %v, fraction %v", p.ExamplesPerSec, p.ETASec, l.Run.Fraction())
	}
	if want := "Epoch 1/2, batch 5/10 — loss 0.6000, accuracy 55.00% — 640 examples/s — ETA 2s"; l.Status != want {
		t.Fatalf("status %q, want %q", l.Status, want)
	}
	if x, loss, _ := l.Run.batches.Points(); !reflect.DeepEqual(x, []int{1, 2, 3, 4, 5}) || math.Abs(loss[4]-0.55) > 1e-12 {
		t.Fatalf("curve x %v, loss %v: every batch, drawn or not", x, loss)
	}
	if !strings.Contains(l.Charts["batch"], "batch loss") {
		t.Fatalf("batch chart %.100s", l.Charts["batch"])
	}
	l.showProgress(TrainProgress{Phase: protocol.PhaseEpoch, History: []Epoch{{Epoch: 1, Loss: 0.6}}}, 600)
	if len(l.Run.History) != 1 || !strings.Contains(l.Charts["epoch"], "val accuracy") {
		t.Fatalf("history %v", l.Run.History)
	}
	l.Run.ended()
	if duration(l.Run.Prog.ETASec) != "…" {
		t.Fatalf("ETA after the run: %s", duration(l.Run.Prog.ETASec))
	}
	l.Run.clear()
	if l.Run.Prog != nil || l.Run.batches != nil || len(l.Run.History) != 1 || l.Run.Fraction() != 0 {
		t.Fatal("clear keeps the epochs only")
	}
}

func TestComparisonRowsAndDownloads(t *testing.T) {
	pre := []PretrainedModel{{Name: "cli", Bytes: 2048, Metrics: map[string]float64{"test_accuracy": 0.8712}}}
	vs := []VariantInfo{{Name: "base", FileBytes: 1536, Params: 100, NonZero: 90, Metrics: &Metrics{Accuracy: 0.75}, MetricsData: "the test split",
		Evaluation: &protocol.Evaluation{Metrics: &Metrics{N: 1000, Accuracy: 0.939}, Training: protocol.TrainingFingerprints, Seen: 802, Unseen: 198,
			UnseenMetrics: &Metrics{N: 198, Accuracy: 0.8636}}},
		{Name: "fresh", FileBytes: 512, Params: 10, NonZero: 10}}
	rows := comparisonRows(pre, vs)
	n := len(ThesisResults)
	if len(rows) != 1+n+1+2 || rows[1][0] != "thesis" || rows[1][3] != "31578" {
		t.Fatalf("rows %v", rows)
	}
	if got := rows[1+n]; !reflect.DeepEqual(got, []string{"pre-trained (manifest)", "cli", "87.12%", "2.0", "", "", "its own test split (manifest)", "", "", "", ""}) {
		t.Errorf("manifest row %q", got)
	}
	if got := rows[2+n]; !reflect.DeepEqual(got, []string{"lab", "base", "75.00%", "1.5", "100", "90", "the test split", "93.90% on 1000, 802 seen in training; unseen 86.36%", "", "", ""}) {
		t.Errorf("lab row %q", got)
	}
	if got := rows[3+n][2]; got != "" {
		t.Errorf("an unscored model shows accuracy %q", got)
	}
	csv := comparisonCSV([][]string{{"a", "b"}, {`say "hi", twice`, "x\ny"}})
	if want := "a,b\n\"say \"\"hi\"\", twice\",\"x\ny\"\n"; csv != want {
		t.Errorf("csv %q, want %q", csv, want)
	}
	b, err := comparisonJSON(rows)
	if err != nil {
		t.Fatal(err)
	}
	var objs []map[string]string
	if err := json.Unmarshal(b, &objs); err != nil {
		t.Fatal(err)
	}
	if len(objs) != len(rows)-1 || objs[n+1]["variant"] != "base" || objs[n+1]["nonzero"] != "90" {
		t.Fatalf("json %s", b)
	}
}

func TestChosenVariants(t *testing.T) {
	vs := []VariantInfo{{Name: "base"}, {Name: "int8"}, {Name: "prune"}}
	// None chosen means all: unticking one keeps the others.
	got := toggle(nil, vs, "int8")
	if !reflect.DeepEqual(got, []string{"base", "prune"}) {
		t.Fatalf("untick int8 of all: %v", got)
	}
	got = toggle(got, vs, "int8")
	if !reflect.DeepEqual(got, []string{"base", "prune", "int8"}) {
		t.Fatalf("tick it again: %v", got)
	}
	c := NewRoot(nil, newFakeBrowser(), nil)
	c.Variants = vs
	c.S.Variants = []string{"prune"}
	if !reflect.DeepEqual(c.TryStep.chosenVariants(), []string{"prune"}) || c.TryStep.Chosen("base") {
		t.Fatalf("chosen %v", c.TryStep.chosenVariants())
	}
	c.S.Variants = nil
	if len(c.TryStep.chosenVariants()) != 3 {
		t.Fatal("none chosen is all")
	}
}

func TestMovedListsTheStrongestWords(t *testing.T) {
	var ws []WordEffect
	for i, w := range strings.Fields("a b c d e f g h i j") {
		d := 0.01 * float64(i+1)
		if i%2 == 1 {
			d = -d
		}
		ws = append(ws, WordEffect{Word: w, Delta: d})
	}
	if got, want := Moved(Prediction{Words: ws}), "j -0.100, i +0.090, h -0.080, g +0.070, f -0.060, e +0.050, d -0.040, c +0.030"; got != want {
		t.Fatalf("moved %q, want %q", got, want)
	}
}

func TestEDAChartsAndCloud(t *testing.T) {
	e := &EDA{Classes: []protocol.ClassStats{
		{Sentiment: "negative", TopWords: []protocol.WordFreq{{Word: "bad", Count: 400}, {Word: "awful", Count: 100}}},
		{Sentiment: "positive"}}}
	if got := edaCharts(&EDA{Classes: e.Classes[:1]}); got != nil {
		t.Fatalf("one class: %d charts", len(got))
	}
	charts := edaCharts(e)
	for _, id := range []string{"wc", "cl", "pct", "tfidf"} {
		if _, ok := charts[id]; !ok {
			t.Errorf("no chart %s", id)
		}
	}
	d := DataStep{EDA: e}
	// Sized by the square root of the count: 400 → 40 px, 100 → 26 px;
	// listed alphabetically.
	want := []CloudWord{{"awful", "font-size:26px", "awful: 100"}, {"bad", "font-size:40px", "bad: 400"}}
	if got := d.Cloud(0); !reflect.DeepEqual(got, want) {
		t.Fatalf("cloud %v", got)
	}
	if d.Cloud(1) != nil || d.Cloud(2) != nil {
		t.Fatal("a class without words, or none, has no cloud")
	}
}

func TestReportRows(t *testing.T) {
	c := NewRoot(nil, newFakeBrowser(), nil)
	c.TrainStep.Result = &TrainResult{Test: &Metrics{Classes: map[string]protocol.ClassReport{
		"negative": {Precision: 0.8, Support: 10}, "positive": {Recall: 0.7, Support: 12}},
		Macro: protocol.ClassReport{F1: 0.75}, Weighted: protocol.ClassReport{Support: 22}}}
	r := c.TrainStep.Report()
	if len(r) != 4 || r[0].Name != "negative" || r[0].Precision != 0.8 || r[1].Recall != 0.7 || r[2].F1 != 0.75 || r[3].Name != "weighted avg" || r[3].Support != 22 {
		t.Fatalf("report %+v", r)
	}
}
