package main

import (
	"context"
	"runtime"

	"sentilab/core/compress"
	"sentilab/core/kernels"
	"sentilab/core/lab"
	"sentilab/core/nn"
	"sentilab/core/train"
	"sentilab/protocol"
)

// train runs a preset with the request's overrides through lab.Train, the
// command line's path: the same preset, seed, data, worker count and
// kernel give the same weights. Workers > 1 shares each batch with helper
// engines (shard.go).
func (e *Engine) train(ctx context.Context, p protocol.TrainRequest, progress Progress) (*protocol.TrainResult, error) {
	if p.Preset == "" {
		p.Preset = "classroom"
	}
	plan, err := lab.Resolve(p.Preset, lab.RequestOverrides(p))
	if err != nil {
		return nil, err
	}
	kernels, err := lab.Kernels(p.Kernels)
	if err != nil {
		return nil, err
	}
	corpus, err := e.corpus(ctx, progress)
	if err != nil {
		return nil, err
	}
	o := lab.RunOptions{Workers: max(1, p.Workers), EvalWorkers: 1, Kernels: kernels, Pause: e.pause(ctx), MaxBatches: p.MaxBatches,
		Tokenize: func(trainRows, testRows int) {
			progress(protocol.TokenizeProgress{Phase: protocol.PhaseTokenize, TrainRows: trainRows, TestRows: testRows})
		},
		Progress: func(pr train.Progress) {
			progress(trainProgress(pr))
			if pr.Batch == pr.Batches {
				collect() // the steps' garbage, before the validation's workspace
			}
		},
		EpochEnd: func(h []train.Epoch) {
			progress(protocol.EpochProgress{Phase: protocol.PhaseEpoch, History: h})
			collect() // the validation's garbage, before the next epoch or the test split
		},
		EvalProgress: func(done, total int) {
			progress(protocol.CountProgress{Phase: protocol.PhaseEvaluate, Done: done, Total: total})
		}}
	// The tokenizer's garbage goes before the model, Adam, gradients and
	// workspaces are allocated.
	o.BeforeFit = func(*nn.Model, train.Set, train.Options) error { collect(); return nil }
	if o.Workers > 1 {
		l := &leader{e: e}
		o.BeforeFit = func(m *nn.Model, set train.Set, opt train.Options) error {
			collect()
			return l.init(m, set, opt)
		}
		o.Grad = l.grad
		o.ValLogits = l.valLogits
	}
	// The trainer's gradients and Adam, before the test split is scored
	// (in the trainer's workspace, core/lab.Train).
	o.AfterFit = collect
	e.evalWS.Drop()
	collect() // the EDA's garbage and evaluate's workspaces, before the split and the tokenizer
	tr, err := lab.Train(ctx, corpus, plan, o)
	if err != nil {
		return nil, err
	}
	name := p.Name
	if name == "" {
		name = "base"
	}
	tr.TestEval.Data = e.testData(plan.Split()) // with the data's name
	v := &variant{Name: name, Model: tr.Model, Tok: tr.Tok, Kind: "trained", Chain: lab.ChainName(nil), Preset: plan.Name, Seed: plan.Seed, Workers: o.Workers,
		Metrics: tr.Test, History: tr.Fit.History, Data: tr.TrainHash, Enc: compress.EncodeOptions{Values: compress.StoreF32}, split: plan.Split(),
		MetricsData: tr.TestEval.Data, Eval: tr.TestEval, fp: tr.Fingerprints}
	e.putVariant(v)
	return &protocol.TrainResult{Variant: name, History: tr.Fit.History, BestEpoch: tr.Fit.BestEpoch, Test: tr.Test, Seconds: tr.Fit.Seconds,
		EPS: tr.Fit.ExamplesPerSec, Params: tr.Model.NumParams(), Train: tr.TrainN, Config: lab.ConfigJSON(tr.Model.Cfg), Info: e.info(v),
		TestEval: tr.TestEval}, nil
}

// collect runs a whole garbage collection now, between phases, so that the
// next phase's memory reuses the last one's garbage. A wasm memory grows
// and never shrinks, and Go's collector runs concurrently: a phase that
// allocates tens of MB right after another one ended (training's buffers
// after the tokenizer's word lists, the test evaluation's workspace after
// training's) grew the memory before the garbage was swept (issue 11,
// BENCHMARKS.md). A collection of the engine's heap, mostly pointer-free,
// takes milliseconds to tens of them.
func collect() { runtime.GC() }

// trainProgress is a fit's progress as the page reads it.
func trainProgress(pr train.Progress) protocol.TrainProgress {
	return protocol.TrainProgress{Phase: protocol.PhaseTrain, Epoch: pr.Epoch, Epochs: pr.Epochs, Batch: pr.Batch, Batches: pr.Batches,
		Done: pr.Done, Total: pr.Total, Loss: pr.Loss, Accuracy: pr.Accuracy, BatchLoss: pr.BatchLoss,
		ExamplesPerSec: pr.ExamplesPerSec, ETASec: pr.ETA.Seconds()}
}

// evalOptions score with one worker, yielding to JS between batches and
// reporting progress.
func (e *Engine) evalOptions(ctx context.Context, progress Progress) lab.EvalOptions {
	return lab.EvalOptions{Workers: 1, Pause: e.pause(ctx), Reuse: &e.evalWS, Progress: func(done, total int) {
		progress(protocol.CountProgress{Phase: protocol.PhaseEvaluate, Done: done, Total: total})
	}}
}

// presetList is core/lab's presets for the page's form, and the kernel.
func presetList() *protocol.PresetsResult {
	var out []protocol.Preset
	for _, p := range lab.Presets() {
		out = append(out, p.Protocol())
	}
	// kernel: "simd128", or "portable" in a browser without WebAssembly
	// SIMD, where everything computes several times slower.
	return &protocol.PresetsResult{Presets: out, Kernel: kernels.Default().Name, Relaxed: kernels.Default().QSteps7 != nil}
}
