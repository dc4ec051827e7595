package lab

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sentilab/core/compress"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/train"
	"sentilab/protocol"
)

// Method is one compression method. Each lives in its own file
// (method_*.go) that registers it; a chain is any sequence of them with
// storage methods last.
type Method struct {
	Name  string
	About string
	// Storage, if set, makes this a storage method: it only changes how
	// the weights are stored (int8, float16), so it ends a chain: what
	// followed would train or re-encode the float weights.
	Storage compress.Storage
	// Run transforms st (nil for storage methods) and returns the
	// parameters to record in the model file's pipeline.
	Run func(ctx context.Context, st *State, p Params) (map[string]any, error)
	// Float, if set on a storage method, names the tensors it stores as
	// float32 (selective quantization) and returns the parameters to record.
	Float func(ctx context.Context, st *State, in ChainInput) ([]string, map[string]any, error)
}

var registry []Method

// Register adds a method; a name registered twice is a programming error.
func Register(m Method) {
	if _, ok := lookupMethod(m.Name); ok || m.Name == "" || (m.Run == nil) == (m.Storage == "") {
		panic("lab: bad or duplicate compression method " + m.Name)
	}
	registry = append(registry, m)
}

func lookupMethod(name string) (Method, bool) {
	for _, m := range registry {
		if m.Name == name {
			return m, true
		}
	}
	return Method{}, false
}

// MethodNames lists the registered methods.
func MethodNames() []string {
	var out []string
	for _, m := range registry {
		out = append(out, m.Name)
	}
	return out
}

// ParseChain splits "prune,distill,int8" and checks it: known methods,
// storage methods only last.
func ParseChain(s string) ([]string, error) {
	want := strings.Join(MethodNames(), ", ")
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if _, ok := lookupMethod(f); !ok {
			return nil, fmt.Errorf("unknown method %q (want %s)", f, want)
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no method given (want one or more of %s, comma-separated)", want)
	}
	for i, name := range out[:len(out)-1] {
		if m, _ := lookupMethod(name); m.Storage != "" {
			return nil, fmt.Errorf("method %q is step %d of %d: a storage method (%s) must be the last step", name, i+1, len(out), strings.Join(storageNames(), ", "))
		}
	}
	return out, nil
}

// storageNames lists the storage methods (int8, int8-weights, f16, selective).
func storageNames() []string {
	var out []string
	for _, m := range registry {
		if m.Storage != "" {
			out = append(out, m.Name)
		}
	}
	return out
}

// ChainName is how model files, the manifest and the page name what made
// a variant: its methods joined by "+" ("prune+distill+int8"; "base" for a
// trained model).
func ChainName(methods []string) string {
	if len(methods) == 0 {
		return "base"
	}
	return strings.Join(methods, "+")
}

// VariantName is a new variant's default name: the source's, then the
// methods joined by "-" ("base-prune-int8"), and "-thesis" for the
// thesis's distillation loss.
func VariantName(source string, methods []string, p Params) string {
	name := source + "-" + strings.Join(methods, "-")
	if p.ThesisLoss && strings.Contains(","+strings.Join(methods, ",")+",", ",distill,") {
		name += "-thesis"
	}
	return name
}

// Params are the methods' settings; DefaultParams gives the thesis's.
type Params struct {
	// Tune fine-tunes the methods that train (prune, prune-units, distill).
	Tune compress.Tune
	// prune: "polynomial" (PolynomialDecay Initial → Final, Power) or
	// "constant" (ConstantSparsity Target); a mask update every Frequency
	// steps (0 = a tenth of the steps, at most 100); Tensors nil =
	// compress.DefaultPruneTensors.
	Schedule                              string
	InitialSparsity, FinalSparsity, Power float64
	TargetSparsity                        float64
	Frequency                             int
	Tensors                               []string
	// prune-units: LSTM units to keep; 0 = half.
	KeepUnits int
	// distill: α, T, the student's widths (0 = half the teacher's) and the
	// thesis's identically-zero loss.
	Alpha, Temperature          float64
	StudentEmbed, StudentHidden int
	ThesisLoss                  bool
	// selective: the tensors kept in float32; nil = the one whose int8
	// quantization alone costs the most accuracy (method_selective.go).
	KeepFloat []string
}

// DefaultParams are the thesis's settings: 3 fine-tune epochs, pruning
// 20% → 80% (power 3), distillation α 0.85, T 1.5, a half-size student.
func DefaultParams() Params {
	return Params{Tune: compress.DefaultTune(), Schedule: "polynomial", InitialSparsity: 0.2, FinalSparsity: 0.8, Power: 3,
		TargetSparsity: 0.8, Alpha: 0.85, Temperature: 1.5}
}

// State is the variant a chain is making.
type State struct {
	Model    *nn.Model
	Sparse   bool      // store zeros as a mask
	Train    train.Set // the source's training split, to fine-tune on
	Sparsity []compress.TensorSparsity
	Fit      *train.Result // of the last method that trained
}

// ChainInput is what a chain starts from.
type ChainInput struct {
	Source    *nn.Model
	SourceEnc compress.EncodeOptions // how the source's file stores it
	Prior     []compress.Step        // the steps that made the source
	Vocab     []string
	Train     train.Set // the source's training split (fine-tuning)
	Test      train.Set // its test split (scores)
	// TestTexts, if set, are the raw texts of Test's rows: the final score
	// is then split by Training, the source's training reviews, into
	// Compressed.TestEval, described as TestData.
	TestTexts []string
	Training  Training
	TestData  string
	Params    Params
	Eval      EvalOptions
	// StepStart and StepEnd, if set, run around every method.
	StepStart func(method string)
	StepEnd   func(st compress.Step)
}

// Compressed is a chain's result, scored as its file holds it.
type Compressed struct {
	Chain    string           // the whole chain, the source's steps included
	Model    *nn.Model        // the weights as the file stores them (dequantized, rounded)
	Q        *compress.QModel // the int8 runtime, when the chain ends in int8
	Enc      compress.EncodeOptions
	Tensors  []modelfile.Tensor
	Steps    []compress.Step // this run's steps; the last one scored through the file
	Sparsity []compress.TensorSparsity
	Fit      *train.Result // of the last method that trained
	Test     *train.Metrics
	TestEval *protocol.Evaluation // Test split by the training reviews, when ChainInput.TestTexts is set
}

// Compress runs methods on a copy of in.Source. Every step but the last is
// scored on the test split as a float model; the last one is scored
// through its encoded file, with the runtime the chain calls for.
func Compress(ctx context.Context, in ChainInput, methods []string) (*Compressed, error) {
	if in.SourceEnc.Values != "" && in.SourceEnc.Values != compress.StoreF32 {
		return nil, fmt.Errorf("the source is stored as %s: compress a float32 model (a quantized model's steps would be lost)", in.SourceEnc.Values)
	}
	st := &State{Model: clone(in.Source), Train: in.Train, Sparse: in.SourceEnc.Sparse || compress.NonZero(in.Source) < in.Source.NumParams()/2}
	enc := compress.EncodeOptions{Values: compress.StoreF32}
	out := &Compressed{}
	var all []string
	for _, s := range in.Prior {
		all = append(all, s.Method)
	}
	for i, name := range methods {
		m, ok := lookupMethod(name)
		if !ok {
			return nil, fmt.Errorf("unknown method %q", name)
		}
		if in.StepStart != nil {
			in.StepStart(name)
		}
		t0 := time.Now()
		step := compress.Step{Method: name, Params: map[string]any{}}
		if m.Storage != "" {
			enc.Values = m.Storage
			if m.Float != nil {
				names, params, err := m.Float(ctx, st, in)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
				enc.Float, step.Params = names, params
			}
		} else {
			st.Fit = nil
			params, err := m.Run(ctx, st, in.Params)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			step.Params = params
			if st.Fit != nil {
				step.History, step.BestEpoch = st.Fit.History, st.Fit.BestEpoch
				out.Fit = st.Fit
			}
		}
		all = append(all, name)
		step.NumParams, step.NonZero = st.Model.NumParams(), compress.NonZero(st.Model)
		if i < len(methods)-1 {
			mt, err := Evaluate(ctx, st.Model, nil, in.Test, in.Eval)
			if err != nil {
				return nil, err
			}
			step.TestAccuracy = mt.Accuracy
		} else if err := out.finish(ctx, st, enc, ChainName(all), in); err != nil {
			return nil, err
		} else {
			// The last step is what the file holds: int8 rounds small
			// weights to zero.
			step.TestAccuracy, step.NonZero = out.Test.Accuracy, compress.NonZero(out.Model)
		}
		step.Seconds = time.Since(t0).Seconds()
		out.Steps = append(out.Steps, step)
		if in.StepEnd != nil {
			in.StepEnd(step)
		}
	}
	out.Chain, out.Sparsity = ChainName(all), st.Sparsity
	return out, nil
}

// finish encodes the variant, decodes what was encoded and scores that:
// the numbers are the file's, through the runtime its chain calls for.
func (out *Compressed) finish(ctx context.Context, st *State, enc compress.EncodeOptions, chain string, in ChainInput) error {
	enc.Sparse = st.Sparse
	tensors, err := compress.Tensors(st.Model, enc)
	if err != nil {
		return err
	}
	f, err := modelfile.NewFile(st.Model.Cfg, in.Vocab, modelfile.Meta{Variant: chain}, tensors)
	if err != nil {
		return err
	}
	ld, err := modelfile.Decode(f)
	if err != nil {
		return err
	}
	out.Model, out.Enc, out.Tensors = ld.Model, enc, tensors
	if Runtime(chain) == RuntimeInt8 {
		if out.Q, err = compress.NewQModel(ld); err != nil {
			return err
		}
	}
	if in.TestTexts == nil {
		out.Test, err = Evaluate(ctx, out.Model, out.Q, in.Test, in.Eval)
		return err
	}
	if out.TestEval, err = EvaluateSeen(ctx, out.Model, out.Q, in.Test, in.TestTexts, in.Training, in.TestData, in.Eval); err != nil {
		return err
	}
	out.Test = out.TestEval.Metrics
	return nil
}

// tuneParams records the fine-tuning settings of a method that trains.
func tuneParams(t compress.Tune) map[string]any {
	return map[string]any{"epochs": t.Epochs, "batch": t.BatchSize, "lr": t.LR, "seed": t.Seed, "val_split": t.ValSplit, "patience": t.Patience}
}

func clone(m *nn.Model) *nn.Model {
	c, _ := nn.NewModel(m.Cfg)
	for k, p := range c.Params() {
		copy(p.W, m.Params()[k].W)
	}
	return c
}
