//go:build js && wasm

package compress

import (
	"os"
	"sentilab/core/kernels"
	"testing"
)

// Under scripts/go_js_wasm_exec (and go_js_wasm_chromium.mjs) the SIMD int8
// kernels are the default kernels', so TestQMatmulPathsEqualReference and TestQLogitsSameOnEveryPath
// check them (not only the packed loop) against the Go reference.
func TestQDotIsUsedInWasm(t *testing.T) {
	k := kernels.Default()
	ok := k.QDot != nil && k.QuantizePairs != nil && k.QStep != nil && k.QStepsRows != nil && k.QCells != nil
	if !ok && os.Getenv("SENTILAB_REQUIRE_SIMD") == "1" {
		t.Fatal("the SIMD int8 kernels are unavailable (run with scripts/go_js_wasm_exec)")
	}
	if !ok {
		t.Skip("SIMD unavailable")
	}
	// scripts/go_js_wasm_chromium.mjs runs these tests where relaxed SIMD
	// is (Chromium), so TestQSteps7EqualsGo and the Act7 paths check it.
	if k.QSteps7 == nil && os.Getenv("SENTILAB_REQUIRE_RELAXED") == "1" {
		t.Fatal("the relaxed SIMD kernel (QSteps7) is unavailable")
	}
}
