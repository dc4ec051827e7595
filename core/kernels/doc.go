// Package kernels holds the arithmetic the model spends its time in, chosen
// per build behind one value, Kernels: the float32 matrix products (Gemm,
// GemmBT) and the LSTM's gate math for one step (Cells, CellsBackward); the
// int8 runtime's products, quantizers, one-call step and its own gate math
// for core/compress (QDot, QDot8, QuantizeRows, QuantizePairs, QStep,
// QCells: int8.go, cells_q.go); and, beside it, Adam's vector step for core/nn.
//
// Natively: Portable (plain Go), Gonum (gonum's blas32) and Fast (AVX-512 or
// AVX2 assembly, written by cells_gen.go and gemm_gen.go: go generate). In
// WebAssembly: Portable, and SIMD128, which calls the module that
// core/kernels/simd128 builds, in Go's own memory (the host must set
// globalThis.sentilabGoMemory: assets/worker.js and scripts/go_js_wasm_exec
// do). Default picks the fastest of the build.
//
// Every kernel but Fast gives the Go loops' bits (kernels.go, cells.go,
// mathx.go): the same float32 operations in the same order, no fused
// multiply-add. That is what lets a native run and a wasm run end with
// bit-identical weights; every int8 kernel, QCells included, gives
// core/compress's Go loops' and cells_q.go's bits.
package kernels
