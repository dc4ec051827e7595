//go:build !js || !wasm

package web

// defaultClassNet is nil outside a browser: tests give ClassStep a Net.
func defaultClassNet() ClassNet { return nil }
