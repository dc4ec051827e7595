package train

import "sentilab/core/nn"

// MetricsOf scores logits against 0/1 labels (a label ≥ ½ is positive).
func MetricsOf(logits, labels []float32) *Metrics {
	loss, right := nn.BCEWithLogits(logits, labels, nil, 1)
	mt := &Metrics{N: len(logits), Classes: map[string]ClassReport{}}
	if mt.N == 0 {
		return mt
	}
	mt.Loss = loss / float64(mt.N)
	mt.Accuracy = float64(right) / float64(mt.N)
	for i, z := range logits {
		t, p := 0, 0
		if labels[i] >= 0.5 {
			t = 1
		}
		if z > 0 {
			p = 1
		}
		mt.Confusion[t][p]++
	}
	names := [2]string{"negative", "positive"}
	for c := 0; c < 2; c++ {
		tp := mt.Confusion[c][c]
		predicted := mt.Confusion[0][c] + mt.Confusion[1][c]
		support := mt.Confusion[c][0] + mt.Confusion[c][1]
		r := ClassReport{Support: support}
		if predicted > 0 {
			r.Precision = float64(tp) / float64(predicted)
		}
		if support > 0 {
			r.Recall = float64(tp) / float64(support)
		}
		if r.Precision+r.Recall > 0 {
			r.F1 = 2 * r.Precision * r.Recall / (r.Precision + r.Recall)
		}
		mt.Classes[names[c]] = r
		w := float64(support) / float64(mt.N)
		mt.Macro.Precision += r.Precision / 2
		mt.Macro.Recall += r.Recall / 2
		mt.Macro.F1 += r.F1 / 2
		mt.Weighted.Precision += r.Precision * w
		mt.Weighted.Recall += r.Recall * w
		mt.Weighted.F1 += r.F1 * w
	}
	mt.Macro.Support, mt.Weighted.Support = mt.N, mt.N
	return mt
}
