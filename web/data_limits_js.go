//go:build js && wasm

package web

import "syscall/js"

// tabMemory is what the browser says of the memory a tab may use, in
// bytes: navigator.deviceMemory (Chromium; GiB, rounded down, at most 8),
// else performance.memory.jsHeapSizeLimit; 0 when it says neither.
func tabMemory() int64 {
	if m := js.Global().Get("navigator").Get("deviceMemory"); m.Type() == js.TypeNumber && m.Float() > 0 {
		return int64(m.Float() * (1 << 30))
	}
	if pm := js.Global().Get("performance").Get("memory"); pm.Type() == js.TypeObject {
		if l := pm.Get("jsHeapSizeLimit"); l.Type() == js.TypeNumber && l.Float() > 0 {
			return int64(l.Float())
		}
	}
	return 0
}
