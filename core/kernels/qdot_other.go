//go:build !amd64 && !(js && wasm)

package kernels

// withNativeInt8 is k: this architecture has no int8 assembly, and
// core/compress runs its Go loops.
func withNativeInt8(k Kernels) Kernels { return k }
