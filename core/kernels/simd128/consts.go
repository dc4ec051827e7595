//go:build !(js && wasm)

package simd128

// exp32's range-reduction constants (core/kernels/mathx.go), which the
// vector exp must share to give its bits; TestSIMD128MatchesPortable
// (core/kernels, under wasm) checks that it does.
const (
	log2e = 1.44269504088896341
	ln2hi = 0.693145751953125
	ln2lo = 1.428606820309417e-06
)
