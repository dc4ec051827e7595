package simd128

import _ "embed"

// Module is the module built by simd128Module (simd128.go), kept in step
// with it by TestSIMD128Module.
//
//go:embed simd128.wasm
var Module []byte

// RelaxedModule is the relaxed SIMD module built by relaxedModule
// (simd128_relaxed.go), kept in step with it by TestSIMD128Module.
//
//go:embed simd128relaxed.wasm
var RelaxedModule []byte
