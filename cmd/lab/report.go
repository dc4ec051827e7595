package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"sentilab/core/compress"
	"sentilab/core/data"
	"sentilab/core/kernels"
	"sentilab/core/lab"
	"sentilab/core/modelfile"
	"sentilab/core/train"
	"sentilab/protocol"
)

// thesisRows are the thesis's results by method (the reference thesis; README.md), shown beside ours.
var thesisRows = map[string]protocol.ThesisRow{
	"base":    {Accuracy: "86.43%", Size: "31,578 KB", Params: "2,691,713"},
	"int8":    {Accuracy: "86.57%", Size: "2,644 KB", Params: "2,691,713"},
	"f16":     {Accuracy: "86.43%", Size: "5,271 KB", Params: "2,691,713"},
	"prune":   {Accuracy: "86.4–86.8%", Size: "10,535 KB", Params: "543,847 non-zero"},
	"distill": {Accuracy: "87.6–88.4%", Size: "5,149 KB", Params: "1,313,089"},
}

func runReport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	dir := fs.String("models", "", "folder of model files (*.safetensors)")
	dataPath := dataFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON instead of Markdown")
	wasmFile := fs.String("wasm", "build/lab.wasm", "lab compiled to js/wasm, run under Node for the wasm speed column (skipped if missing; \"\" to skip)")
	seconds := fs.Float64("speed-seconds", 2, "time per speed measurement")
	mdFile := fs.String("md", "", "also write the Markdown table to this file")
	rounds := fs.Int("speed-rounds", 3, "speed passes over all models; each model's best counts")
	speedOnly := fs.Bool("speed-only", false, "only measure reviews/s (no data needed; what the wasm run does)")
	oodPath := fs.String("data-ood", "", "a second dataset (Kaggle CSV schema, e.g. rt-polarity-10k.csv.gz): every variant's accuracy on all its reviews, beside the test accuracy")
	workers := workersFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	paths, err := filepath.Glob(filepath.Join(*dir, "*.safetensors"))
	if err != nil || len(paths) == 0 {
		return fmt.Errorf("--models %q: no *.safetensors files", *dir)
	}
	sort.Strings(paths)
	var rows []protocol.ResultRow
	var loaded []*modelFile
	for _, p := range paths {
		mf, err := readModelFile(p)
		if err != nil {
			return err
		}
		variant := mf.meta().Variant
		r := protocol.ResultRow{Name: strings.TrimSuffix(filepath.Base(p), ".safetensors"), Method: variant, Runtime: lab.Runtime(variant), Kind: mf.kind()}
		rows = append(rows, r)
		loaded = append(loaded, mf)
	}
	// Several rounds over all models, keeping each one's best: contention
	// on a shared machine comes and goes, and this way every model gets
	// measured at several moments (and after the runtime has warmed up).
	for round := 0; round < *rounds; round++ {
		for i, mf := range loaded {
			rps, err := mf.speed(*seconds)
			if err != nil {
				return fmt.Errorf("%s: %v", paths[i], err)
			}
			rows[i].ReviewsPerSec = max(rows[i].ReviewsPerSec, rps)
			fmt.Fprintf(os.Stderr, "round %d %s: %.0f reviews/s (%s, batch 256, 1 goroutine)\n", round+1, rows[i].Name, rps, rows[i].Runtime)
		}
	}
	loaded = nil
	if *speedOnly {
		return printJSON(rows)
	}
	reviews, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	var ood []data.Review
	if *oodPath != "" {
		if ood, err = loadData(*oodPath); err != nil {
			return fmt.Errorf("--data-ood: %w", err)
		}
	}
	corpus := lab.NewCorpus(reviews, nil)
	var base *protocol.ResultRow
	for i, p := range paths {
		r := &rows[i]
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		mf, err := decodeModelFile(p, raw)
		if err != nil {
			return err
		}
		mt, ev, err := mf.testMetrics(ctx, corpus, *workers)
		if err != nil {
			return err
		}
		meta := mf.meta()
		r.TestAccuracy, r.TestLoss, r.FileBytes, r.GzipBytes = mt.Accuracy, mt.Loss, int64(len(raw)), gzipSize(raw)
		r.Params, r.NonZero = mf.params()
		// Time to produce: the sum of every compression step recorded
		// (a chained run's earlier steps included), not the base's training.
		r.Seconds = meta.Metrics["seconds"]
		if steps, err := compress.ReadPipeline(meta.Extra[compress.KeyPipeline]); err == nil && len(steps) > 0 {
			r.Seconds = 0
			for _, st := range steps {
				r.Seconds += st.Seconds
			}
		}
		if r.Method == "base" || mf.lb != nil {
			r.Seconds = meta.Metrics["train_seconds"]
		}
		if r.Method == "base" && base == nil {
			base = r
		}
		if t, ok := thesisRows[r.Method]; ok && mf.lb == nil {
			r.Thesis = &t
		}
		r.TestEval = ev
		note := ""
		if ev != nil {
			note = "; " + ev.Note
		}
		fmt.Fprintf(os.Stderr, "%s: test accuracy %.4f on %d reviews%s\n", r.Name, mt.Accuracy, mt.N, note)
		if ood != nil {
			o, err := mf.metricsOn(ctx, ood, *workers)
			if err != nil {
				return fmt.Errorf("%s on --data-ood %s: %w", p, *oodPath, err)
			}
			r.OODAccuracy, r.OODLoss, r.OODN, r.OODData = o.Accuracy, o.Loss, o.N, filepath.Base(*oodPath)
			fmt.Fprintf(os.Stderr, "%s: out-of-domain accuracy %.4f on %d reviews of %s\n", r.Name, o.Accuracy, o.N, r.OODData)
		}
	}
	if base != nil {
		for i := range rows {
			rows[i].AccuracyChange = rows[i].TestAccuracy - base.TestAccuracy
		}
	}
	if *wasmFile != "" {
		if err := wasmSpeeds(*wasmFile, *dir, *seconds, *rounds, rows); err != nil {
			fmt.Fprintln(os.Stderr, "wasm column skipped:", err)
		}
	}
	if *mdFile != "" {
		var b bytes.Buffer
		printReportMarkdown(&b, rows, base != nil)
		if err := os.WriteFile(*mdFile, b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	if *asJSON {
		return printJSON(rows)
	}
	printReportMarkdown(os.Stdout, rows, base != nil)
	return nil
}

func gzipSize(b []byte) int64 {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return int64(buf.Len())
}

// inferSpeed measures reviews/s of batch-256 inference on one goroutine
// (the best batch of those that fit in `seconds`),
// on synthetic reviews with the real data's length distribution (as lab
// bench does), with the runtime the variant calls for.
func inferSpeed(ld *modelfile.Loaded, seconds float64) (float64, error) {
	cfg := ld.Model.Cfg
	const batch = 256
	tokens, _ := benchTokens(benchShape{Cfg: cfg, Masked: cfg.Masking}, batch, rand.New(rand.NewPCG(3, 4)))
	set := train.Set{Tokens: tokens, Labels: make([]float32, batch), N: batch}
	var run func() error
	if q, err := runtimeOf(ld); err != nil {
		return 0, err
	} else if q != nil {
		run = func() error { _, err := compress.QLogits(context.Background(), q, set, batch, 1); return err }
	} else {
		opt := train.EvalOptions{BatchSize: batch, Workers: 1, Kernels: kernels.Default()}
		run = func() error { _, err := train.Logits(context.Background(), ld.Model, set, opt); return err }
	}
	// The fastest of several batches: on a shared machine other work only
	// ever slows a batch down, so the minimum is the least disturbed
	// measurement (the first batch also pays the allocations).
	best := math.Inf(1)
	for t0 := time.Now(); time.Since(t0).Seconds() < seconds; {
		b0 := time.Now()
		if err := run(); err != nil {
			return 0, err
		}
		best = min(best, time.Since(b0).Seconds())
	}
	return batch / best, nil
}

// wasmSpeeds runs `lab report --speed-only` compiled to wasm under Node and
// fills the wasm column.
func wasmSpeeds(file, dir string, seconds float64, rounds int, rows []protocol.ResultRow) error {
	if runtime.GOOS == "js" {
		return nil
	}
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("%s not found (./build.sh builds it)", file)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	cmd := exec.Command("node", "--stack-size=8192", wasmExecJS(), file, "report", "--speed-only", "--models", abs, fmt.Sprintf("--speed-seconds=%g", seconds), fmt.Sprintf("--speed-rounds=%d", rounds))
	cmd.Stderr = os.Stderr
	raw, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("node %s: %v", file, err)
	}
	var ws []protocol.ResultRow
	if err := protocol.Decode("wasm report output", raw, &ws); err != nil {
		return err
	}
	for _, w := range ws {
		for i := range rows {
			if rows[i].Name == w.Name {
				rows[i].WasmPerSec = w.ReviewsPerSec
			}
		}
	}
	return nil
}

func printReportMarkdown(w io.Writer, rows []protocol.ResultRow, haveBase bool) {
	oodData := ""
	for _, r := range rows {
		if r.OODN > 0 {
			oodData = r.OODData
		}
	}
	oodHead, oodRule := "", ""
	if oodData != "" {
		oodHead, oodRule = " out of domain ("+oodData+") |", "---|"
	}
	fmt.Fprintln(w, "| variant | method | runtime | test accuracy | test reviews seen in training |"+oodHead+" vs base | test loss | file | gzip | params | non-zero | seconds | reviews/s native | reviews/s wasm | thesis accuracy | thesis size |")
	fmt.Fprintln(w, "|---|---|---|---|---|"+oodRule+"---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		ood := ""
		if oodData != "" {
			ood = " — |"
			if r.OODN > 0 {
				ood = fmt.Sprintf(" %.2f%% |", 100*r.OODAccuracy)
			}
		}
		change := "—"
		if haveBase {
			change = fmt.Sprintf("%+.2f", 100*r.AccuracyChange)
		}
		wasm := "—"
		if r.WasmPerSec > 0 {
			wasm = fmt.Sprintf("%.0f", r.WasmPerSec)
		}
		ta, tsz := "—", "—"
		if r.Thesis != nil {
			ta, tsz = r.Thesis.Accuracy, r.Thesis.Size
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.2f%% | %s |%s %s | %.4f | %s | %s | %s | %s | %.0f | %.0f | %s | %s | %s |\n",
			r.Name, r.Method, r.Runtime, 100*r.TestAccuracy, seenCell(r.TestEval), ood, change, r.TestLoss, kb(r.FileBytes), kb(r.GzipBytes),
			commas(r.Params), commas(r.NonZero), r.Seconds, r.ReviewsPerSec, wasm, ta, tsz)
	}
}

// seenCell is the report's "test reviews seen in training" cell:
// "133 of 10,000 (unseen 88.28%)", "0", or "unknown".
func seenCell(ev *protocol.Evaluation) string {
	switch {
	case ev == nil: // not measured (the baseline)
		return "—"
	case ev.Training == protocol.TrainingUnknown:
		return "unknown"
	case ev.Seen == 0:
		return "0"
	case ev.UnseenMetrics == nil:
		return fmt.Sprintf("all %s", lab.Count(ev.Seen))
	}
	return fmt.Sprintf("%s of %s (unseen %.2f%%)", lab.Count(ev.Seen), lab.Count(ev.N), 100*ev.UnseenMetrics.Accuracy)
}

func kb(n int64) string { return commas(int((n+512)/1024)) + " KB" }

func commas(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
