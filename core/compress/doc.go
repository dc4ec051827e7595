// Package compress shrinks a trained classifier the ways the thesis did, and
// measures what each costs:
//
//   - float16: IEEE binary16 storage, float32 compute (EncodeF16);
//   - int8 dynamic-range (TFLite's DRQ): symmetric int8 weights with a float32
//     scale per embedding row and per output column of the kernels
//     (QuantizeRows, QuantizeCols, EncodeInt8). Two runtimes read that file:
//     "int8-weights" dequantizes to float32 and runs the float model;
//     "int8" (QModel) keeps the int8 weights and quantizes activations on the
//     fly per timestep, running int8×int8→int32 products (AVX-512 VNNI or
//     AVX2 natively, SIMD128 in the browser, a packed int64 loop elsewhere:
//     exact sums and the same float32 steps, so every path gives the same
//     logits; qmatmul.go);
//   - magnitude pruning as TF-MOT does it (PolynomialDecay, ConstantSparsity,
//     Pruner), stored sparse (mask + values) so the file really shrinks, and
//     structured pruning of whole LSTM units (PruneUnits);
//   - knowledge distillation in its correct binary form, with the thesis's
//     softmax-over-one-unit form beside it to show it is identically zero
//     (DistillLoss);
//   - pipelines of the above, each step recorded (Step).
//
// Nothing here does file I/O: the command line and the browser engine pass
// models, data sets and io.Readers/io.Writers.
package compress
