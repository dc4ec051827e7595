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

// tanhR's constants (core/kernels/mathx_rational.go): the clamp, and the
// coefficients of its numerator (of x·P(x²)) and denominator (Q(x²)),
// highest power first.
const tanhClamp float32 = 7.90531110763549805

var (
	tanhNum = [7]float32{-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-08,
		1.48572235717979e-05, 6.37261928875436e-04, 4.89352455891786e-03}
	tanhDen = [4]float32{1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03}
)
