package main

// lab baseline --vs LSTM.safetensors: where the baseline and the LSTM win
// and lose, review by review, on the same test split.

import (
	"context"
	"fmt"
	"io"

	"sentilab/core/kernels"
	"sentilab/core/modelfile"
	"sentilab/core/text"
	"sentilab/core/train"
)

// versus compares two models' predictions on the same reviews.
type versus struct {
	Model        string         `json:"model"` // the other (LSTM) model file
	Accuracy     float64        `json:"accuracy"`
	BothRight    int            `json:"both_right"`
	OnlyBaseline int            `json:"only_baseline_right"`
	OnlyOther    int            `json:"only_other_right"`
	BothWrong    int            `json:"both_wrong"`
	ByLength     []lengthBucket `json:"by_length"`
}

// lengthBucket is both models' accuracy on the reviews whose cleaned text
// (the LSTM's input) has Min..Max words: the LSTM reads at most max_len of
// them, the baseline all.
type lengthBucket struct {
	Min, Max         int
	N                int     `json:"n"`
	BaselineAccuracy float64 `json:"baseline_accuracy"`
	OtherAccuracy    float64 `json:"other_accuracy"`
}

// lengthEdges split the IMDB test reviews at the thesis's max_len 170 and
// about its quartiles of cleaned words.
var lengthEdges = []int{0, 60, 100, 170, 300, 1 << 30}

// compareLSTM scores texts with the LSTM ld and compares with the
// baseline's logits.
func compareLSTM(ctx context.Context, path string, ld *modelfile.Loaded, tok *text.Tokenizer, texts []string, labels []int, base []float32, workers int) (*versus, error) {
	cleaned := text.CleanAll(texts, nil)
	b := newBar()
	other, err := train.LogitsOfTexts(ctx, ld.Model, tok, cleaned, train.EvalOptions{BatchSize: 256, Workers: workers,
		Kernels: kernels.Default(), Progress: func(d, t int) { b.update(d, t, "LSTM "+path, -1) }})
	b.done()
	if err != nil {
		return nil, err
	}
	v := &versus{Model: path}
	buckets := make([]lengthBucket, len(lengthEdges)-1)
	for i := range buckets {
		buckets[i].Min, buckets[i].Max = lengthEdges[i]+1, lengthEdges[i+1]
	}
	buckets[0].Min = 0
	for i, y := range labels {
		a, o := (base[i] > 0) == (y == 1), (other[i] > 0) == (y == 1)
		switch {
		case a && o:
			v.BothRight++
		case a:
			v.OnlyBaseline++
		case o:
			v.OnlyOther++
		default:
			v.BothWrong++
		}
		if o {
			v.Accuracy++
		}
		n := text.CountWords(cleaned[i])
		for k := range buckets {
			if n <= buckets[k].Max {
				buckets[k].N++
				if a {
					buckets[k].BaselineAccuracy++
				}
				if o {
					buckets[k].OtherAccuracy++
				}
				break
			}
		}
	}
	v.Accuracy /= float64(len(labels))
	for _, bk := range buckets {
		if bk.N > 0 {
			bk.BaselineAccuracy /= float64(bk.N)
			bk.OtherAccuracy /= float64(bk.N)
			v.ByLength = append(v.ByLength, bk)
		}
	}
	return v, nil
}

func (v *versus) print(w io.Writer, maxLen int) {
	fmt.Fprintf(w, "vs %s (accuracy %.4f): both right %d, only the baseline %d, only the LSTM %d, both wrong %d\n",
		v.Model, v.Accuracy, v.BothRight, v.OnlyBaseline, v.OnlyOther, v.BothWrong)
	for _, bk := range v.ByLength {
		hi := fmt.Sprint(bk.Max)
		if bk.Max >= 1<<30 {
			hi = "…"
		}
		fmt.Fprintf(w, "  %4d–%-4s cleaned words (LSTM max_len %d): %5d reviews  baseline %.4f  LSTM %.4f\n",
			bk.Min, hi, maxLen, bk.N, bk.BaselineAccuracy, bk.OtherAccuracy)
	}
}
