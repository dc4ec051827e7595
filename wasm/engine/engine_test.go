package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"sentilab/core/data"
	"sentilab/core/eda"
	"sentilab/core/lab"
	"sentilab/internal/testenv"
	"sentilab/protocol"
)

func call(t *testing.T, e *Engine, typ string, payload any, buf []byte) (any, []byte) {
	t.Helper()
	p, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	res, out, err := e.Handle(context.Background(), typ, p, buf, func(any) {})
	if err != nil {
		t.Fatalf("%s: %v", typ, err)
	}
	return res, out
}

// TestPipeline runs the browser's whole path natively on 2,000 real reviews:
// load, EDA, train one epoch, predict, export, re-import, evaluate.
func TestPipeline(t *testing.T) {
	raw, err := os.ReadFile(testenv.DataPath(t))
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine()
	res, _ := call(t, e, "loadData", map[string]any{"name": "imdb.csv.gz", "limit": 2000}, raw)
	ld := res.(*protocol.LoadDataResult)
	if ld.Rows != 2000 || ld.Positive+ld.Negative != 2000 {
		t.Fatalf("loaded %+v, want 2000 rows", ld)
	}
	res, _ = call(t, e, "eda", nil, nil)
	rep := res.(*eda.Report)
	if rep.Rows != 2000 || len(rep.Classes) != 2 || rep.Classes[0].Count != ld.Negative {
		t.Fatalf("eda rows %d classes %+v", rep.Rows, rep.Classes)
	}
	res, _ = call(t, e, "train", map[string]any{"preset": "classroom", "epochs": 1, "train_limit": 800}, nil)
	tr := res.(*protocol.TrainResult)
	if len(tr.History) != 1 || tr.Test == nil || tr.Test.N != 400 {
		t.Fatalf("train: history %v, test %+v; want 1 epoch and 400 test rows", tr.History, tr.Test)
	}
	if tr.Train != 800 {
		t.Fatalf("trained on %d rows, want 800", tr.Train)
	}
	res, _ = call(t, e, "predict", map[string]any{"text": "A wonderful, moving film. Great acting!", "explain": true}, nil)
	pr := res.(*protocol.PredictResult).Results
	if len(pr) != 1 || !(pr[0].Probability > 0 && pr[0].Probability < 1) || len(pr[0].Words) == 0 {
		t.Fatalf("predict: %+v", pr)
	}
	_, file := call(t, e, "exportModel", map[string]any{"variant": "base"}, nil)
	if len(file) < 100_000 || cap(file) != len(file) {
		// cap: the file is written into a buffer of its size, not grown
		// by doubling (encoded; the page saves every model it trains).
		t.Fatalf("exported %d bytes (capacity %d)", len(file), cap(file))
	}
	res, _ = call(t, e, "importModel", map[string]any{"name": "base"}, file)
	if n := res.(*protocol.VariantInfo).Name; n != "base-2" {
		t.Fatalf("imported as %q, want base-2", n)
	}
	res, _ = call(t, e, "predict", map[string]any{"text": "A wonderful, moving film. Great acting!", "variants": []string{"base-2"}}, nil)
	if q := res.(*protocol.PredictResult).Results[0].Probability; q != pr[0].Probability {
		t.Fatalf("re-imported model says %v, original %v", q, pr[0].Probability)
	}
	res, _ = call(t, e, "evaluate", map[string]any{"variant": "base-2"}, nil)
	// The file carries the training reviews' fingerprints: the classroom
	// preset's grouped split tests on none of them.
	ev := res.(*protocol.Evaluation)
	if ev.N != 400 || ev.Accuracy != tr.Test.Accuracy || ev.Training != protocol.TrainingFingerprints ||
		ev.Seen != 0 || ev.Unseen != 400 || ev.Note != "none of the 400 reviews was in this model's training set" {
		t.Fatalf("re-imported model on the test split: %+v; trained model: %v", ev, tr.Test.Accuracy)
	}
	corpus, _ := e.corpus(context.Background(), func(any) {})
	texts, _ := corpus.Split(lab.SplitSpec{Seed: 42, TestFrac: 0.2, TrainLimit: 800, Rule: data.RuleGrouped})
	distinct := map[string]bool{}
	for _, i := range texts.TrainIndex {
		distinct[corpus.Reviews[i].Text] = true
	}
	v, err := e.variant("base-2")
	if info := e.info(v); err != nil || info.Evaluation != ev || info.Fingerprints != len(distinct) || info.Metrics.N != 400 ||
		info.MetricsData != "the file's recorded test score (400 test reviews of the data it was trained on)" {
		t.Fatalf("base-2 info: %+v (%v); want %d fingerprints", info, err, len(distinct))
	}
}

func TestErrorsAndCancel(t *testing.T) {
	e := NewEngine()
	_, _, err := e.Handle(context.Background(), "train", []byte(`{"preset":"classroom"}`), nil, func(any) {})
	if err == nil || !strings.Contains(err.Error(), "load a dataset first") {
		t.Fatalf("train without data: %v", err)
	}
	_, _, err = e.Handle(context.Background(), "train", []byte(`{"preset":"nope"}`), nil, func(any) {})
	if err == nil || !strings.Contains(err.Error(), "unknown preset") {
		t.Fatalf("bad preset: %v", err)
	}
	_, _, err = e.Handle(context.Background(), "importModel", nil, []byte("not a model file at all"), func(any) {})
	if err == nil {
		t.Fatal("garbage model file accepted")
	}
	_, _, err = e.Handle(context.Background(), "bogus", nil, nil, func(any) {})
	if err == nil || !strings.Contains(err.Error(), "unknown request type") {
		t.Fatalf("bogus type: %v", err)
	}
	csv := "review,sentiment\n" + strings.Repeat("\"a good film, truly good\",positive\n\"a bad film, truly bad\",negative\n", 300)
	call(t, e, "loadData", map[string]any{"name": "tiny.csv"}, []byte(csv))
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	start := time.Now()
	_, _, err = e.Handle(ctx, "train", []byte(`{"preset":"classroom","epochs":50}`), nil, func(p any) {
		if n++; n == 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled train returned %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("cancel took %v", time.Since(start))
	}
}

// The browser's fast preset stops early, as `lab train --preset fast`
// does: patience 1 on the validation loss, best epoch's weights kept. (A
// huge learning rate makes the validation loss rise within a few epochs.)
func TestFastPresetStopsEarly(t *testing.T) {
	e := NewEngine()
	call(t, e, "loadData", map[string]any{"name": "toy.csv"}, testenv.ToyCSV(600, 2))
	res, _ := call(t, e, "train", map[string]any{"preset": "fast", "vocab": 100, "embed": 8, "hidden": 8, "max_len": 48, "lr": 0.5,
		"batch_size": 16, "epochs": 8}, nil)
	r := res.(*protocol.TrainResult)
	if len(r.History) == 8 || r.BestEpoch < 1 || len(r.History) != r.BestEpoch+1 {
		t.Fatalf("fast preset: %d epochs run, best %d; want a stop one epoch after the best: %+v", len(r.History), r.BestEpoch, r.History)
	}
	t.Logf("history %+v, best %d", r.History, r.BestEpoch)
	best := r.History[r.BestEpoch-1].ValLoss
	for _, ep := range r.History {
		if ep.ValLoss < best {
			t.Errorf("epoch %d had validation loss %v, below the kept epoch's %v", ep.Epoch, ep.ValLoss, best)
		}
	}
}

// The eda reply (core/eda's Report) is exactly protocol.EDAReport: it
// decodes strictly (no key the protocol lacks) and encodes back the same.
func TestEDAIsTheProtocols(t *testing.T) {
	e := NewEngine()
	call(t, e, "loadData", map[string]any{"name": "toy.csv"}, testenv.ToyCSV(300, 3))
	res, _ := call(t, e, "eda", nil, nil)
	raw, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var r protocol.EDAReport
	if err := protocol.Decode("eda result", raw, &r); err != nil {
		t.Fatal(err)
	}
	back, _ := json.Marshal(&r)
	if string(back) != string(raw) || r.Rows != 300 || len(r.Classes) != 2 {
		t.Errorf("protocol.EDAReport re-encodes as\n%s\nthe engine sent\n%s", back, raw)
	}
}

// deleteVariant forgets one model and names the rest; an unknown name is
// an error that lists them.
func TestDeleteVariant(t *testing.T) {
	e := NewEngine()
	for _, n := range []string{"base", "base-grid-a0.5-t1.5", "base-int8"} {
		e.putVariant(&variant{Name: n})
	}
	res, _ := call(t, e, protocol.TypeDelete, protocol.VariantRequest{Variant: "base-grid-a0.5-t1.5"}, nil)
	if r := res.(*protocol.DeleteResult); r.Deleted != "base-grid-a0.5-t1.5" || strings.Join(r.Left, ",") != "base,base-int8" {
		t.Fatalf("deleted %q, left %v", r.Deleted, r.Left)
	}
	if _, err := e.variant("base-grid-a0.5-t1.5"); err == nil {
		t.Fatal("the deleted model is still there")
	}
	_, _, err := e.Handle(context.Background(), protocol.TypeDelete, []byte(`{"variant":"base-grid-a0.5-t1.5"}`), nil, func(any) {})
	if err == nil || err.Error() != `no model "base-grid-a0.5-t1.5" (have [base base-int8])` {
		t.Fatalf("deleting it again: %v", err)
	}
	_, _, err = e.Handle(context.Background(), protocol.TypeDelete, []byte(`{"name":"base"}`), nil, func(any) {})
	if err == nil || !strings.Contains(err.Error(), `unknown field "name"`) {
		t.Fatalf("a request with the wrong key: %v", err)
	}
}
