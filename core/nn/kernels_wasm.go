//go:build js && wasm

package nn

// DefaultKernels is the fastest kernel of this build: in js/wasm the portable
// blocked loop beats gonum's pure-Go blas32 by ~3× (STACK.md).
func DefaultKernels() Kernels { return Portable }
