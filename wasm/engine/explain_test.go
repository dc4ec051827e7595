package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"sentilab/protocol"
)

// TestExplain reads a review with the shipped base model and its int8
// variant side by side through the engine's request.
func TestExplain(t *testing.T) {
	e := NewEngine()
	for _, name := range []string{"base", "base.int8"} {
		b, err := os.ReadFile("../../assets/models/" + name + ".safetensors")
		if err != nil {
			t.Skip("no shipped model:", err)
		}
		call(t, e, "importModel", map[string]any{"name": name}, b)
	}
	review := "I wanted to like this movie. The first half is clever and funny, but the ending is a lazy mess."
	res, _ := call(t, e, protocol.TypeExplain, protocol.ExplainRequest{Text: review, Variants: []string{"base", "base.int8"}}, nil)
	r := res.(*protocol.ExplainResult)
	if len(r.Readings) != 2 || r.Method == "" || r.Formula == "" {
		t.Fatalf("%d readings, method %q, formula %q", len(r.Readings), r.Method, r.Formula)
	}
	res, _ = call(t, e, protocol.TypePredict, protocol.PredictRequest{Text: review, Variants: []string{"base", "base.int8"}}, nil)
	preds := res.(*protocol.PredictResult).Results
	for i, rd := range r.Readings {
		S, H := rd.Steps, rd.Hidden
		words := strings.Fields(r.Cleaned)
		if S != len(words) || len(rd.Words) != S || len(rd.Sentiment) != S || len(rd.Cell) != S*H || len(rd.Attribution) != S || len(rd.Forget) != S {
			t.Fatalf("%s: %d steps for %d words; %d sentiments, %d cell values (hidden %d), %d attributions", rd.Variant, S, len(words),
				len(rd.Sentiment), len(rd.Cell), H, len(rd.Attribution))
		}
		if rd.Prediction != preds[i].Probability {
			t.Errorf("%s: explain's prediction %v, predict's %v", rd.Variant, rd.Prediction, preds[i].Probability)
		}
		if rd.Sentiment[S-1] != rd.Probability {
			t.Errorf("%s: last step %v, probability %v", rd.Variant, rd.Sentiment[S-1], rd.Probability)
		}
		if rd.Completeness > 0.01 {
			t.Errorf("%s: integrated gradients complete to %.3g%%", rd.Variant, 100*rd.Completeness)
		}
	}
	if base := r.Readings[0]; float64(base.Probability) != base.Prediction || base.Weights != "float32" {
		t.Errorf("base: reading %v, prediction %v, weights %q", base.Probability, base.Prediction, base.Weights)
	}
	if q := r.Readings[1]; !strings.Contains(q.Weights, "dequantized") || !(abs(float64(q.Probability)-q.Prediction) < 0.02) {
		t.Errorf("base.int8: weights %q, dequantized reading %v, int8 prediction %v", q.Weights, q.Probability, q.Prediction)
	}
	for _, c := range []struct {
		req  protocol.ExplainRequest
		want string
	}{
		{protocol.ExplainRequest{Text: " ", Variants: []string{"base"}}, "the review is empty"},
		{protocol.ExplainRequest{Text: "good", Variants: []string{"base", "base", "base"}}, "3 models, want one or two"},
		{protocol.ExplainRequest{Text: "good"}, "0 models, want one or two"},
		{protocol.ExplainRequest{Text: "good", Variants: []string{"nope"}}, `no model "nope"`},
		{protocol.ExplainRequest{Text: "good", Variants: []string{"base"}, IGSteps: -1}, "ig_steps -1 out of range"},
	} {
		p, _ := json.Marshal(c.req)
		if _, _, err := e.Handle(context.Background(), protocol.TypeExplain, p, nil, func(any) {}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.req, err, c.want)
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
