package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"sentilab/core/lab"
	"sentilab/core/layers"
	"sentilab/core/nn"
	"sentilab/core/train"
	"sentilab/protocol"
)

// layersOutput is `lab layers --json`: the engine's layer replies, in one.
type layersOutput struct {
	protocol.LayersResult
	Diff       []protocol.LayerChange    `json:"diff,omitempty"`
	Histograms []protocol.LayerHistogram `json:"histograms,omitempty"`
}

// runLayers shows a model tensor by tensor: int8 and float16 error,
// sparsity, and with --reviews the sensitivity table on the first reviews of
// its test split; with --against, the diff and histograms of two variants.
func runLayers(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("layers", flag.ContinueOnError)
	modelPath := fs.String("model", "", "model file")
	against := fs.String("against", "", "a second model file: per-tensor diff and histograms (model → against)")
	bins := fs.Int("bins", 40, "histogram bins (with --against)")
	reviews := fs.Int("reviews", 0, "sensitivity table on the first N reviews of the model's test split (0 = none; needs --data)")
	sparsity := fs.Float64("prune-sparsity", layers.DefaultPruneSparsity, "sensitivity: share of one tensor pruned")
	workers := fs.Int("workers", defaultWorkers(), "goroutines that share each batch")
	dataPath := dataFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON on stdout")
	if err := parse(fs, args); err != nil {
		return err
	}
	ld, tok, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	enc := lab.Encoding(ld.File)
	q, err := layers.Int8Weights(ld.Model, enc.Sparse)
	if err != nil {
		return err
	}
	out := layersOutput{LayersResult: protocol.LayersResult{Variant: ld.Meta.Variant}}
	if out.Stats, err = layers.Stats(ld.Model, q); err != nil {
		return err
	}
	if *reviews > 0 {
		rs, err := loadData(*dataPath)
		if err != nil {
			return err
		}
		_, test, err := splitData(ld, tok, lab.NewCorpus(rs, nil))
		if err != nil {
			return fmt.Errorf("%s: %v", *modelPath, err)
		}
		n, T := min(*reviews, test.N), ld.Model.Cfg.MaxLen
		set := train.Set{Tokens: test.Tokens[:n*T], Labels: test.Labels[:n], N: n}
		out.Table, err = layers.Sensitivities(ctx, ld.Model, layers.SensitivityOptions{Int8: q, PruneSparsity: *sparsity,
			Progress: func(d, t int) { fmt.Fprintf(os.Stderr, "evaluation %d of %d\n", d, t) },
			Eval: func(ctx context.Context, m *nn.Model) (*train.Metrics, error) {
				return lab.Evaluate(ctx, m, nil, set, lab.EvalOptions{Workers: *workers})
			}})
		if err != nil {
			return err
		}
		out.MostSensitive = layers.MostSensitive(out.Table)
		out.Data = fmt.Sprintf("the first %d reviews of the model's test split", n)
	}
	if *against != "" {
		lb, _, err := loadModel(*against)
		if err != nil {
			return err
		}
		if out.Histograms, err = layers.Histograms(ld.Model, lb.Model, *bins); err != nil {
			return err
		}
		if out.Diff, err = layers.Diff(ld.Model, lb.Model); err != nil {
			fmt.Fprintf(os.Stderr, "no diff: %v\n", err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", " ")
		return enc.Encode(out)
	}
	fmt.Printf("%-17s %-12s %10s %10s %10s %10s %8s\n", "tensor", "shape", "int8 rms", "int8 max", "f16 rms", "f16 max", "zeros")
	for _, s := range out.Stats {
		fmt.Printf("%-17s %-12s %10.2e %10.2e %10.2e %10.2e %7.1f%%\n", s.Name, fmt.Sprint(s.Shape), s.Int8RMS, s.Int8Max, s.F16RMS, s.F16Max, 100*s.Sparsity)
	}
	if t := out.Table; t != nil {
		fmt.Printf("\nsensitivity on %s: accuracy %.4f, loss %.4f\n", out.Data, t.Accuracy, t.Loss)
		fmt.Printf("%-17s %12s %12s %16s %16s\n", "tensor", "Δacc int8", "Δloss int8", fmt.Sprintf("Δacc pruned %.0f%%", 100*t.PruneSparsity), "Δloss pruned")
		for _, r := range t.Rows {
			if !r.Int8 {
				fmt.Printf("%-17s %12s %12s %16s %16s\n", r.Name, "float32", "-", "not pruned", "-")
				continue
			}
			fmt.Printf("%-17s %+12.4f %+12.5f %+16.4f %+16.5f\n", r.Name, r.Int8DAcc, r.Int8DLoss, r.PruneDAcc, r.PruneDLoss)
		}
		fmt.Printf("most sensitive to int8: %s\n", out.MostSensitive)
	}
	if out.Diff != nil {
		fmt.Printf("\n%s → %s\n%-17s %10s %12s %12s\n", *modelPath, *against, "tensor", "changed", "max |Δ|", "rms Δ")
		for _, c := range out.Diff {
			fmt.Printf("%-17s %9.2f%% %12.3e %12.3e\n", c.Name, 100*c.Share, c.MaxAbs, c.RMS)
		}
	}
	return nil
}
