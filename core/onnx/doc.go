// Package onnx exports a Sentilab classifier as an ONNX model, so it opens
// in Netron and runs in ONNX Runtime (or any ONNX runtime) without our code.
//
// The file is written with the protobuf wire format by hand (proto.go,
// model.go: only the onnx.proto messages and fields a classifier needs),
// so the package needs nothing beyond the standard library and the core.
//
// The graph (graph.go) uses standard ai.onnx ops only, opset 17:
//
//	tokens int64 [batch, max_len]
//	  → Where (ids outside [0, vocab) read as OOV, as our runtime does)
//	  → masked models only: TopK + GatherElements move the real tokens to
//	    the front in order, ReduceSum counts them for LSTM's sequence_lens
//	  → Transpose → Gather (embedding) → LSTM (gates reordered from Keras's
//	    i,f,c,o to ONNX's i,o,f,c) → Squeeze → Gemm → Squeeze → Sigmoid
//	  → logit, probability [batch]
//
// Float variants (base, f16, pruned, distilled: whatever decodes to float
// weights) store float32 initializers. Int8 variants keep their int8
// weights: the embedding rows are gathered as int8 and scaled per row, the
// kernels go through DequantizeLinear with their per-column scales; the
// arithmetic is float32 (our int8 runtime's per-step activation rounding is
// not reproduced; tests/onnx measures the difference).
//
// The vocabulary, the preprocessing spelled out step by step, the stopword
// list, the tokenizer's filters, max_len, padding and masking travel in the
// file's metadata_props (keys sentilab.*; see metadata.go and README.md).
package onnx
