//go:build !js || !wasm

package main

import (
	"fmt"
	"os"
)

// The engine is a Web Worker program; natively only its tests run.
func main() {
	fmt.Fprintln(os.Stderr, "engine: build with GOOS=js GOARCH=wasm and run in assets/worker.js")
	os.Exit(2)
}
