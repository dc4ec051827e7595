// Package nn holds the LSTM sentiment classifier: float32 kernels, the layers
// (Embedding, LSTM, Dropout, Dense) as forward/backward pairs of plain loops,
// the loss (sigmoid + binary cross-entropy from logits) and the Adam optimiser.
//
// Shapes are written in comments as B = batch, T = steps, E = embedding width,
// H = hidden units, V = vocabulary. Tensors are row-major []float32.
//
// Nothing here keeps global state: the matmul backend is a value (Kernels)
// chosen per build by DefaultKernels, and Portable can be asked for anywhere,
// which is how native and WebAssembly runs give bit-identical weights.
package nn
