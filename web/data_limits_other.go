//go:build !js || !wasm

package web

// tabMemory outside a browser (the unit tests): unknown, so the floor.
func tabMemory() int64 { return 0 }
