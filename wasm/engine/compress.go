package main

import (
	"context"
	"fmt"

	"sentilab/core/compress"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/train"
)

// compressReq makes a new variant from an existing one with one technique
// of core/compress.
type compressReq struct {
	Variant string `json:"variant"` // the source model
	Method  string `json:"method"`  // "int8", "f16", "prune", "distill"
	Name    string `json:"name"`    // default: source-method
	// prune
	InitialSparsity float64 `json:"initial_sparsity"` // default 0.2
	FinalSparsity   float64 `json:"final_sparsity"`   // default 0.8
	// fine-tuning (prune, distill)
	Epochs int `json:"epochs"` // default 1 (the thesis: 3)
	// distill
	Alpha  float64 `json:"alpha"`  // default 0.85
	T      float64 `json:"t"`      // default 1.5
	Embed  int     `json:"embed"`  // student; default half the teacher's
	Hidden int     `json:"hidden"` // student; default half the teacher's
	Thesis bool    `json:"thesis"` // the thesis's zero distillation term
}

type compressRes struct {
	Info   *variantInfo              `json:"info"`
	Fit    *train.Result             `json:"fit,omitempty"`
	Sparse []compress.TensorSparsity `json:"sparsity,omitempty"`
}

func (e *Engine) compress(ctx context.Context, p compressReq, progress Progress) (*compressRes, error) {
	src, err := e.variant(p.Variant)
	if err != nil {
		return nil, err
	}
	if p.Name == "" {
		p.Name = src.Name + "-" + p.Method
		if p.Method == "distill" && p.Thesis {
			p.Name += "-thesis"
		}
	}
	v := &variant{Name: e.uniqueName(p.Name), Tok: src.Tok, Kind: p.Method, Preset: src.Preset, Seed: src.Seed, split: src.split,
		Enc: compress.EncodeOptions{Values: compress.StoreF32, Sparse: src.Enc.Sparse}}
	res := &compressRes{}
	switch p.Method {
	case "int8", "f16":
		if src.Enc.Values != compress.StoreF32 && src.Enc.Values != "" {
			return nil, fmt.Errorf("%s is already stored as %s", src.Name, src.Enc.Values)
		}
		v.Enc.Values = compress.StoreInt8
		if p.Method == "f16" {
			v.Enc.Values = compress.StoreF16
		}
		// The variant computes with what its file holds: the weights after
		// a round trip through the encoding (int8 steps, float16 rounding).
		f, err := v.file(src.Model)
		if err != nil {
			return nil, err
		}
		ld, err := modelfile.Decode(f)
		if err != nil {
			return nil, err
		}
		v.Model = ld.Model
		if p.Method == "int8" {
			if v.Q, err = compress.NewQModel(ld); err != nil {
				return nil, err
			}
		}
	case "prune", "distill":
		if src.Enc.Values != compress.StoreF32 && src.Enc.Values != "" {
			return nil, fmt.Errorf("%s: fine-tune a float32 model, then quantize (a quantized model's steps would be lost)", src.Name)
		}
		set, err := e.trainSplit(ctx, src, progress)
		if err != nil {
			return nil, err
		}
		if p.Epochs == 0 {
			p.Epochs = 1
		}
		tune := compress.DefaultTune()
		tune.Epochs, tune.Seed = p.Epochs, src.Seed
		tune.Progress = func(pr train.Progress) {
			e.tick(ctx)
			progress(map[string]any{"phase": "train", "epoch": pr.Epoch, "epochs": pr.Epochs, "batch": pr.Batch, "batches": pr.Batches,
				"done": pr.Done, "total": pr.Total, "loss": pr.Loss, "accuracy": pr.Accuracy, "batch_loss": pr.BatchLoss,
				"examples_per_sec": pr.ExamplesPerSec, "eta_sec": pr.ETA.Seconds()})
		}
		if p.Method == "prune" {
			if p.InitialSparsity == 0 && p.FinalSparsity == 0 {
				p.InitialSparsity, p.FinalSparsity = 0.2, 0.8
			}
			m := cloneModel(src.Model)
			steps := tune.Epochs * tune.StepsPerEpoch(set.N)
			sched := compress.PolynomialDecay{Initial: p.InitialSparsity, Final: p.FinalSparsity, Begin: 0, End: steps, Power: 3,
				Frequency: max(1, min(100, steps/10))}
			if err := sched.Validate(); err != nil {
				return nil, err
			}
			pr, err := compress.Prune(ctx, m, set, compress.PruneOptions{Schedule: sched, Tune: tune})
			if err != nil {
				return nil, err
			}
			v.Model, v.Enc.Sparse, v.History, res.Fit, res.Sparse = m, true, pr.Fit.History, pr.Fit, pr.Sparsities
		} else {
			opt := compress.DefaultDistill()
			opt.Tune, opt.Thesis = tune, p.Thesis
			if p.Alpha != 0 {
				opt.Alpha = p.Alpha
			}
			if p.T != 0 {
				opt.T = p.T
			}
			opt.Embed, opt.Hidden = max(1, src.Model.Cfg.Embed/2), max(1, src.Model.Cfg.Hidden/2)
			if p.Embed > 0 {
				opt.Embed = p.Embed
			}
			if p.Hidden > 0 {
				opt.Hidden = p.Hidden
			}
			m, fit, err := compress.Distill(ctx, src.Model, set, opt)
			if err != nil {
				return nil, err
			}
			v.Model, v.History, res.Fit = m, fit.History, fit
		}
	default:
		return nil, fmt.Errorf("compress: unknown method %q (want int8, f16, prune or distill)", p.Method)
	}
	test, err := e.testSplit(ctx, v, progress)
	if err != nil {
		return nil, err
	}
	if v.Metrics, err = e.variantMetrics(ctx, v, test, progress); err != nil {
		return nil, err
	}
	e.putVariant(v)
	res.Info = e.info(v)
	return res, nil
}

func cloneModel(m *nn.Model) *nn.Model {
	c, _ := nn.NewModel(m.Cfg)
	for k, p := range c.Params() {
		copy(p.W, m.Params()[k].W)
	}
	return c
}

// splitSpec is how a trained variant's data was split, so its compressed
// children fine-tune on the same training rows and score on the same test.
type splitSpec struct {
	Seed       uint64
	TestFrac   float64
	TrainLimit int
}

func (s splitSpec) orDefault(seed uint64) splitSpec {
	if s.TestFrac == 0 {
		s.TestFrac = 0.2
	}
	if s.Seed == 0 {
		s.Seed = seed
	}
	if s.Seed == 0 {
		s.Seed = 42
	}
	return s
}

func (e *Engine) trainSplit(ctx context.Context, v *variant, progress Progress) (train.Set, error) {
	reviews, cleaned, err := e.dataset(ctx, progress)
	if err != nil {
		return train.Set{}, err
	}
	sp := v.split.orDefault(v.Seed)
	trX, _, trY, _, err := splitCleaned(reviews, cleaned, sp.TestFrac, sp.Seed)
	if err != nil {
		return train.Set{}, err
	}
	if sp.TrainLimit > 0 && sp.TrainLimit < len(trX) {
		trX, trY = trX[:sp.TrainLimit], trY[:sp.TrainLimit]
	}
	return train.Encode(v.Tok, trX, trY, v.Model.Cfg)
}

func (e *Engine) testSplit(ctx context.Context, v *variant, progress Progress) (train.Set, error) {
	reviews, cleaned, err := e.dataset(ctx, progress)
	if err != nil {
		return train.Set{}, err
	}
	sp := v.split.orDefault(v.Seed)
	_, teX, _, teY, err := splitCleaned(reviews, cleaned, sp.TestFrac, sp.Seed)
	if err != nil {
		return train.Set{}, err
	}
	return train.Encode(v.Tok, teX, teY, v.Model.Cfg)
}

// file encodes m (the variant's weights, or src's for a new encoding) as
// the variant's model file.
func (v *variant) file(m *nn.Model) (*modelfile.File, error) {
	if m == nil {
		m = v.Model
	}
	enc := v.Enc
	if enc.Values == "" {
		enc.Values = compress.StoreF32
	}
	ts, err := compress.Tensors(m, enc)
	if err != nil {
		return nil, err
	}
	return modelfile.NewFile(m.Cfg, v.Tok.Words(), v.meta(), ts)
}

// encodingOf reads a loaded file's storage back from its tensors' dtypes.
func encodingOf(f *modelfile.File) compress.EncodeOptions {
	enc := compress.EncodeOptions{Values: compress.StoreF32}
	for _, t := range f.Tensors {
		switch t.DType {
		case "I8":
			enc.Values = compress.StoreInt8
		case "F16":
			enc.Values = compress.StoreF16
		}
		if len(t.Name) > 5 && t.Name[len(t.Name)-5:] == ".mask" {
			enc.Sparse = true
		}
	}
	return enc
}
