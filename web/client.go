package web

import (
	"encoding/json"

	"sentilab/protocol"
)

// Reply is one progress, result or error message of a request.
type Reply struct {
	Type    string
	Payload json.RawMessage
	Buffer  any // a transferred ArrayBuffer (js.Value), or nil
}

// Engine is the page's handle on the engine worker (protocol: wasm/engine/doc.go).
type Engine interface {
	// Do sends a request and blocks until its result or error; progress
	// replies go to onProgress (which may be nil). buf is an ArrayBuffer to
	// transfer (a js.Value in the browser) or nil. started, if not nil, gets
	// the request id before the request is sent (for cancel).
	Do(typ string, payload any, buf any, started func(id int), onProgress func(json.RawMessage)) (result json.RawMessage, out any, err error)
	// Cancel asks the worker to stop request id.
	Cancel(id int)
}

// EngineError is an error reply.
type EngineError struct{ Message string }

func (e *EngineError) Error() string { return e.Message }

// ask sends request typ with payload req (a protocol request type, or nil)
// and decodes its result into out (a pointer to the protocol result type,
// or nil to ignore it). Decoding is strict (protocol.Decode): a key the
// page does not know is an error naming the reply, not a silent zero. It
// returns the result's buffer (a model file), if any.
func ask(eng Engine, typ string, req, buf, out any, started func(id int), onProgress func(json.RawMessage)) (any, error) {
	res, outBuf, err := eng.Do(typ, req, buf, started, onProgress)
	if err != nil {
		return nil, err
	}
	if out != nil {
		if err := protocol.Decode(typ+" reply", res, out); err != nil {
			return nil, err
		}
	}
	return outBuf, nil
}
