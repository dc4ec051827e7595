package lab

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"sentilab/core/data"
	"sentilab/core/kernels"
	"sentilab/core/modelfile"
	"sentilab/core/train"
	"sentilab/protocol"
)

// withCopies is toy data in which 60 reviews appear twice, as the Kaggle
// CSV repeats 418.
func withCopies(t *testing.T) []data.Review {
	rs := toyReviews(t, 600, 5)
	return append(rs, rs[:60]...)
}

// The lab's presets split by the grouped rule, the thesis by the
// permutation; the rule goes into the file's metadata and comes back, and
// a file that records none is the permutation split.
func TestSplitRule(t *testing.T) {
	for name, want := range map[string]string{"thesis": data.RulePermutation, "fast": data.RuleGrouped, "classroom": data.RuleGrouped} {
		p, err := Resolve(name, Overrides{})
		if err != nil || p.Split().Rule != want || p.Protocol().SplitRule != want {
			t.Errorf("%s: rule %q, want %q (%v)", name, p.Split().Rule, want, err)
		}
	}
	if p, err := Resolve("fast", RequestOverrides(protocol.TrainRequest{SplitRule: data.RulePermutation})); err != nil || p.SplitRule != data.RulePermutation {
		t.Errorf("a request's split rule: %q, %v", p.SplitRule, err)
	}
	if _, err := Resolve("fast", Overrides{SplitRule: ptr("random")}); err == nil || !strings.Contains(err.Error(), `split rule "random"`) {
		t.Errorf("bad rule: %v", err)
	}
	sp := SplitSpec{Seed: 7, TestFrac: 0.25, TrainLimit: 100, Rule: data.RuleGrouped}
	got, err := SplitOf(modelfile.Meta{Provenance: modelfile.Provenance{Seed: 7}, Extra: SplitMeta(sp)})
	if err != nil || got != sp {
		t.Errorf("SplitOf(SplitMeta(%+v)) = %+v, %v", sp, got, err)
	}
	old, err := SplitOf(modelfile.Meta{Provenance: modelfile.Provenance{Seed: 42}})
	if err != nil || old != (SplitSpec{Seed: 42, TestFrac: 0.2, Rule: data.RulePermutation}) {
		t.Errorf("a file without split metadata: %+v, %v", old, err)
	}
	if _, err := SplitOf(modelfile.Meta{Extra: map[string]string{KeySplitRule: "sorted"}}); err == nil || !strings.Contains(err.Error(), `metadata split_rule "sorted"`) {
		t.Errorf("bad rule in a file: %v", err)
	}

	c := NewCorpus(withCopies(t), nil)
	for _, rule := range []string{data.RulePermutation, data.RuleGrouped} {
		tx, err := c.Split(SplitSpec{Seed: 42, TestFrac: 0.2, Rule: rule})
		if err != nil {
			t.Fatal(err)
		}
		wantTr, wantTe, _ := data.SplitIndices(c.Reviews, 0.2, 42, rule)
		if len(tx.TrainIndex) != len(wantTr) || tx.TestIndex[0] != wantTe[0] || tx.TestX[0] != c.Cleaned[wantTe[0]] {
			t.Fatalf("%s: corpus split differs from data.SplitIndices", rule)
		}
		var trR, teR []data.Review
		for _, i := range tx.TrainIndex {
			trR = append(trR, c.Reviews[i])
		}
		for _, i := range tx.TestIndex {
			teR = append(teR, c.Reviews[i])
		}
		leak := data.Overlap(trR, teR)
		if (rule == data.RuleGrouped) != (leak == 0) {
			t.Errorf("%s rule: %d test reviews also in training", rule, leak)
		}
	}
}

// Train records its training reviews' fingerprints and splits its test
// score by them: under the permutation rule the leaked copies are the
// seen ones, exactly data.Overlap's count; under the grouped rule none.
func TestTrainReportsLeak(t *testing.T) {
	c := NewCorpus(withCopies(t), nil)
	for _, rule := range []string{data.RulePermutation, data.RuleGrouped} {
		p := toyPlan(t)
		p.Epochs, p.SplitRule = 1, rule
		tr, err := Train(context.Background(), c, p, RunOptions{Workers: 1, Kernels: kernels.Portable})
		if err != nil {
			t.Fatal(err)
		}
		tx, _ := c.Split(p.Split())
		var trR, teR []data.Review
		for _, i := range tx.TrainIndex {
			trR = append(trR, c.Reviews[i])
			if !tr.Fingerprints.Contains(c.Reviews[i].Text) {
				t.Fatalf("%s: training review %d not in the fingerprints", rule, i)
			}
		}
		for _, i := range tx.TestIndex {
			teR = append(teR, c.Reviews[i])
		}
		ev := tr.TestEval
		want := data.Overlap(trR, teR)
		if ev.Seen != want || ev.Seen+ev.Unseen != tr.Test.N || ev.Training != protocol.TrainingSplit || ev.Metrics != tr.Test {
			t.Errorf("%s: %d seen + %d unseen of %d, want %d seen (%s)", rule, ev.Seen, ev.Unseen, tr.Test.N, want, ev.Training)
		}
		if rule == data.RulePermutation && want == 0 {
			t.Error("no copy leaked under the permutation rule: the data does not test it")
		}
		if !strings.Contains(ev.Data, rule+" rule") {
			t.Errorf("data %q does not name the rule", ev.Data)
		}
		t.Logf("%s: %s", rule, ev.Note)
	}
}

// ScoreSeen's parts are the scores of the parts, its counts and note are
// right, and a model whose training reviews are unknown says so.
func TestScoreSeen(t *testing.T) {
	c := NewCorpus(toyReviews(t, 40, 9), nil)
	raw := make([]string, len(c.Reviews))
	z := make([]float32, len(raw))
	y := make([]float32, len(raw))
	for i, r := range c.Reviews {
		raw[i], y[i] = r.Text, float32(r.Label)
		z[i] = float32(i%7) - 3
	}
	trained := []int{0, 3, 5, 8, 13, 21, 34}
	ev, err := ScoreSeen(z, y, raw, TrainingTexts(c, trained), "toy")
	if err != nil {
		t.Fatal(err)
	}
	var zs, ys, zu, yu []float32
	for i := range raw {
		if i == 0 || i == 3 || i == 5 || i == 8 || i == 13 || i == 21 || i == 34 {
			zs, ys = append(zs, z[i]), append(ys, y[i])
		} else {
			zu, yu = append(zu, z[i]), append(yu, y[i])
		}
	}
	if ev.Seen != 7 || ev.Unseen != 33 || ev.N != 40 || !reflect.DeepEqual(ev.SeenMetrics, train.MetricsOf(zs, ys)) ||
		ev.UnseenMetrics.Accuracy != train.MetricsOf(zu, yu).Accuracy || ev.UnseenMetrics.Loss != train.MetricsOf(zu, yu).Loss {
		t.Fatalf("%+v", ev)
	}
	want := "7 of 40 reviews were in this model's training set; on the 33 unseen: "
	if !strings.HasPrefix(ev.Note, want) || ev.Data != "toy" {
		t.Errorf("note %q, want prefix %q", ev.Note, want)
	}
	fp := Fingerprints(c, trained)
	byFP := TrainingOf(fp, SplitSpec{}, "", c)
	if ev2, _ := ScoreSeen(z, y, raw, byFP, "toy"); ev2.Seen != 7 || ev2.Training != protocol.TrainingFingerprints {
		t.Errorf("by fingerprints: %d seen (%s)", ev2.Seen, ev2.Training)
	}
	unknown := TrainingOf(nil, SplitSpec{Seed: 1, TestFrac: 0.2}, "not-this-data", c)
	ev3, _ := ScoreSeen(z, y, raw, unknown, "toy")
	if ev3.Training != protocol.TrainingUnknown || ev3.Seen != 0 || ev3.SeenMetrics != nil || !strings.HasPrefix(ev3.Note, "training reviews unknown for this model") {
		t.Errorf("unknown: %+v", ev3)
	}
	// The same data: its split's training reviews hash to the provenance.
	sp := SplitSpec{Seed: 1, TestFrac: 0.2, Rule: data.RulePermutation}
	tx, _ := c.Split(sp)
	bySplit := TrainingOf(nil, sp, tx.TrainHash(), c)
	if ev4, _ := ScoreSeen(z, y, raw, bySplit, "toy"); bySplit.Source != protocol.TrainingSplit || ev4.Seen != 32 || ev4.Unseen != 8 {
		t.Errorf("by split: %d seen, %d unseen (%s)", ev4.Seen, ev4.Unseen, bySplit.Source)
	}
	if Count(1234567) != "1,234,567" || Count(999) != "999" || Count(1000) != "1,000" {
		t.Error("Count")
	}
}
