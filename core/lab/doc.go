// Package lab is Sentilab's one orchestration of the core, shared by the
// command line (cmd/lab) and the browser engine (wasm/engine): presets and
// their overrides (Resolve), data preparation (Prepare), training with
// early stopping and restored best weights (Train, over core/train's one fit
// loop), evaluation with the runtime a variant ships with (Evaluate), and
// compression chains of any registered method (Compress, Methods), named
// the same everywhere (Chain, VariantName).
//
// The shells only translate their world into these calls: flags and files
// for the command line; messages, Web Workers and yielding to JS for the
// engine. Given the same preset, seed, data, worker count and kernel, both
// produce the same bits, because the gradient is computed by one rule
// (core/train's chunks.go) whichever of them runs it.
//
// Evaluation is honest about what a model has seen (issue 10). Train
// records the fingerprints of its training reviews (core/fingerprint), which
// the model file and every compressed variant carry; TrainingOf recognises
// a model's training reviews in any data by them (or, for older files, by
// re-deriving its recorded split on the same data), and ScoreSeen splits
// every score into the reviews it trained on and the unseen rest, with a
// note and the data it comes from (protocol.Evaluation). The lab's presets
// split by data.RuleGrouped, so exact duplicates never straddle the split;
// the thesis keeps its permutation split and reports its leak.
//
// Results are protocol types (stdlib only), so what this package returns
// is what the programs send each other.
package lab
