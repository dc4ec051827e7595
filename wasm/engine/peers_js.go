//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"syscall/js"

	"sentilab/protocol"
)

// workerPeer is a helper engine in a nested Web Worker running this same
// program (worker.js), for data-parallel training (shard.go).
type workerPeer struct {
	w       js.Value
	mu      sync.Mutex
	next    int
	pending map[int]chan PeerReply
	ready   chan struct{}
	failed  error
	onMsg   js.Func
}

// newWorkerPeers starts n helper workers and waits until they are ready.
func newWorkerPeers(n int) ([]Peer, error) {
	var ps []Peer
	for i := 0; i < n; i++ {
		p := &workerPeer{pending: map[int]chan PeerReply{}, ready: make(chan struct{})}
		p.onMsg = js.FuncOf(p.onMessage)
		// The helper instantiates this worker's compiled module (worker.js
		// keeps it) instead of fetching and compiling 5 MB again.
		p.w = js.Global().Get("Worker").New("worker.js?module=posted")
		p.w.Set("onmessage", p.onMsg)
		hello := js.Global().Get("Object").New()
		hello.Set("type", "engineModule")
		hello.Set("module", js.Global().Get("engineModule"))
		p.w.Call("postMessage", hello)
		ps = append(ps, p)
	}
	for i, p := range ps {
		<-p.(*workerPeer).ready
		if err := p.(*workerPeer).failed; err != nil {
			return nil, fmt.Errorf("helper worker %d: %v", i+1, err)
		}
	}
	return ps, nil
}

func (p *workerPeer) onMessage(_ js.Value, args []js.Value) any {
	d := args[0].Get("data")
	typ := d.Get("type").String()
	id := d.Get("id")
	if id.Type() != js.TypeNumber {
		switch typ {
		case protocol.ReplyReady:
			close(p.ready)
		case protocol.ReplyError:
			p.failed = errors.New(d.Get("payload").Get("message").String())
			close(p.ready)
		}
		return nil
	}
	if typ == protocol.ReplyProgress {
		return nil
	}
	p.mu.Lock()
	ch := p.pending[id.Int()]
	delete(p.pending, id.Int())
	p.mu.Unlock()
	if ch == nil {
		return nil
	}
	var r PeerReply
	if typ == protocol.ReplyError {
		r.Err = errors.New(d.Get("payload").Get("message").String())
	} else {
		r.Payload = json.RawMessage(jsJSON.Call("stringify", d.Get("payload")).String())
		if b := d.Get("buffer"); b.Truthy() {
			u8 := jsU8.New(b)
			r.Buf = make([]byte, u8.Get("length").Int())
			js.CopyBytesToGo(r.Buf, u8)
		}
	}
	ch <- r // buffered: never blocks the event loop
	return nil
}

// Call implements Peer. buf is copied into a new ArrayBuffer that is
// transferred to the helper.
func (p *workerPeer) Call(typ string, payload any, buf []byte) <-chan PeerReply {
	ch := make(chan PeerReply, 1)
	b, err := json.Marshal(payload)
	if err != nil {
		ch <- PeerReply{Err: err}
		return ch
	}
	p.mu.Lock()
	p.next++
	id := p.next
	p.pending[id] = ch
	p.mu.Unlock()
	msg := js.Global().Get("Object").New()
	msg.Set("id", id)
	msg.Set("type", typ)
	msg.Set("payload", jsJSON.Call("parse", string(b)))
	if buf != nil {
		u8 := jsU8.New(len(buf))
		js.CopyBytesToJS(u8, buf)
		msg.Set("buffer", u8.Get("buffer"))
		p.w.Call("postMessage", msg, []any{u8.Get("buffer")})
	} else {
		p.w.Call("postMessage", msg)
	}
	return ch
}
