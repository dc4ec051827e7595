package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"testing"

	"sentilab/core/data"
	"sentilab/core/lab"
	"sentilab/core/train"
	"sentilab/internal/testenv"
	"sentilab/protocol"
)

// Issue 10 in the page: a model trained on the 50,000 reviews (the
// classroom preset: its first 10,000 training reviews), exported, then
// imported into a lab that loaded only the first 5,000 reviews and scored
// on their test split. The evaluate reply counts exactly the test reviews
// the model trained on, scores the rest as a direct evaluation does, and
// leaves the model's own metrics alone. The shipped base, without
// fingerprints, says its training reviews are unknown there.
func TestEvaluateReportsOverlap(t *testing.T) {
	raw, err := os.ReadFile(testenv.DataPath(t))
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine()
	call(t, e, "loadData", map[string]any{"name": "imdb.csv.gz"}, raw)
	res, _ := call(t, e, "train", map[string]any{"preset": "classroom", "epochs": 1, "vocab": 2000, "embed": 8, "hidden": 8, "max_len": 40}, nil)
	trained := res.(*protocol.TrainResult)
	if trained.TestEval == nil || trained.TestEval.Seen != 0 || trained.Info.Fingerprints == 0 {
		t.Fatalf("train: %+v, fingerprints %d", trained.TestEval, trained.Info.Fingerprints)
	}
	_, file := call(t, e, "exportModel", map[string]any{"variant": "base"}, nil)

	s := NewEngine()
	call(t, s, "loadData", map[string]any{"name": "imdb.csv.gz", "limit": 5000}, raw)
	call(t, s, "importModel", map[string]any{"name": "m"}, file)
	res, _ = call(t, s, "evaluate", map[string]any{"variant": "m"}, nil)
	ev := res.(*protocol.Evaluation)
	t.Logf("%s: accuracy %.4f; %s", ev.Data, ev.Accuracy, ev.Note)

	// The truth, from the splits.
	full, err := data.ReadAuto(bytes.NewReader(raw), "imdb.csv.gz", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	trainIdx, _, _ := data.SplitIndices(full, 0.2, 42, data.RuleGrouped)
	inTraining := map[string]bool{}
	for _, i := range trainIdx[:10000] {
		inTraining[full[i].Text] = true
	}
	corpus, _ := s.corpus(context.Background(), func(any) {})
	st, _ := corpus.Split(lab.SplitSpec{Seed: 42, TestFrac: 0.2, Rule: data.RuleGrouped})
	seen := 0
	var ux []string
	var uy []float32
	for k, i := range st.TestIndex {
		if inTraining[full[i].Text] {
			seen++
		} else {
			ux, uy = append(ux, st.TestX[k]), append(uy, st.TestY[k])
		}
	}
	if ev.Training != protocol.TrainingFingerprints || ev.N != 1000 || ev.Seen != seen || ev.Unseen != 1000-seen || seen < 100 {
		t.Fatalf("%d seen, %d unseen of %d (%s); the split says %d seen", ev.Seen, ev.Unseen, ev.N, ev.Training, seen)
	}
	v, _ := s.variant("m")
	uset, err := train.Encode(v.Tok, ux, uy, v.Model.Cfg)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := lab.Evaluate(context.Background(), v.Model, v.Q, uset, lab.EvalOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if u := ev.UnseenMetrics; u.Accuracy != direct.Accuracy || u.Confusion != direct.Confusion || math.Abs(u.Loss-direct.Loss) > 1e-5 {
		t.Errorf("unseen part %+v, direct evaluation %+v", u, direct)
	}
	info := s.info(v)
	if info.Evaluation != ev || info.Metrics.Accuracy != trained.Test.Accuracy {
		t.Errorf("after evaluate: metrics %v (trained: %v), evaluation %p", info.Metrics.Accuracy, trained.Test.Accuracy, info.Evaluation)
	}

	base, err := os.ReadFile("../../assets/models/base.safetensors")
	if err != nil {
		t.Skip("no assets/models/base.safetensors:", err)
	}
	// The shipped base carries the fingerprints of its training reviews
	// (the grouped split of all 50,000): on the slice they are recognised
	// by text, the "802 of 1,000 seen" case.
	call(t, s, "importModel", map[string]any{"name": "shipped"}, base)
	res, _ = call(t, s, "evaluate", map[string]any{"variant": "shipped"}, nil)
	allTrain, _, _ := data.SplitIndices(full, 0.2, 42, data.RuleGrouped)
	inBase := map[string]bool{}
	for _, i := range allTrain {
		inBase[full[i].Text] = true
	}
	baseSeen := 0
	for _, i := range st.TestIndex {
		if inBase[full[i].Text] {
			baseSeen++
		}
	}
	if ev := res.(*protocol.Evaluation); ev.Training != protocol.TrainingFingerprints || ev.N != 1000 || ev.Seen != baseSeen || ev.Unseen != 1000-baseSeen {
		t.Errorf("shipped base on a slice: %d seen, %d unseen (%s); its split says %d seen", ev.Seen, ev.Unseen, ev.Training, baseSeen)
	} else {
		t.Logf("shipped base: %s: accuracy %.4f; %s", ev.Data, ev.Accuracy, ev.Note)
	}
}
