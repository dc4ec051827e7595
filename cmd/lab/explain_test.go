package main

import (
	"os"
	"testing"
)

// lab explain on the shipped base and base.int8: the last step is the
// float model's prediction, the int8 file is read through its dequantized
// weights and says so, and integrated gradients are complete within 1%.
func TestExplainCommand(t *testing.T) {
	review := "A wonderful, moving film. The acting is superb but the ending drags."
	for _, name := range []string{"base", "base.int8"} {
		path := "../../assets/models/" + name + ".safetensors"
		if _, err := os.Stat(path); err != nil {
			t.Skip(err)
		}
		var out explainOutput
		labJSON(t, &out, "explain", "--model", path, "--json", review)
		if len(out.Steps) != 7 || out.Steps[0].Word != "wonderful" || out.Steps[6].Sentiment != out.Probability || out.CellStateDims != [2]int{7, 128} {
			t.Fatalf("%s: %d steps %+v, probability %v, cell %v", name, len(out.Steps), out.Steps, out.Probability, out.CellStateDims)
		}
		if out.Completeness > 0.01 {
			t.Errorf("%s: Σ IG %v, F(x) − F(x') %v", name, out.IGSum, out.LogitDiff)
		}
		int8 := name == "base.int8"
		if (out.Weights != "float32") != int8 || (out.Prediction == out.Probability) == int8 {
			t.Errorf("%s: weights %q, last step %v, prediction %v", name, out.Weights, out.Probability, out.Prediction)
		}
	}
}
