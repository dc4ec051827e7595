// Package web is the lab's user interface: Vugu components (root.vugu) and
// the page state they render. It computes nothing: every request goes to the
// engine workers (wasm/engine) through Client, and charts are go-echarts
// options (JSON) that assets/main.js hands to echarts.min.js.
//
// The state a teacher may share (step, preset, hyperparameters, seed, chosen
// variants) is kept in the URL's query string (state.go).
package web

//go:generate go tool vugugen -s -skip-go-mod -skip-main .
//go:generate gofmt -w 0_components_gen.go
