//go:build js && wasm

package main

import (
	"strings"
	"syscall/js"
	"testing"
)

// TestGoStrings: a JS string read through encodeInto is the string
// js.Value.String gives, for ASCII, accents, emoji (surrogate pairs), a
// lone surrogate (U+FFFD either way), the empty string and strings that
// outgrow the scratch; and still after Go's memory has grown (the view's
// old buffer detached).
func TestGoStrings(t *testing.T) {
	if !js.Global().Get("sentilabGoMemory").Truthy() {
		t.Fatal("sentilabGoMemory is not set: encodeInto is not what runs")
	}
	s := newGoStrings()
	fromCode := js.Global().Get("String").Get("fromCharCode")
	cases := []js.Value{
		js.ValueOf("A wonderful, moving film."),
		js.ValueOf("Café, naïve, ünïcode — “quotes” ½ 日本語"),
		js.ValueOf("emoji 😀👍🏽 end"),
		fromCode.Invoke(0x61, 0xd800, 0x62), // a lone high surrogate
		js.ValueOf(""),
		js.ValueOf(strings.Repeat("long review ", 2000)),
		js.ValueOf(strings.Repeat("é😀", 5000)),
		js.ValueOf("short again"),
	}
	check := func(round int) {
		for i, v := range cases {
			if got, want := s.String(v), v.String(); got != want {
				t.Fatalf("round %d, case %d: got %d bytes %.40q, want %d bytes %.40q", round, i, len(got), got, len(want), want)
			}
		}
	}
	check(0)
	before := js.Global().Get("sentilabGoMemory").Get("buffer").Get("byteLength").Int()
	var hold [][]byte
	for js.Global().Get("sentilabGoMemory").Get("buffer").Get("byteLength").Int() == before {
		hold = append(hold, make([]byte, 8<<20))
	}
	check(1)
	_ = hold
	// The empty string twice and the 24,000-byte one (over the 16 kB
	// scratch, which then grows) took v.String; everything else encodeInto.
	if s.slow != 3 {
		t.Errorf("%d strings read through v.String, want 3", s.slow)
	}
}
