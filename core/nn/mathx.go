package nn

import "math"

// The activations and the initialisers use these hand-written functions rather
// than package math: on amd64 math.Exp and math.Log are assembly, in wasm pure
// Go, and the last bit can differ. Plain float32/float64 arithmetic rounds the
// same everywhere (Go fuses no multiply-add unless asked on amd64 and wasm; the
// explicit float32() conversions forbid it on other targets too), which is what
// lets a native run and a wasm run end with bit-identical weights.

// Square roots are correctly rounded by IEEE 754 on every target.
func sqrt64(x float64) float64 { return math.Sqrt(x) }
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
