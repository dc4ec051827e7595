//go:build js && wasm

package main

import (
	"syscall/js"
	"unsafe"
)

// A review's text comes into Go through TextEncoder.encodeInto, written
// straight into Go's memory. js.Value.String goes through
// TextEncoder.encode, which makes a new Uint8Array for every string that Go
// then copies: in Chromium 156 that was 10–28 µs for a 1,360-character
// review against 1.3–2.6 µs for encodeInto, and in a profile of the Try
// step's predictions the largest named part of their cost outside the
// model (issue 12, BENCHMARKS.md "Session 15").

// goStrings reads JS strings into Go through a view of a scratch buffer
// in Go's memory.
type goStrings struct {
	encodeInto js.Value // TextEncoder.prototype.encodeInto bound to an encoder
	mem        js.Value // Go's WebAssembly.Memory (sentilabGoMemory), if the page set it
	buf        []byte   // the scratch
	view       js.Value // a Uint8Array over buf; detached once the memory grows
	slow       int      // strings read through v.String (for the tests)
}

var jsStrings = newGoStrings()

func newGoStrings() *goStrings {
	enc := js.Global().Get("TextEncoder").New()
	return &goStrings{encodeInto: enc.Get("encodeInto").Call("bind", enc), mem: js.Global().Get("sentilabGoMemory")}
}

// String is v.String() for a JS string v.
func (s *goStrings) String(v js.Value) string {
	if !s.mem.Truthy() {
		return v.String()
	}
	if s.buf == nil {
		s.buf = make([]byte, 16<<10) // IMDB's longest review: 13,704 bytes
	}
	for range 2 {
		if s.view.IsUndefined() {
			s.view = jsU8.New(s.mem.Get("buffer"), int(uintptr(unsafe.Pointer(&s.buf[0]))), len(s.buf))
		}
		// encodeInto stops before a character that does not fit (at most
		// 4 bytes): room left means it read the whole string.
		n := s.encodeInto.Invoke(v, s.view).Get("written").Int()
		if n > 0 && n < len(s.buf)-4 {
			return string(s.buf[:n])
		}
		if n > 0 {
			break
		}
		// Nothing written: the empty string, or a view whose buffer
		// detached when Go's memory grew. A new view tells them apart.
		s.view = js.Undefined()
	}
	s.slow++
	str := v.String()
	if len(str) >= len(s.buf)-4 && len(str) <= 1<<20 { // room for it next time
		s.buf, s.view = make([]byte, 2*len(str)), js.Undefined()
	}
	return str
}
