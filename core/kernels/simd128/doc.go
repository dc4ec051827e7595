// Package simd128 builds, byte by byte, the small WebAssembly module of
// 128-bit SIMD kernels that the browser build calls instead of its scalar
// Go loops (simd128.go says how and why), and embeds the result as Module.
//
// The builder (wasmasm.go, a minimal WebAssembly function assembler, and
// simd128*.go) is compiled natively only: compiled to wasm it would add
// 250 KB to engine.wasm. The js/wasm build of core/kernels instantiates
// Module in Go's own memory. After a change to the builder:
//
//	go test ./core/kernels/simd128 -run TestSIMD128Module -update
package simd128
