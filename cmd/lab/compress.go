package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"sentilab/core/compress"
	"sentilab/core/data"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/text"
	"sentilab/core/train"
)

// splitData rebuilds the train/test split a model was trained on, from its
// metadata (seed, test_frac, train_limit), encoded with its own vocabulary.
// The training reviews' hash must match the provenance: fine-tuning on the
// wrong data, or testing on reviews the base model trained on, would make
// every number meaningless.
func splitData(ld *modelfile.Loaded, tok *text.Tokenizer, reviews []data.Review) (trainSet, testSet train.Set, err error) {
	seed := ld.Meta.Provenance.Seed
	testFrac, trainLimit := 0.2, 0
	if s, ok := ld.Meta.Extra["test_frac"]; ok {
		if testFrac, err = strconv.ParseFloat(s, 64); err != nil {
			return trainSet, testSet, fmt.Errorf("metadata test_frac %q: %v", s, err)
		}
	}
	if s, ok := ld.Meta.Extra["train_limit"]; ok {
		if trainLimit, err = strconv.Atoi(s); err != nil {
			return trainSet, testSet, fmt.Errorf("metadata train_limit %q: %v", s, err)
		}
	}
	trainR, testR, err := data.Split(reviews, testFrac, seed)
	if err != nil {
		return trainSet, testSet, err
	}
	if trainLimit > 0 && trainLimit < len(trainR) {
		trainR = trainR[:trainLimit]
	}
	if h := ld.Meta.Provenance.DataHash; h != "" && data.Hash(trainR) != h {
		return trainSet, testSet, fmt.Errorf("the training reviews (seed %d, test_frac %v, train_limit %d) hash to %s, the model's provenance says %s: not the data it was trained on",
			seed, testFrac, trainLimit, data.Hash(trainR), h)
	}
	enc := func(rs []data.Review) (train.Set, error) {
		raw := make([]string, len(rs))
		labels := make([]float32, len(rs))
		for i, r := range rs {
			raw[i], labels[i] = r.Text, float32(r.Label)
		}
		return train.EncodeRaw(tok, raw, labels, ld.Model.Cfg)
	}
	if trainSet, err = enc(trainR); err != nil {
		return
	}
	testSet, err = enc(testR)
	return
}

// usesInt8Runtime: a variant whose last step is "int8" runs on the int8
// (dynamic-range) runtime; every other variant on the float one.
func usesInt8Runtime(variant string) bool {
	parts := strings.Split(variant, "+")
	return parts[len(parts)-1] == "int8"
}

// evaluateLoaded scores a decoded model file on set with the runtime its
// variant calls for.
func evaluateLoaded(ctx context.Context, ld *modelfile.Loaded, set train.Set, workers int) (*train.Metrics, error) {
	if usesInt8Runtime(ld.Meta.Variant) {
		q, err := compress.NewQModel(ld)
		if err != nil {
			return nil, err
		}
		z, err := compress.QLogits(ctx, q, set, 256, workers)
		if err != nil {
			return nil, err
		}
		return train.MetricsOf(z, set.Labels), nil
	}
	return train.Evaluate(ctx, ld.Model, set, train.EvalOptions{BatchSize: 256, Workers: workers, Kernels: nn.DefaultKernels()})
}

type compressFlags struct {
	tune                          compress.Tune
	schedule                      string
	initial, final, power, target float64
	frequency                     int
	tensors                       string
	keepUnits                     int
	alpha, temp                   float64
	studentEmbed, studentHidden   int
	thesisLoss                    bool
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
}

func runCompress(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("compress", flag.ContinueOnError)
	modelPath := fs.String("model", "", "base model file")
	method := fs.String("method", "", "int8|int8-weights|f16|prune|prune-units|distill, or a pipeline such as prune,distill,int8")
	dataPath := dataFlag(fs)
	out := fs.String("out", "", "write the compressed model file here")
	asJSON := fs.Bool("json", false, "print the results as JSON on stdout")
	grid := fs.String("grid", "", "distill: run the α×T grid search, appending one JSON line per finished cell to this file (finished cells are skipped)")
	alphas := fs.String("alphas", joinFloats(compress.ThesisAlphas), "grid: α values")
	temps := fs.String("temps", joinFloats(compress.ThesisTemps), "grid: temperatures")
	var cf compressFlags
	d := compress.DefaultTune()
	fs.IntVar(&cf.tune.Epochs, "epochs", d.Epochs, "fine-tune / distillation epochs")
	fs.IntVar(&cf.tune.BatchSize, "batch", d.BatchSize, "batch size")
	fs.Float64Var(&cf.tune.LR, "lr", d.LR, "Adam learning rate")
	fs.Float64Var(&cf.tune.ValSplit, "val-split", d.ValSplit, "last share of the training split held out for validation")
	seed := fs.Uint64("seed", 0, "seed of shuffling, dropout and the student's initialisation (default: the base model's)")
	fs.IntVar(&cf.tune.Workers, "workers", defaultWorkers(), "goroutines that share each batch")
	fs.IntVar(&cf.tune.Patience, "patience", 0, "distill, prune-units: stop after this many epochs without a better validation loss and keep the best (0 = run every epoch)")
	fs.StringVar(&cf.schedule, "schedule", "polynomial", "prune: polynomial (PolynomialDecay) or constant (ConstantSparsity)")
	fs.Float64Var(&cf.initial, "initial-sparsity", 0.2, "prune: PolynomialDecay initial sparsity")
	fs.Float64Var(&cf.final, "final-sparsity", 0.8, "prune: PolynomialDecay final sparsity")
	fs.Float64Var(&cf.power, "power", 3, "prune: PolynomialDecay power")
	fs.Float64Var(&cf.target, "target-sparsity", 0.8, "prune: ConstantSparsity target")
	fs.IntVar(&cf.frequency, "frequency", 100, "prune: steps between mask updates")
	fs.StringVar(&cf.tensors, "prune-tensors", strings.Join(compress.DefaultPruneTensors, ","), "prune: tensors to prune")
	fs.IntVar(&cf.keepUnits, "keep-units", 0, "prune-units: LSTM units to keep (default half)")
	fs.Float64Var(&cf.alpha, "alpha", 0.85, "distill: weight of the hard-label loss")
	fs.Float64Var(&cf.temp, "temperature", 1.5, "distill: temperature T")
	fs.IntVar(&cf.studentEmbed, "student-embed", 64, "distill: student embedding width")
	fs.IntVar(&cf.studentHidden, "student-hidden", 64, "distill: student LSTM units")
	fs.BoolVar(&cf.thesisLoss, "thesis-loss", false, "distill: the thesis's softmax over one unit (its distillation term is identically 0)")
	if err := parse(fs, args); err != nil {
		return err
	}
	methods, err := compress.ParseMethods(*method)
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
	cf.tune.Kernels = nn.DefaultKernels()
	cf.tune.Seed = ld.Meta.Provenance.Seed
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "seed" {
			cf.tune.Seed = *seed
		}
	})
	reviews, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	trainSet, testSet, err := splitData(ld, tok, reviews)
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
	return compressPipeline(ctx, ld, methods, trainSet, testSet, cf, *modelPath, *out, args, *asJSON)
}

func compressPipeline(ctx context.Context, ld *modelfile.Loaded, methods []string, trainSet, testSet train.Set, cf compressFlags,
	modelPath, out string, args []string, asJSON bool) error {
	t0 := time.Now()
	steps, err := compress.ReadPipeline(ld.Meta.Extra[compress.KeyPipeline])
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
		mt, err := evaluateLoaded(ctx, ld, testSet, cf.tune.Workers)
		if err != nil {
			return err
		}
		baseAcc = mt.Accuracy
	}
	m := ld.Model
	storage, sparse := compress.StoreF32, compress.NonZero(m) < m.NumParams()/2
	var sparsity []compress.TensorSparsity
	var newSteps []compress.Step
	for _, meth := range methods {
		ts := time.Now()
		st := compress.Step{Method: meth, Params: map[string]any{}}
		tune := cf.tune
		b := newBar()
		tune.Progress = func(pr train.Progress) {
			b.update(pr.Done, pr.Total, fmt.Sprintf("%s epoch %d/%d loss %.4f acc %.4f %.0f ex/s", meth, pr.Epoch, pr.Epochs, pr.Loss, pr.Accuracy, pr.ExamplesPerSec), pr.ETA)
		}
		if !compress.IsStorage(meth) {
			if meth == "prune" {
				tune.Patience = 0 // Prune refuses it; a pipeline's other steps may use it
			}
			st.Params["epochs"], st.Params["batch"], st.Params["lr"], st.Params["seed"] = tune.Epochs, tune.BatchSize, tune.LR, tune.Seed
			st.Params["val_split"], st.Params["patience"] = tune.ValSplit, tune.Patience
		}
		switch meth {
		case "prune":
			opt := compress.PruneOptions{Tensors: splitList(cf.tensors), Tune: tune}
			steps := tune.Epochs * tune.StepsPerEpoch(trainSet.N)
			if cf.schedule == "constant" {
				opt.Schedule = compress.ConstantSparsity{Target: cf.target, Begin: 0, End: steps, Frequency: cf.frequency}
			} else if cf.schedule == "polynomial" {
				opt.Schedule = compress.PolynomialDecay{Initial: cf.initial, Final: cf.final, Begin: 0, End: steps, Power: cf.power, Frequency: cf.frequency}
			} else {
				return fmt.Errorf("--schedule %q: want polynomial or constant", cf.schedule)
			}
			res, err := compress.Prune(ctx, m, trainSet, opt)
			b.done()
			if err != nil {
				return err
			}
			st.History = res.Fit.History
			st.Params["schedule"], st.Params["tensors"], st.Params["end_step"] = opt.Schedule, opt.Tensors, steps
			st.Params["final_target_sparsity"] = res.Target
			sparsity, sparse = res.Sparsities, true
		case "prune-units":
			keep := cf.keepUnits
			if keep == 0 {
				keep = m.Cfg.Hidden / 2
			}
			small, kept, err := compress.PruneUnits(m, keep)
			if err != nil {
				return err
			}
			res, err := compress.FineTune(ctx, small, trainSet, tune)
			if err != nil {
				return err
			}
			st.History, st.BestEpoch = res.History, res.BestEpoch
			b.done()
			st.Params["hidden_before"], st.Params["hidden"], st.Params["kept_units"] = m.Cfg.Hidden, keep, kept
			m = small
		case "distill":
			opt := compress.DistillOptions{Alpha: cf.alpha, T: cf.temp, Embed: cf.studentEmbed, Hidden: cf.studentHidden, Thesis: cf.thesisLoss, Tune: tune}
			student, res, err := compress.Distill(ctx, m, trainSet, opt)
			b.done()
			if err != nil {
				return err
			}
			st.History, st.BestEpoch = res.History, res.BestEpoch
			st.Params["alpha"], st.Params["temperature"], st.Params["student_embed"], st.Params["student_hidden"], st.Params["thesis_loss"] =
				opt.Alpha, opt.T, opt.Embed, opt.Hidden, opt.Thesis
			st.Params["teacher_params"] = m.NumParams()
			m, sparse, sparsity = student, false, nil
		case "int8", "int8-weights":
			storage = compress.StoreInt8
		case "f16":
			storage = compress.StoreF16
		}
		st.Seconds = time.Since(ts).Seconds()
		st.NumParams, st.NonZero = m.NumParams(), compress.NonZero(m)
		if !compress.IsStorage(meth) {
			mt, err := train.Evaluate(ctx, m, testSet, train.EvalOptions{BatchSize: 256, Workers: cf.tune.Workers, Kernels: nn.DefaultKernels()})
			if err != nil {
				return err
			}
			st.TestAccuracy = mt.Accuracy
			fmt.Fprintf(os.Stderr, "%s: test accuracy %.4f, %d of %d weights non-zero, %.0fs\n", meth, mt.Accuracy, st.NonZero, st.NumParams, st.Seconds)
		}
		newSteps = append(newSteps, st)
	}

	// Encode, decode what was encoded, and score that: the numbers are
	// those of the file, through the runtime its variant calls for.
	tensors, err := compress.Tensors(m, compress.EncodeOptions{Values: storage, Sparse: sparse})
	if err != nil {
		return err
	}
	var all []string
	for _, st := range append(steps, newSteps...) {
		all = append(all, st.Method)
	}
	variant := strings.Join(all, "+")
	meta := modelfile.Meta{Variant: variant, Preprocessing: ld.Meta.Preprocessing,
		Provenance: modelfile.Provenance{Seed: cf.tune.Seed, DataHash: ld.Meta.Provenance.DataHash,
			Command: "lab compress " + strings.Join(args, " "), Time: time.Now().UTC().Format(time.RFC3339)},
		Extra: map[string]string{}}
	for _, k := range []string{"preset", "test_frac", "train_limit"} {
		if v, ok := ld.Meta.Extra[k]; ok {
			meta.Extra[k] = v
		}
	}
	f, err := modelfile.NewFile(m.Cfg, ld.Vocab, meta, tensors)
	if err != nil {
		return err
	}
	dec, err := modelfile.Decode(f)
	if err != nil {
		return err
	}
	mt, err := evaluateLoaded(ctx, dec, testSet, cf.tune.Workers)
	if err != nil {
		return err
	}
	last := &newSteps[len(newSteps)-1]
	last.TestAccuracy = mt.Accuracy
	if compress.IsStorage(last.Method) {
		last.Seconds = time.Since(t0).Seconds() - sumSeconds(newSteps[:len(newSteps)-1])
	}
	seconds := time.Since(t0).Seconds()
	steps = append(steps, newSteps...)
	meta.Extra[compress.KeyPipeline] = compress.PipelineJSON(steps)
	meta.Metrics = map[string]float64{"test_accuracy": mt.Accuracy, "test_loss": mt.Loss, "test_n": float64(mt.N),
		"base_test_accuracy": baseAcc, "seconds": seconds}
	if f, err = modelfile.NewFile(m.Cfg, ld.Vocab, meta, tensors); err != nil {
		return err
	}
	if err := writeOut(out, f); err != nil {
		return err
	}
	size, _ := fileSize(out)
	baseSize, _ := fileSize(modelPath)
	o := compressOutput{Model: modelPath, Out: out, Method: variant, TestAccuracy: mt.Accuracy, TestLoss: mt.Loss,
		BaseTestAccuracy: baseAcc, AccuracyChange: mt.Accuracy - baseAcc, FileBytes: size, BaseFileBytes: baseSize,
		Params: m.NumParams(), NonZero: compress.NonZero(dec.Model), Seconds: seconds, Steps: newSteps, Sparsity: sparsity}
	fmt.Fprintf(os.Stderr, "%s: test accuracy %.4f (base %.4f, %+.2f points), loss %.4f; %d bytes (%.1f%% of %d); %d of %d weights non-zero; %.1fs\n",
		variant, mt.Accuracy, baseAcc, 100*(mt.Accuracy-baseAcc), mt.Loss, size, 100*float64(size)/float64(baseSize), baseSize, o.NonZero, o.Params, seconds)
	fmt.Fprintf(os.Stderr, "wrote %s\n", out)
	if asJSON {
		return printJSON(o)
	}
	return nil
}

func sumSeconds(steps []compress.Step) float64 {
	s := 0.0
	for _, st := range steps {
		s += st.Seconds
	}
	return s
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
func runGrid(ctx context.Context, path string, ld *modelfile.Loaded, trainSet, testSet train.Set, cf compressFlags, alphaList, tempList string, asJSON bool) error {
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
		opt := compress.DistillOptions{Alpha: c[0], T: c[1], Embed: cf.studentEmbed, Hidden: cf.studentHidden, Thesis: cf.thesisLoss, Tune: cf.tune}
		student, _, err := compress.Distill(ctx, ld.Model, trainSet, opt)
		if err != nil {
			return err
		}
		mt, err := train.Evaluate(ctx, student, testSet, train.EvalOptions{BatchSize: 256, Workers: cf.tune.Workers, Kernels: nn.DefaultKernels()})
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
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	b, _ := jsonLine(v)
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
