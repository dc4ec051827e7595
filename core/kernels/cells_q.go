package kernels

// The int8 runtime's gate math (Kernels.QCells). Its products already
// carry int8 rounding (a hidden state kept to 1/127 of its row's largest
// value), so exp32's last bits buy nothing there, and at batch 1 the five
// exp32s and divisions of each unit were a third of an int8 prediction in
// the browser. tanhR is Eigen's float tanh (generic_fast_tanh_float): a
// 13/6-degree rational, accurate to a couple of ulp, ±1 in float32 beyond
// ±7.9; one division and no exponent. sigmoidR is
// ½ + ½·tanhR(x/2). Plain float32 operations in a fixed order, so the Go
// loop, AVX (cells_gen.go) and SIMD128 (core/kernels/simd128) give the same
// bits; TestQActivationsAccuracy bounds the error against math.Tanh.

// tanhClamp bounds tanhR's argument where the rational reaches 1 (Eigen's
// bound: between it and 9 the rational overshoots 1 by an ulp or two,
// which would make sigmoidR slightly negative).
const tanhClamp float32 = 7.90531110763549805

// tanhR's numerator x·P(x²) and denominator Q(x²), highest power first
// (Horner's order); core/kernels/simd128 and cells_gen.go repeat them.
var (
	tanhNum = [7]float32{-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-08,
		1.48572235717979e-05, 6.37261928875436e-04, 4.89352455891786e-03}
	tanhDen = [4]float32{1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03}
)

// tanhR is tanh(x) within a few ulp. NaN stays NaN, ±Inf gives ±1.
func tanhR(x float32) float32 {
	if x > tanhClamp {
		x = tanhClamp
	}
	if x < -tanhClamp {
		x = -tanhClamp
	}
	x2 := x * x
	p := tanhNum[0]
	for _, a := range tanhNum[1:] {
		p = float32(p*x2) + a
	}
	p *= x
	q := tanhDen[0]
	for _, b := range tanhDen[1:] {
		q = float32(q*x2) + b
	}
	return p / q
}

// sigmoidR is 1/(1+e^-x) as ½ + ½·tanh(x/2), within ~1e-7.
func sigmoidR(x float32) float32 {
	return float32(tanhR(x*0.5)*0.5) + 0.5
}

// lstmCellsQ is lstmCells with sigmoidR and tanhR: the same loop, the same
// order of the cell's products (which decides a NaN's payload), other
// activations. A copy, not one loop taking the activations as functions:
// the calls through function values cost the Go loops 8–11% natively and
// 24% in wasm, where the portable kernel trains with lstmCells.
func lstmCellsQ(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	G := 4 * H
	for r := 0; r < n; r++ {
		ar := a[r*G : (r+1)*G]
		ig, fg, gg, og := ar[:H], ar[H:2*H], ar[2*H:3*H], ar[3*H:G]
		cr, tr, hr := cOut[r*H:(r+1)*H], tcOut[r*H:(r+1)*H], hOut[r*H:(r+1)*H]
		for j := 0; j < H; j++ {
			i := sigmoidR(ig[j])
			f := sigmoidR(fg[j])
			g := tanhR(gg[j])
			o := sigmoidR(og[j])
			ig[j], fg[j], gg[j], og[j] = i, f, g, o
			cv := i * g
			if cprev != nil {
				cv = float32(f*cprev[r*H+j]) + float32(i*g)
			}
			tc := tanhR(cv)
			cr[j], tr[j], hr[j] = cv, tc, o*tc
		}
	}
}
