package web

import "testing"

func TestPretrainedWhat(t *testing.T) {
	for _, tc := range []struct {
		m    PretrainedModel
		want string
	}{
		{PretrainedModel{Variant: "base", Runtime: "float32", Config: ModelConfig{Embed: 128, Hidden: 128}}, "the trained LSTM, embedding 128, hidden 128, float32"},
		{PretrainedModel{Variant: "prune+int8", Runtime: "int8", Config: ModelConfig{Embed: 64, Hidden: 64}}, "the LSTM compressed by prune → int8, embedding 64, hidden 64"},
		{PretrainedModel{Kind: "tfidf-logreg", Variant: "baseline"}, "TF-IDF + logistic regression, the yardstick"},
		{PretrainedModel{Kind: "gpt", Variant: "x"}, "a gpt model, which this lab cannot load"},
	} {
		if got := PretrainedWhat(tc.m); got != tc.want {
			t.Errorf("PretrainedWhat(%+v) = %q, want %q", tc.m, got, tc.want)
		}
		if Importable(tc.m) != (tc.m.Kind != "gpt") {
			t.Errorf("Importable(%q) = %v", tc.m.Kind, Importable(tc.m))
		}
	}
}
