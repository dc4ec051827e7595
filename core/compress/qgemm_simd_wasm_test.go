//go:build js && wasm

package compress

import (
	"os"
	"sentilab/core/kernels"
	"testing"
)

// Under scripts/go_js_wasm_exec the SIMD int8 product is live, so
// TestQGemmPackedEqualsReference checks it (not the packed loop) against
// the plain int32 reference.
func TestQDotIsUsedInWasm(t *testing.T) {
	ok := kernels.QDot(make([]int32, 1), make([]int32, 4), make([]float32, 1), make([]float32, 4), make([]float32, 4), 1, 1, 1)
	if !ok && os.Getenv("SENTILAB_REQUIRE_SIMD") == "1" {
		t.Fatal("kernels.QDot unavailable (run with scripts/go_js_wasm_exec)")
	}
	if !ok {
		t.Skip("SIMD unavailable")
	}
}
