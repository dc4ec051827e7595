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
	mod := simd128Module()
	if *update {
		if err := os.WriteFile("simd128.wasm", mod, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old, err := os.ReadFile("simd128.wasm")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(old, mod) {
		t.Fatalf("simd128.wasm (%d bytes) is stale: run go test ./core/kernels/simd128 -run TestSIMD128Module -update", len(old))
	}
	if !bytes.HasPrefix(mod, []byte("\x00asm\x01\x00\x00\x00")) {
		t.Fatalf("module header %x", mod[:8])
	}
}
