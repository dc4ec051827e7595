//go:build !amd64 && !(js && wasm)

package kernels

// QDot is the int8 runtime's SIMD product (qdot_amd64.go, kernels_wasm.go);
// here there is none, and core/compress uses its packed int64 loop.
func QDot(x, q []int32, xs, scale, out []float32, n, K2, N4 int) bool { return false }

// HasQDot8 reports whether QDot8 runs here: only on amd64 with VNNI.
func HasQDot8() bool { return false }

// QDot8 is qdot_amd64.go's VNNI product; here there is none.
func QDot8(x []int8, q, corr []int32, xs, scale, out []float32, n, K4, N16 int) bool {
	return false
}

// QuantizeRows is qdot_amd64.go's AVX2 activation quantizer; here there is
// none.
func QuantizeRows(a []float32, n, K int, q []int8, s []float32, sum []int32) bool { return false }

// QuantizePairs is kernels_wasm.go's SIMD128 quantizer; here there is none.
func QuantizePairs(a []float32, n, K int, words []int32, s []float32) bool { return false }

// QStep is kernels_wasm.go's one-call int8 LSTM step; only in the browser.
func QStep(xw []int32, xs []float32, qK []int32, sK []float32, h []float32, hw []int32, hs []float32,
	qR []int32, sR []float32, g, cprev, c, tc []float32, n, K2, H int) bool {
	return false
}

// HasQStep reports whether QStep runs here: only in the browser.
func HasQStep() bool { return false }
