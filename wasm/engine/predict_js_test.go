//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"sentilab/protocol"
)

// TestPredictWithoutJSON: a predict message answers exactly as its JSON
// would (every key of the reply, omitempty kept; words for explain, act7 for
// the int8 runtime), and a payload the direct reader does not take (an
// unknown key, a wrong type, a key in other case) still gets the JSON
// path's answer or error.
func TestPredictWithoutJSON(t *testing.T) {
	replies := capturePosts(t)

	e := NewEngine()
	for _, name := range []string{"base.int8", "baseline"} {
		b, err := os.ReadFile("../../assets/models/" + name + ".safetensors")
		if err != nil {
			t.Fatal(err)
		}
		call(t, e, protocol.TypeImportModel, map[string]any{"name": name}, b)
	}
	const review = "<br />A wonderful, moving film. Great acting, though the ending drags!"
	next := 0
	// send posts payload (as JSON text, parsed by JS) and returns the reply.
	send := func(payload string) js.Value {
		t.Helper()
		next++
		msg := jsObject.New()
		msg.Set("id", next)
		msg.Set("type", protocol.TypePredict)
		msg.Set("payload", jsJSON.Call("parse", payload))
		onMessage(e, msg)
		select {
		case r := <-replies:
			if id := r.Get("id").Int(); id != next {
				t.Fatalf("reply to %d, want %d", id, next)
			}
			return r
		case <-time.After(time.Minute):
			t.Fatalf("%s: no reply", payload)
		}
		return js.Null()
	}
	// timeless is a reply's JSON with each result's ms set to 0 (the one
	// field that differs from run to run), after checking it is a time.
	timeless := func(payload js.Value) string {
		t.Helper()
		rs := payload.Get("results")
		for i := 0; i < rs.Length(); i++ {
			if ms := rs.Index(i).Get("ms"); ms.Type() != js.TypeNumber || ms.Float() < 0 {
				t.Fatalf("result %d: ms %v", i, ms)
			}
			rs.Index(i).Set("ms", 0)
		}
		return jsJSON.Call("stringify", payload).String()
	}
	for _, payload := range []string{
		`{"text": "` + review + `", "variants": ["base.int8"]}`,
		`{"text": "` + review + `", "variants": ["base.int8", "baseline"], "explain": true, "act7": true}`,
		`{"text": "` + review + `", "variants": null, "explain": false}`,
		`{"text": "` + review + `", "variants": [], "act7": false}`,
		`{"Text": "` + review + `"}`, // Decode takes a key in any case: the JSON path
	} {
		var req protocol.PredictRequest
		if err := protocol.Decode("predict request", []byte(payload), &req); err != nil {
			t.Fatal(err)
		}
		res, err := e.Predict(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		for i := range res.Results {
			res.Results[i].MS = 0
		}
		want, _ := json.Marshal(res)
		r := send(payload)
		if typ := r.Get("type").String(); typ != protocol.ReplyResult {
			t.Fatalf("%s: %s %s", payload, typ, jsJSON.Call("stringify", r.Get("payload")).String())
		}
		if got := timeless(r.Get("payload")); got != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", payload, got, want)
		}
		_, direct := predictFromJS(jsJSON.Call("parse", payload))
		if wantDirect := !strings.Contains(payload, "Text"); direct != wantDirect {
			t.Errorf("%s: read directly %v, want %v", payload, direct, wantDirect)
		}
	}
	for payload, wantErr := range map[string]string{
		`{"text": "fine", "extra": 1}`:              `unknown field "extra"`,
		`{"text": 5}`:                               "cannot unmarshal number",
		`{"text": "fine", "variants": "base"}`:      "cannot unmarshal string",
		`{"text": "fine", "variants": [1]}`:         "cannot unmarshal number",
		`{"text": "fine", "explain": "yes"}`:        "cannot unmarshal string",
		`[]`:                                        "cannot unmarshal array",
		`{"text": "  "}`:                            "the review is empty",
		`{"text": "fine", "variants": ["none"]}`:    `"none"`,
		`{"text": "fine", "act7": null, "x": null}`: `unknown field "x"`,
		`{"text": "fine", "variants": ["x", {}]}`:   "cannot unmarshal object",
	} {
		r := send(payload)
		msg := r.Get("payload").Get("message")
		if r.Get("type").String() != protocol.ReplyError || !strings.Contains(msg.String(), wantErr) {
			t.Errorf("%s: %s %s, want an error with %q", payload, r.Get("type"), jsJSON.Call("stringify", r.Get("payload")), wantErr)
		}
	}
}
