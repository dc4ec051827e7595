package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"sentilab/core/compress"
	"sentilab/core/explain"
	"sentilab/core/kernels"
	"sentilab/core/text"
)

// explainStep is one step of `lab explain --json`.
type explainStep struct {
	Word      string     `json:"word"`
	Sentiment float32    `json:"sentiment"` // σ(w·h_t + b)
	Gates     [4]float32 `json:"gates"`     // mean i, f, g (c̃), o
	IG        float32    `json:"ig"`
}

type explainOutput struct {
	Weights       string        `json:"weights"`
	Method        string        `json:"method"`
	Steps         []explainStep `json:"steps"`
	Cut           int           `json:"cut"`
	Probability   float32       `json:"probability"` // of the explained weights: the last step
	Prediction    float32       `json:"prediction"`  // the model's runtime (int8 for an int8 file)
	IGSum         float64       `json:"ig_sum"`
	LogitDiff     float64       `json:"logit_diff"` // F(x) − F(x')
	Completeness  float64       `json:"completeness"`
	IGPoints      int           `json:"ig_points"`
	CellStateDims [2]int        `json:"cell_state_dims"` // [steps, hidden]; the values are on the page
}

// runExplain reads one review with a model (core/explain): per step the
// running sentiment, the gates' means and integrated gradients.
func runExplain(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	modelPath := fs.String("model", "", "model file")
	igSteps := fs.Int("ig-steps", explain.DefaultIGSteps, "first trapezoid grid of integrated gradients (refined where needed)")
	asJSON := fs.Bool("json", false, "print JSON on stdout")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("want one review: lab explain --model FILE \"review text\"")
	}
	if *igSteps < 1 || *igSteps > explain.MaxIGPoints {
		return fmt.Errorf("--ig-steps %d out of range [1, %d]", *igSteps, explain.MaxIGPoints)
	}
	ld, tok, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	q, err := runtimeOf(ld)
	if err != nil {
		return err
	}
	m := ld.Model
	in, err := explain.Encode(tok, text.Clean(fs.Arg(0)), m.Cfg)
	if err != nil {
		return err
	}
	r, err := explain.Read(m, in)
	if err != nil {
		return err
	}
	a, err := explain.IntegratedGradients(ctx, m, in, *igSteps)
	if err != nil {
		return err
	}
	out := explainOutput{Weights: "float32", Method: explain.Method, Cut: in.Cut, Probability: r.Probability, Prediction: r.Probability,
		IGSum: a.Sum(), LogitDiff: float64(a.Logit) - float64(a.BaselineLogit), Completeness: a.Completeness(), IGPoints: a.Points,
		CellStateDims: [2]int{len(r.Words), r.Hidden}}
	if q != nil {
		out.Weights = "dequantized int8 (the int8 runtime exposes no per-step states)"
		out.Prediction = kernels.Sigmoid(q.Logits(in.Tokens, 1, &compress.QWorkspace{})[0])
	}
	for t, w := range r.Words {
		out.Steps = append(out.Steps, explainStep{Word: w, Sentiment: r.Sentiment[t], IG: a.Scores[t],
			Gates: [4]float32{r.Gates[0][t], r.Gates[1][t], r.Gates[2][t], r.Gates[3][t]}})
	}
	if *asJSON {
		return printJSON(out)
	}
	fmt.Printf("%-20s %9s %7s %7s %7s %7s %9s\n", "word", "P(pos)", "i", "f", "c~", "o", "IG")
	for _, s := range out.Steps {
		fmt.Printf("%-20s %9.6f %7.3f %7.3f %7.3f %7.3f %+9.4f\n", clipWord(s.Word), s.Sentiment, s.Gates[0], s.Gates[1], s.Gates[2], s.Gates[3], s.IG)
	}
	fmt.Printf("weights: %s; %d words past max_len not read\n", out.Weights, out.Cut)
	fmt.Printf("last step %.6f, prediction %.6f\n", out.Probability, out.Prediction)
	fmt.Printf("%s\nΣ IG %.5f, F(x) − F(x') %.5f: completeness %.4f%% (%d points)\n", explain.Formula, out.IGSum, out.LogitDiff, 100*out.Completeness, out.IGPoints)
	return nil
}

func clipWord(w string) string {
	if r := []rune(w); len(r) > 20 {
		return string(r[:19]) + "…"
	}
	return strings.TrimSpace(w)
}
