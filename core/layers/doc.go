// Package layers looks at a model one tensor at a time: what int8 and
// float16 storage do to each tensor (the error, relative to the tensor's
// own scale), how many of its weights are exactly zero, and how much the
// accuracy moves when only that tensor is int8-quantized or magnitude-
// pruned (its sensitivity). It also compares two variants tensor by tensor:
// weight histograms over a shared range, and a diff (changed share, max and
// RMS change).
//
// The int8 weights are the ones the lab's int8 file holds (compress.Tensors
// encoded and decoded again), so "only this tensor int8" is exactly the
// selective-quantization variant that keeps every other tensor in float32.
// Evaluation is the caller's (core/lab.Evaluate on a stated set): this
// package imports no data and decides no split.
package layers
