//go:build !(js && wasm)

package simd128

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite simd128.wasm from simd128.go")

// TestSIMD128Module keeps the embedded simd128.wasm in step with its builder;
// TestSIMD128MatchesPortable (kernels_wasm_test.go, run under wasm) checks
// what it computes.
func TestSIMD128Module(t *testing.T) {
	for file, mod := range map[string][]byte{"simd128.wasm": simd128Module(), "simd128relaxed.wasm": relaxedModule()} {
		if *update {
			if err := os.WriteFile(file, mod, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		old, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(old, mod) {
			t.Fatalf("%s (%d bytes) is stale: run go test ./core/kernels/simd128 -run TestSIMD128Module -update", file, len(old))
		}
		if !bytes.HasPrefix(mod, []byte("\x00asm\x01\x00\x00\x00")) {
			t.Fatalf("%s: module header %x", file, mod[:8])
		}
	}
}
