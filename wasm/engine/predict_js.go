//go:build js && wasm

package main

import (
	"syscall/js"

	"sentilab/protocol"
)

// A prediction skips JSON both ways: its request is read from the page's
// object field by field and its reply is built as a JS object. Through
// JSON, the review's text and its cleaned copy went through JSON.stringify,
// Go's decoder (byte by byte), Go's encoder and JSON.parse: in Chromium a
// prediction's cost beyond the engine's own time was 0.17 ms, now 0.12, on
// the page's thread (int8, 1,200 characters; issue 12, BENCHMARKS.md
// "Session 14"). The Try step pays it on every review.

var (
	jsObject = js.Global().Get("Object")
	jsArray  = js.Global().Get("Array")
)

// predictFromJS reads a predict request from its payload object, as
// protocol.Decode would read the payload's JSON. ok is false for anything
// else (an unknown key, a field of the wrong type): the JSON path then
// answers it, with its usual error.
func predictFromJS(p js.Value) (req protocol.PredictRequest, ok bool) {
	if p.Type() != js.TypeObject || jsArray.Call("isArray", p).Bool() {
		return req, false
	}
	known := 0 // keys read: with a value, or null
	if v := p.Get("text"); v.Type() == js.TypeString {
		req.Text = jsStrings.String(v)
		known++
	} else if !absent(v, &known) {
		return req, false
	}
	if v := p.Get("variants"); jsArray.Call("isArray", v).Bool() {
		req.Variants = make([]string, v.Length())
		for i := range req.Variants {
			s := v.Index(i)
			if s.Type() != js.TypeString {
				return req, false
			}
			req.Variants[i] = jsStrings.String(s)
		}
		known++
	} else if !absent(v, &known) {
		return req, false
	}
	for _, f := range []struct {
		key string
		to  *bool
	}{{"explain", &req.Explain}, {"act7", &req.Act7}} {
		if v := p.Get(f.key); v.Type() == js.TypeBoolean {
			*f.to = v.Bool()
			known++
		} else if !absent(v, &known) {
			return req, false
		}
	}
	// Every key the object has must be one of those read (JSON.stringify
	// would drop one whose value is undefined: such an object takes the
	// JSON path too, and fares as it always did).
	return req, jsObject.Call("keys", p).Length() == known
}

// absent: a key that is missing, or null, which Decode reads as no value
// (a null key is counted in known).
func absent(v js.Value, known *int) bool {
	if v.IsNull() {
		*known++
	}
	return v.IsUndefined() || v.IsNull()
}

// predictToJS is r as JSON.parse(json.Marshal(r)) gives it (the same keys,
// omitempty kept), built in Go.
func predictToJS(r *protocol.PredictResult) js.Value {
	out := jsObject.New()
	out.Set("cleaned", r.Cleaned)
	results := jsArray.New(len(r.Results))
	for i, p := range r.Results {
		o := jsObject.New()
		o.Set("variant", p.Variant)
		o.Set("probability", p.Probability)
		o.Set("label", p.Label)
		o.Set("ms", p.MS)
		if len(p.Words) > 0 {
			words := jsArray.New(len(p.Words))
			for k, w := range p.Words {
				wo := jsObject.New()
				wo.Set("word", w.Word)
				wo.Set("delta", w.Delta)
				words.SetIndex(k, wo)
			}
			o.Set("words", words)
		}
		if p.Act7 {
			o.Set("act7", true)
		}
		results.SetIndex(i, o)
	}
	out.Set("results", results)
	return out
}
