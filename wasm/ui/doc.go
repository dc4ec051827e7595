// Command ui is the lab's page: Vugu's DOM renderer over web.Root, built for
// js/wasm only (main.go). See web/ for the components.
package main
