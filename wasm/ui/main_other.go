//go:build !js || !wasm

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "ui: build with GOOS=js GOARCH=wasm; the page loads it from index.html")
	os.Exit(2)
}
