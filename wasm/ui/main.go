//go:build js && wasm

// Command ui is the lab's page (Vugu, main thread). It renders web.Root and
// sends every computation to the engine worker (assets/worker.js).
package main

import (
	"syscall/js"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/domrender"

	"sentilab/web"
)

func main() {
	renderer, err := domrender.New("#vugu_mount_point")
	if err != nil {
		panic(err)
	}
	defer renderer.Release()
	buildEnv, err := vugu.NewBuildEnv(renderer.EventEnv())
	if err != nil {
		panic(err)
	}
	root := &web.Root{Eng: web.NewWorkerEngine("worker.js"), Br: web.JSBrowser{}, Env: renderer.EventEnv()}
	root.Init()
	first := true
	for ok := true; ok; ok = renderer.EventWait() {
		if err := renderer.Render(buildEnv.RunBuild(root)); err != nil {
			panic(err)
		}
		if first {
			// The page answers clicks from here on: tests and the
			// benchmark read this as time to interactive.
			js.Global().Set("sentilabInteractive", js.Global().Get("performance").Call("now"))
			first = false
		}
	}
}
