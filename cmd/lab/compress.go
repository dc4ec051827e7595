package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"sentilab/core/compress"
	"sentilab/core/lab"
	"sentilab/core/modelfile"
	"sentilab/core/text"
	"sentilab/core/train"
	"sentilab/protocol"
)

// splitData rebuilds the train/test split a model was trained on, from its
// metadata (seed, test_frac, train_limit), encoded with its own vocabulary,
// and checks the training reviews against its provenance.
func splitData(ld *modelfile.Loaded, tok *text.Tokenizer, corpus lab.Corpus) (trainSet, testSet train.Set, err error) {
	sp, err := lab.SplitOf(ld.Meta)
	if err != nil {
		return trainSet, testSet, err
	}
	return corpus.Sets(sp, tok, ld.Model.Cfg, ld.Meta.Provenance.DataHash)
}

// runtimeOf loads the int8 runtime of a file whose chain ends in int8
// (nil for the float runtime).
func runtimeOf(ld *modelfile.Loaded) (*compress.QModel, error) {
	if lab.Runtime(ld.Meta.Variant) != lab.RuntimeInt8 {
		return nil, nil
	}
	return compress.NewQModel(ld)
}

// evaluateLoaded scores a decoded model file on set with the runtime its
// variant calls for.
func evaluateLoaded(ctx context.Context, ld *modelfile.Loaded, set train.Set, workers int) (*train.Metrics, error) {
	q, err := runtimeOf(ld)
	if err != nil {
		return nil, err
	}
	return lab.Evaluate(ctx, ld.Model, q, set, lab.EvalOptions{Workers: workers})
}

// compressOutput is `lab compress --json`.
type compressOutput struct {
	Model            string                    `json:"model"`
	Out              string                    `json:"out,omitempty"`
	Method           string                    `json:"method"`
	TestAccuracy     float64                   `json:"test_accuracy"`
	TestLoss         float64                   `json:"test_loss"`
	BaseTestAccuracy float64                   `json:"base_test_accuracy"`
	AccuracyChange   float64                   `json:"accuracy_change"`
	FileBytes        int64                     `json:"file_bytes"`
	BaseFileBytes    int64                     `json:"base_file_bytes"`
	Params           int                       `json:"params"`
	NonZero          int                       `json:"nonzero"`
	Seconds          float64                   `json:"seconds"`
	Steps            []compress.Step           `json:"steps"`
	Sparsity         []compress.TensorSparsity `json:"sparsity,omitempty"`
	TestEval         *protocol.Evaluation      `json:"test_eval"` // the test score split by the training reviews
}

func runCompress(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("compress", flag.ContinueOnError)
	modelPath := fs.String("model", "", "base model file")
	method := fs.String("method", "", "int8|int8-weights|f16|selective|prune|prune-units|distill, or a pipeline such as prune,distill,int8")
	dataPath := dataFlag(fs)
	out := fs.String("out", "", "write the compressed model file here")
	asJSON := fs.Bool("json", false, "print the results as JSON on stdout")
	grid := fs.String("grid", "", "distill: run the α×T grid search, appending one JSON line per finished cell to this file (finished cells are skipped)")
	alphas := fs.String("alphas", joinFloats(compress.ThesisAlphas), "grid: α values")
	temps := fs.String("temps", joinFloats(compress.ThesisTemps), "grid: temperatures")
	cf := lab.DefaultParams()
	d := cf.Tune
	fs.IntVar(&cf.Tune.Epochs, "epochs", d.Epochs, "fine-tune / distillation epochs")
	fs.IntVar(&cf.Tune.BatchSize, "batch", d.BatchSize, "batch size")
	fs.Float64Var(&cf.Tune.LR, "lr", d.LR, "Adam learning rate")
	fs.Float64Var(&cf.Tune.ValSplit, "val-split", d.ValSplit, "last share of the training split held out for validation")
	seed := fs.Uint64("seed", 0, "seed of shuffling, dropout and the student's initialisation (default: the base model's)")
	fs.IntVar(&cf.Tune.Workers, "workers", defaultWorkers(), "goroutines that share each batch")
	fs.IntVar(&cf.Tune.Patience, "patience", 0, "distill, prune-units: stop after this many epochs without a better validation loss and keep the best (0 = run every epoch)")
	fs.StringVar(&cf.Schedule, "schedule", cf.Schedule, "prune: polynomial (PolynomialDecay) or constant (ConstantSparsity)")
	fs.Float64Var(&cf.InitialSparsity, "initial-sparsity", cf.InitialSparsity, "prune: PolynomialDecay initial sparsity")
	fs.Float64Var(&cf.FinalSparsity, "final-sparsity", cf.FinalSparsity, "prune: PolynomialDecay final sparsity")
	fs.Float64Var(&cf.Power, "power", cf.Power, "prune: PolynomialDecay power")
	fs.Float64Var(&cf.TargetSparsity, "target-sparsity", cf.TargetSparsity, "prune: ConstantSparsity target")
	fs.IntVar(&cf.Frequency, "frequency", 0, "prune: steps between mask updates (0 = a tenth of the steps, at most 100)")
	tensors := fs.String("prune-tensors", strings.Join(compress.DefaultPruneTensors, ","), "prune: tensors to prune")
	keepFloat := fs.String("keep-float", "", "selective: weight matrices kept in float32, comma-separated (default: the most sensitive on 2,000 training reviews)")
	fs.IntVar(&cf.KeepUnits, "keep-units", 0, "prune-units: LSTM units to keep (default half)")
	fs.Float64Var(&cf.Alpha, "alpha", cf.Alpha, "distill: weight of the hard-label loss")
	fs.Float64Var(&cf.Temperature, "temperature", cf.Temperature, "distill: temperature T")
	fs.IntVar(&cf.StudentEmbed, "student-embed", 0, "distill: student embedding width (default half the teacher's)")
	fs.IntVar(&cf.StudentHidden, "student-hidden", 0, "distill: student LSTM units (default half the teacher's)")
	fs.BoolVar(&cf.ThesisLoss, "thesis-loss", false, "distill: the thesis's softmax over one unit (its distillation term is identically 0)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cf.Tensors = splitList(*tensors)
	if *keepFloat != "" {
		cf.KeepFloat = splitList(*keepFloat)
	}
	methods, err := lab.ParseChain(*method)
	if err != nil {
		return fmt.Errorf("--method: %v", err)
	}
	if *grid == "" && *out == "" {
		return fmt.Errorf("no --out FILE")
	}
	if err := openOut(*out); err != nil {
		return err
	}
	defer closeOuts()
	ld, tok, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	cf.Tune.Seed = ld.Meta.Provenance.Seed
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "seed" {
			cf.Tune.Seed = *seed
		}
	})
	reviews, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	corpus := lab.NewCorpus(reviews, nil)
	trainSet, testSet, err := splitData(ld, tok, corpus)
	if err != nil {
		return fmt.Errorf("%s: %v", *modelPath, err)
	}
	fmt.Fprintf(os.Stderr, "%s: %s model, %d parameters; %d training / %d test reviews\n", *modelPath, ld.Meta.Variant, ld.Model.NumParams(), trainSet.N, testSet.N)
	if *grid != "" {
		if len(methods) != 1 || methods[0] != "distill" {
			return fmt.Errorf("--grid needs --method distill")
		}
		return runGrid(ctx, *grid, ld, trainSet, testSet, cf, *alphas, *temps, *asJSON)
	}
	// The final score, split by the source's training reviews.
	sp, _ := lab.SplitOf(ld.Meta) // splitData checked it
	texts, err := corpus.TestTexts(sp)
	if err != nil {
		return err
	}
	seen := testSeen{texts: texts, training: lab.TrainingOf(ld.Meta.Fingerprints, sp, ld.Meta.Provenance.DataHash, corpus),
		data: sp.Describe(len(reviews)) + " of " + filepath.Base(*dataPath)}
	return compressPipeline(ctx, ld, methods, trainSet, testSet, seen, cf, *modelPath, *out, args, *asJSON)
}

// testSeen are what splits a chain's final score by the training reviews.
type testSeen struct {
	texts    []string
	training lab.Training
	data     string
}

func compressPipeline(ctx context.Context, ld *modelfile.Loaded, methods []string, trainSet, testSet train.Set, seen testSeen, cf lab.Params,
	modelPath, out string, args []string, asJSON bool) error {
	t0 := time.Now()
	prior, err := compress.ReadPipeline(ld.Meta.Extra[compress.KeyPipeline])
	if err != nil {
		return fmt.Errorf("%s: %v", modelPath, err)
	}
	// The base is the original model: a chained run (compressing a file
	// that is itself compressed) keeps comparing with it.
	baseAcc, ok := ld.Meta.Metrics["base_test_accuracy"]
	if !ok {
		baseAcc, ok = ld.Meta.Metrics["test_accuracy"]
	}
	if !ok {
		mt, err := evaluateLoaded(ctx, ld, testSet, cf.Tune.Workers)
		if err != nil {
			return err
		}
		baseAcc = mt.Accuracy
	}
	var b *bar
	var method string
	cf.Tune.Progress = func(pr train.Progress) {
		b.update(pr.Done, pr.Total, fmt.Sprintf("%s epoch %d/%d loss %.4f acc %.4f %.0f ex/s", method, pr.Epoch, pr.Epochs, pr.Loss, pr.Accuracy, pr.ExamplesPerSec), pr.ETA)
	}
	res, err := lab.Compress(ctx, lab.ChainInput{Source: ld.Model, SourceEnc: lab.Encoding(ld.File), Prior: prior, Vocab: ld.Vocab,
		Train: trainSet, Test: testSet, TestTexts: seen.texts, Training: seen.training, TestData: seen.data,
		Params: cf, Eval: lab.EvalOptions{Workers: cf.Tune.Workers},
		StepStart: func(m string) { b, method = newBar(), m },
		StepEnd: func(st compress.Step) {
			b.done()
			fmt.Fprintf(os.Stderr, "%s: test accuracy %.4f, %d of %d weights non-zero, %.0fs\n", st.Method, st.TestAccuracy, st.NonZero, st.NumParams, st.Seconds)
		}}, methods)
	if err != nil {
		return err
	}
	seconds := time.Since(t0).Seconds()
	mt := res.Test
	meta := modelfile.Meta{Variant: res.Chain, Preprocessing: ld.Meta.Preprocessing,
		Provenance: modelfile.Provenance{Seed: cf.Tune.Seed, DataHash: ld.Meta.Provenance.DataHash,
			Command: "lab compress " + strings.Join(args, " "), Time: time.Now().UTC().Format(time.RFC3339)},
		Extra: map[string]string{compress.KeyPipeline: compress.PipelineJSON(append(prior, res.Steps...))},
		Metrics: map[string]float64{"test_accuracy": mt.Accuracy, "test_loss": mt.Loss, "test_n": float64(mt.N),
			"base_test_accuracy": baseAcc, "seconds": seconds, "test_seen_in_training": float64(res.TestEval.Seen)}}
	// The variant trained on its source's training split: it inherits the
	// source's fingerprints and split.
	meta.Fingerprints = ld.Meta.Fingerprints
	for _, k := range []string{lab.KeyPreset, lab.KeyTestFrac, lab.KeyTrainLimit, lab.KeySplitRule} {
		if v, ok := ld.Meta.Extra[k]; ok {
			meta.Extra[k] = v
		}
	}
	f, err := modelfile.NewFile(res.Model.Cfg, ld.Vocab, meta, res.Tensors)
	if err != nil {
		return err
	}
	if err := writeOut(out, f); err != nil {
		return err
	}
	size, _ := fileSize(out)
	baseSize, _ := fileSize(modelPath)
	o := compressOutput{Model: modelPath, Out: out, Method: res.Chain, TestAccuracy: mt.Accuracy, TestLoss: mt.Loss,
		BaseTestAccuracy: baseAcc, AccuracyChange: mt.Accuracy - baseAcc, FileBytes: size, BaseFileBytes: baseSize,
		Params: res.Model.NumParams(), NonZero: compress.NonZero(res.Model), Seconds: seconds, Steps: res.Steps, Sparsity: res.Sparsity,
		TestEval: res.TestEval}
	fmt.Fprintf(os.Stderr, "%s: test accuracy %.4f (base %.4f, %+.2f points), loss %.4f; %d bytes (%.1f%% of %d); %d of %d weights non-zero; %.1fs\n",
		res.Chain, mt.Accuracy, baseAcc, 100*(mt.Accuracy-baseAcc), mt.Loss, size, 100*float64(size)/float64(baseSize), baseSize, o.NonZero, o.Params, seconds)
	fmt.Fprintf(os.Stderr, "%s: %s\n", res.TestEval.Data, res.TestEval.Note)
	fmt.Fprintf(os.Stderr, "wrote %s\n", out)
	if asJSON {
		return printJSON(o)
	}
	return nil
}

func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func joinFloats(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(s, ",")
}

func parseFloats(s string) ([]float64, error) {
	var out []float64
	for _, f := range splitList(s) {
		x, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", f)
		}
		out = append(out, x)
	}
	return out, nil
}

// gridOutput is `lab compress --method distill --grid FILE --json`.
type gridOutput struct {
	Alphas  []float64           `json:"alphas"`
	Temps   []float64           `json:"temperatures"`
	Sorted  []compress.GridCell `json:"sorted"`
	Heatmap [][]float64         `json:"heatmap"` // test accuracy [alpha][temperature]; −1 = not run
	Teacher float64             `json:"teacher_test_accuracy"`
}

// runGrid trains one student per (α, T) cell not yet in the results file,
// appending each finished cell as one JSON line, so an interrupted search
// resumes where it stopped.
func runGrid(ctx context.Context, path string, ld *modelfile.Loaded, trainSet, testSet train.Set, cf lab.Params, alphaList, tempList string, asJSON bool) error {
	alphas, err := parseFloats(alphaList)
	if err != nil {
		return fmt.Errorf("--alphas: %v", err)
	}
	temps, err := parseFloats(tempList)
	if err != nil {
		return fmt.Errorf("--temps: %v", err)
	}
	var done []compress.GridCell
	if f, err := os.Open(path); err == nil {
		done, err = compress.ReadGrid(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
	}
	todo := compress.GridTodo(alphas, temps, done)
	fmt.Fprintf(os.Stderr, "grid: %d cells done, %d to run\n", len(alphas)*len(temps)-len(todo), len(todo))
	for i, c := range todo {
		t0 := time.Now()
		opt := compress.DistillOptions{Alpha: c[0], T: c[1], Embed: cf.StudentEmbed, Hidden: cf.StudentHidden, Thesis: cf.ThesisLoss, Tune: cf.Tune}
		if opt.Embed == 0 {
			opt.Embed = max(1, ld.Model.Cfg.Embed/2)
		}
		if opt.Hidden == 0 {
			opt.Hidden = max(1, ld.Model.Cfg.Hidden/2)
		}
		student, _, err := compress.Distill(ctx, ld.Model, trainSet, opt)
		if err != nil {
			return err
		}
		mt, err := lab.Evaluate(ctx, student, nil, testSet, lab.EvalOptions{Workers: cf.Tune.Workers})
		if err != nil {
			return err
		}
		cell := compress.GridCell{Alpha: c[0], T: c[1], TestAccuracy: mt.Accuracy, TestLoss: mt.Loss, Seconds: time.Since(t0).Seconds()}
		if err := appendLine(path, cell); err != nil {
			return err
		}
		done = append(done, cell)
		fmt.Fprintf(os.Stderr, "grid %d/%d: α %-4g T %-4g test accuracy %.4f  loss %.4f  %.0fs\n", i+1, len(todo), c[0], c[1], mt.Accuracy, mt.Loss, cell.Seconds)
	}
	var keep []compress.GridCell
	for _, c := range done {
		if len(compress.GridTodo(alphas, temps, []compress.GridCell{c})) < len(alphas)*len(temps) {
			keep = append(keep, c)
		}
	}
	o := gridOutput{Alphas: alphas, Temps: temps, Sorted: compress.SortGrid(keep), Heatmap: compress.Heatmap(alphas, temps, keep),
		Teacher: ld.Meta.Metrics["test_accuracy"]}
	if asJSON {
		return printJSON(o)
	}
	fmt.Printf("| rank | α | T | test accuracy | test loss |\n|---|---|---|---|---|\n")
	for i, c := range o.Sorted {
		fmt.Printf("| %d | %g | %g | %.2f%% | %.4f |\n", i+1, c.Alpha, c.T, 100*c.TestAccuracy, c.TestLoss)
	}
	return nil
}

func appendLine(path string, v any) error {
	b, err := jsonLine(v)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err = f.Write(b); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func jsonLine(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	return append(b, '\n'), err
}
