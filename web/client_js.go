//go:build js && wasm

package web

import (
	"encoding/json"
	"errors"
	"sync"
	"syscall/js"

	"sentilab/protocol"
)

// WorkerEngine runs the engine in a Web Worker (assets/worker.js).
type WorkerEngine struct {
	w       js.Value
	mu      sync.Mutex
	next    int
	calls   map[int]chan Reply
	ready   chan struct{}
	failed  error
	onMsg   js.Func
	onError js.Func
	// progress counts the progress messages received (window.sentilabProgress).
	progress int
}

// NewWorkerEngine starts the worker at url; requests wait until it is ready.
func NewWorkerEngine(url string) *WorkerEngine {
	e := &WorkerEngine{calls: map[int]chan Reply{}, ready: make(chan struct{})}
	// main.js starts the worker early and queues its messages.
	early := js.Global().Get("sentilabEarly")
	if w := js.Global().Get("sentilabWorker"); w.Truthy() {
		e.w = w
		js.Global().Set("sentilabWorker", js.Undefined())
	} else {
		e.w = js.Global().Get("Worker").New(url)
	}
	e.onMsg = js.FuncOf(func(_ js.Value, args []js.Value) any {
		d := args[0].Get("data")
		typ := d.Get("type").String()
		payload := json.RawMessage(js.Global().Get("JSON").Call("stringify", d.Get("payload")).String())
		id := d.Get("id")
		if id.Type() != js.TypeNumber {
			e.mu.Lock()
			defer e.mu.Unlock()
			if typ == "ready" {
				close(e.ready)
			} else if typ == "error" {
				var m EngineError
				if err := json.Unmarshal(payload, &m); err != nil || m.Message == "" {
					m.Message = "the engine failed to start (its error reply did not say why)"
				}
				e.failed = &m
				close(e.ready)
			}
			return nil
		}
		e.mu.Lock()
		ch := e.calls[id.Int()]
		e.mu.Unlock()
		if ch == nil {
			return nil
		}
		r := Reply{Type: typ, Payload: payload}
		if typ == "progress" {
			// Counted for the e2e test of a long run (≥ 2,000 messages).
			e.progress++
			js.Global().Set("sentilabProgress", e.progress)
			select { // progress may be dropped when the page falls behind
			case ch <- r:
			default:
			}
			return nil
		}
		if buf := d.Get("buffer"); buf.Truthy() {
			r.Buffer = buf
		}
		go func() { ch <- r }()
		return nil
	})
	e.w.Set("onmessage", e.onMsg)
	if early.Truthy() {
		for i := 0; i < early.Length(); i++ {
			e.onMsg.Invoke(early.Index(i))
		}
		js.Global().Set("sentilabEarly", js.Undefined())
	}
	e.onError = js.FuncOf(func(_ js.Value, args []js.Value) any {
		js.Global().Get("console").Call("warn", "engine worker error", args[0].Get("message"))
		return nil
	})
	e.w.Set("onerror", e.onError)
	return e
}

// Do implements Engine.
func (e *WorkerEngine) Do(typ string, payload any, buf any, started func(int), onProgress func(json.RawMessage)) (json.RawMessage, any, error) {
	<-e.ready
	if e.failed != nil {
		return nil, nil, e.failed
	}
	p, err := json.Marshal(payload)
	if err != nil {
		return nil, nil, err
	}
	e.mu.Lock()
	e.next++
	id := e.next
	ch := make(chan Reply, 256)
	e.calls[id] = ch
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.calls, id)
		e.mu.Unlock()
	}()
	if started != nil {
		started(id)
	}
	msg := js.Global().Get("Object").New()
	msg.Set("id", id)
	msg.Set("type", typ)
	msg.Set("payload", js.Global().Get("JSON").Call("parse", string(p)))
	if b, ok := buf.(js.Value); ok && b.Truthy() {
		msg.Set("buffer", b)
		e.w.Call("postMessage", msg, []any{b})
	} else {
		e.w.Call("postMessage", msg)
	}
	for r := range ch {
		switch r.Type {
		case "progress":
			if onProgress != nil {
				onProgress(r.Payload)
			}
		case "error":
			var m EngineError
			if err := json.Unmarshal(r.Payload, &m); err != nil || m.Message == "" {
				m.Message = typ + " failed"
			}
			return nil, nil, &m
		case "result":
			return r.Payload, r.Buffer, nil
		}
	}
	return nil, nil, errors.New("engine closed")
}

// Cancel implements Engine.
func (e *WorkerEngine) Cancel(id int) {
	go e.Do(protocol.TypeCancel, protocol.CancelRequest{Target: float64(id)}, nil, nil, nil)
}
