package main

import (
	"context"
	"fmt"

	"sentilab/core/compress"
	"sentilab/core/lab"
	"sentilab/core/modelfile"
	"sentilab/core/train"
	"sentilab/protocol"
)

// compress makes a new variant from an existing one with a chain of
// core/lab's methods, fine-tuned on the source's training split and scored
// on its test split, as `lab compress` does.
func (e *Engine) compress(ctx context.Context, p protocol.CompressRequest, progress Progress) (*protocol.CompressResult, error) {
	src, err := e.variant(p.Variant)
	if err != nil {
		return nil, err
	}
	if src.B != nil {
		return nil, fmt.Errorf("compress: %s is the TF-IDF baseline; quantization, pruning and distillation shrink an LSTM", p.Variant)
	}
	methods, err := lab.ParseChain(p.Method)
	if err != nil {
		return nil, err
	}
	trainSet, testSet, err := e.sets(ctx, src, progress)
	if err != nil {
		return nil, err
	}
	k, err := lab.Kernels(p.Kernels)
	if err != nil {
		return nil, err
	}
	params := lab.DefaultParams()
	params.Tune.Kernels = k
	params.Tune.Seed = src.Seed
	params.Tune.Progress = func(pr train.Progress) {
		e.tick(ctx) // the fit checks ctx itself; this gives JS its turn
		progress(trainProgress(pr))
	}
	set := func(dst *float64, v float64) {
		if v != 0 {
			*dst = v
		}
	}
	if p.Epochs != 0 {
		params.Tune.Epochs = p.Epochs
	}
	set(&params.InitialSparsity, p.InitialSparsity)
	set(&params.FinalSparsity, p.FinalSparsity)
	set(&params.Alpha, p.Alpha)
	set(&params.Temperature, p.T)
	params.StudentEmbed, params.StudentHidden, params.ThesisLoss = p.Embed, p.Hidden, p.Thesis
	params.KeepUnits = p.KeepUnits
	params.KeepFloat = p.KeepFloat
	corpus, err := e.corpus(ctx, progress)
	if err != nil {
		return nil, err
	}
	texts, err := corpus.TestTexts(src.split)
	if err != nil {
		return nil, err
	}
	e.evalWS.Drop() // the memory is the fine-tuning's now
	res, err := lab.Compress(ctx, lab.ChainInput{Source: src.Model, SourceEnc: src.Enc, Prior: src.Steps, Vocab: src.Tok.Words(),
		Train: trainSet, Test: testSet, TestTexts: texts, Training: lab.TrainingOf(src.fp, src.split, src.Data, corpus), TestData: e.testData(src.split),
		Params: params, Eval: lab.EvalOptions{Workers: 1, Kernels: k, Pause: e.pause(ctx)}}, methods)
	if err != nil {
		return nil, err
	}
	name := p.Name
	if name == "" {
		name = lab.VariantName(src.Name, methods, params)
	}
	v := &variant{Name: e.uniqueName(name), Model: res.Model, Q: res.Q, Tok: src.Tok, Kind: lab.ChainName(methods), Chain: res.Chain,
		Steps: append(append([]compress.Step(nil), src.Steps...), res.Steps...), Preset: src.Preset, Seed: src.Seed, Workers: src.Workers, Metrics: res.Test,
		Data: src.Data, Enc: res.Enc, split: src.split, fp: src.fp, MetricsData: e.testData(src.split),
		Eval: res.TestEval}
	if res.Fit != nil {
		v.History = res.Fit.History
	}
	e.putVariant(v)
	out := &protocol.CompressResult{Info: e.info(v), Fit: res.Fit}
	for _, s := range res.Sparsity {
		out.Sparse = append(out.Sparse, protocol.TensorSparsity(s))
	}
	return out, nil
}

// sets are a variant's training and test splits of the loaded data,
// encoded with its vocabulary.
func (e *Engine) sets(ctx context.Context, v *variant, progress Progress) (trainSet, testSet train.Set, err error) {
	corpus, err := e.corpus(ctx, progress)
	if err != nil {
		return trainSet, testSet, err
	}
	return corpus.Sets(v.split, v.Tok, v.Model.Cfg, "")
}

// file encodes the variant as its model file.
func (v *variant) file() (*modelfile.File, error) {
	if v.B != nil {
		return modelfile.EncodeBaseline(v.B, v.bmeta)
	}
	ts, err := compress.Tensors(v.Model, v.Enc)
	if err != nil {
		return nil, err
	}
	return modelfile.NewFile(v.Model.Cfg, v.Tok.Words(), v.meta(), ts)
}
