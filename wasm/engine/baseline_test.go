package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"sentilab/core/baseline"
	"sentilab/core/data"
	"sentilab/core/train"
	"sentilab/internal/testenv"
	"sentilab/protocol"
)

// TestBaselineVariant trains the TF-IDF baseline in the engine on 2,000
// real reviews and checks it against core/baseline on `lab baseline`'s
// split, then uses it as a variant: explain, predict, evaluate, score out
// of domain, export and import, and refuse to compress it.
func TestBaselineVariant(t *testing.T) {
	raw, err := os.ReadFile(testenv.DataPath(t))
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine()
	call(t, e, protocol.TypeLoadData, map[string]any{"name": "imdb.csv.gz", "limit": 2000}, raw)
	var stages []string
	p, _ := json.Marshal(protocol.TrainBaselineRequest{})
	res, _, err := e.Handle(context.Background(), protocol.TypeTrainBaseline, p, nil, func(pr any) {
		if b, ok := pr.(protocol.BaselineProgress); ok && (len(stages) == 0 || stages[len(stages)-1] != b.Stage) {
			stages = append(stages, b.Stage)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	tr := res.(*protocol.TrainBaselineResult)
	if strings.Join(stages, ",") != "vocabulary,features,fit" {
		t.Errorf("progress stages %v, want vocabulary, features, fit", stages)
	}

	// What `lab baseline --data (the same 2,000)` computes: the grouped
	// split, then core/baseline with its defaults.
	reviews, err := data.ReadAutoContext(context.Background(), strings.NewReader(string(raw)), "imdb.csv.gz", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	trainR, testR, err := data.SplitGrouped(data.First(reviews, 2000), 0.2, 42)
	if err != nil {
		t.Fatal(err)
	}
	xs, ys := data.TextsLabels(trainR)
	m, _, err := baseline.Train(context.Background(), xs, ys, baseline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tx, ty := data.TextsLabels(testR)
	want := train.MetricsOf(m.Logits(tx), data.FloatLabels(ty))
	if tr.Test.N != 400 || tr.TrainRows != 1600 || tr.Test.Accuracy != want.Accuracy || tr.Test.Confusion != want.Confusion {
		t.Fatalf("engine baseline: %d test, %d train, accuracy %v %v; core/baseline on data.SplitGrouped: %v %v",
			tr.Test.N, tr.TrainRows, tr.Test.Accuracy, tr.Test.Confusion, want.Accuracy, want.Confusion)
	}
	if tr.Test.Accuracy < 0.75 {
		t.Errorf("baseline accuracy %v on 400 test reviews, want ≥ 0.75", tr.Test.Accuracy)
	}
	info := tr.Info
	if info.ModelKind != protocol.ModelKindTFIDF || info.Kind != "trained" || info.Params != tr.Terms+1 || info.FileBytes <= 0 || info.Metrics.N != 400 {
		t.Errorf("info %+v", info)
	}

	res, _ = call(t, e, protocol.TypeExplainBaseline, protocol.BaselineExplainRequest{Variant: "baseline", Text: "A wonderful, moving film. Great acting, I loved it!"}, nil)
	ex := res.(*protocol.BaselineExplainResult)
	if !(ex.Positive > 0.5) || len(ex.TopPositive) == 0 || ex.TopPositive[0].Logit <= 0 {
		t.Errorf("explain of a positive review: %+v", ex)
	}
	for _, c := range ex.TopNegative {
		if c.Logit >= 0 || c.Weight >= 0 {
			t.Errorf("negative contribution %+v", c)
		}
	}
	res, _ = call(t, e, protocol.TypePredict, protocol.PredictRequest{Text: "A wonderful, moving film. Great acting, I loved it!", Explain: true}, nil)
	if pr := res.(*protocol.PredictResult).Results; len(pr) != 1 || pr[0].Probability != ex.Positive || pr[0].Label != "positive" ||
		len(pr[0].Words) != 10 || pr[0].Words[0].Word != ex.TopPositive[0].Term || !(pr[0].Words[0].Delta > 0) {
		t.Errorf("predict %+v, explain says %v, top %+v", pr, ex.Positive, ex.TopPositive[0])
	}

	res, _ = call(t, e, protocol.TypeEvaluate, protocol.EvaluateRequest{Variant: "baseline"}, nil)
	if ev := res.(*protocol.Evaluation); ev.Accuracy != want.Accuracy || ev.Training != protocol.TrainingSplit || ev.Seen != 0 {
		t.Errorf("evaluate: %v, training %s, seen %d; want %v, split, 0", ev.Accuracy, ev.Training, ev.Seen, want.Accuracy)
	}

	// Out of domain: the next 500 reviews of the file stand in for a
	// second dataset; the score is the model's on all of them.
	if _, _, err := e.Handle(context.Background(), protocol.TypeEvaluateOOD, []byte(`{"variant":"baseline"}`), nil, func(any) {}); err == nil || !strings.Contains(err.Error(), "no second dataset") {
		t.Errorf("evaluateOOD without a second dataset: %v", err)
	}
	call(t, e, protocol.TypeLoadOOD, map[string]any{"name": "imdb.csv.gz", "limit": 500}, raw)
	res, _ = call(t, e, protocol.TypeEvaluateOOD, protocol.VariantRequest{Variant: "baseline"}, nil)
	ood := res.(*protocol.OODEvaluation)
	ox, oy := data.TextsLabels(data.First(reviews, 500))
	if wantOOD := train.MetricsOf(m.Logits(ox), data.FloatLabels(oy)); ood.N != 500 || ood.Accuracy != wantOOD.Accuracy || ood.Data != "all 500 reviews of imdb.csv.gz" {
		t.Errorf("evaluateOOD %v on %d (%s), want %v on 500", ood.Accuracy, ood.N, ood.Data, wantOOD.Accuracy)
	}

	// The model file: exported, imported back as an equal model.
	_, file := call(t, e, protocol.TypeExportModel, protocol.VariantRequest{Variant: "baseline"}, nil)
	if int64(len(file)) != info.FileBytes {
		t.Errorf("exported %d bytes, info says %d", len(file), info.FileBytes)
	}
	res, _ = call(t, e, protocol.TypeImportModel, protocol.ImportRequest{Name: "copy"}, file)
	imp := res.(*protocol.VariantInfo)
	if imp.Name != "copy" || imp.ModelKind != protocol.ModelKindTFIDF || imp.Metrics.Accuracy != want.Accuracy || imp.Metrics.Confusion != want.Confusion || imp.FileBytes != info.FileBytes {
		t.Errorf("imported %+v", imp)
	}
	res, _ = call(t, e, protocol.TypeExplainBaseline, protocol.BaselineExplainRequest{Variant: "copy", Text: "A wonderful, moving film. Great acting, I loved it!"}, nil)
	if got := res.(*protocol.BaselineExplainResult); got.Logit != ex.Logit {
		t.Errorf("imported model's logit %v, trained %v", got.Logit, ex.Logit)
	}
	res, _ = call(t, e, protocol.TypeInspect, protocol.VariantRequest{Variant: "copy"}, nil)
	if ts := res.(*protocol.InspectResult).Tensors; len(ts) != 3 || ts[1].Name != "logreg.weight" || ts[1].Count != tr.Terms {
		t.Errorf("inspect %+v", ts)
	}

	for _, c := range []struct{ typ, payload, want string }{
		{protocol.TypeCompress, `{"variant":"baseline","method":"int8"}`, "is the TF-IDF baseline"},
		{protocol.TypeExportONNX, `{"variant":"baseline"}`, "has no ONNX graph"},
		{protocol.TypeExplainBaseline, `{"variant":"baseline","text":"  "}`, "the review is empty"},
		{protocol.TypeTrainBaseline, `{"split_rule":"random"}`, `split rule "random"`},
		{protocol.TypeTrainBaseline, `{"test_frac":1.5}`, "test fraction 1.5"},
	} {
		if _, _, err := e.Handle(context.Background(), c.typ, []byte(c.payload), nil, func(any) {}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: %v, want %q", c.typ, c.payload, err, c.want)
		}
	}
}
