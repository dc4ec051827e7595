//go:build js && wasm

// Command ui is the lab's page (Vugu, main thread). It renders web.Root and
// sends every computation to the engine worker (assets/worker.js).
package main

import (
	"fmt"
	"runtime/debug"
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
	root := web.NewRoot(web.NewWorkerEngine("worker.js"), web.JSBrowser{}, renderer.EventEnv())
	root.Init()
	first := true
	for ok := true; ok; ok = renderer.EventWait() {
		render(renderer, buildEnv, root)
		if first {
			// The page answers clicks from here on: tests and the
			// benchmark read this as time to interactive.
			js.Global().Set("sentilabInteractive", js.Global().Get("performance").Call("now"))
			first = false
		}
	}
}

// render builds and renders the page, then hands it what does not go
// through Vugu's render buffer (charts, long text). A failed render (Vugu
// refusing an instruction, a panic in a template's method) is shown in the
// crash banner with its reason; the program goes on, so the next change of
// state renders again instead of leaving a page that looks alive but is not.
func render(renderer *domrender.JSRenderer, buildEnv *vugu.BuildEnv, root *web.Root) {
	defer func() {
		if r := recover(); r != nil {
			root.Br.Crash(fmt.Sprintf("The page failed to draw: %v\n%s", r, debug.Stack()))
		}
	}()
	if err := renderer.Render(buildEnv.RunBuild(root)); err != nil {
		root.Br.Crash("The page failed to draw: " + err.Error())
	}
	root.AfterRender()
}
