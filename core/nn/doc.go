// Package nn holds the LSTM sentiment classifier: the layers (Embedding,
// LSTM, Dropout, Dense) as forward/backward pairs of plain loops, the loss
// (sigmoid + binary cross-entropy from logits), the Adam optimiser and the
// Keras initialisers. Every product and the LSTM's gate math run on a
// kernels.Kernels value (core/kernels). Config.Tensors describes the
// weights (names, shapes, gate order) once, for Model and core/compress.
//
// Shapes are written in comments as B = batch, T = steps, E = embedding width,
// H = hidden units, V = vocabulary. Tensors are row-major []float32.
//
// Nothing here keeps global state: the kernels are a value chosen per build
// by kernels.Default, and kernels.Portable can be asked for anywhere, which is
// how native and WebAssembly runs give bit-identical weights.
package nn
