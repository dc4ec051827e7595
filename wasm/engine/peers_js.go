//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
	pending map[int]pendingCall
	ready   chan struct{}
	failed  error
	onMsg   js.Func
	// Per region (shard.go), where a cross-origin-isolated page sends the
	// bytes: a SharedArrayBuffer for the request and one for its reply,
	// reused from step to step. A new ArrayBuffer each way at every step
	// was garbage that the workers' JS heaps, seldom collected while Go
	// runs, held by tens of MB (issue 11).
	sent, back [regions]js.Value
	// told are the buffers the helper has been given: a message carries a
	// region's buffer only when it is new (posting a SharedArrayBuffer in
	// every message halved the classroom model's speed with 2 workers:
	// 4,600 against 8,500 examples/s).
	toldSent, toldBack [regions]js.Value
	// got is where a region's reply is copied into Go (PeerReply.Buf),
	// reused: a new 1.4 MB slice at every step set off a collection every
	// ~6 steps (gcPercent 10), which the helper waited for (issue 12).
	got [regions][]byte
}

// pendingCall is a request waiting for its reply.
type pendingCall struct {
	ch     chan PeerReply
	region int
}

// shared says whether this worker can share memory with its helpers.
var shared = js.Global().Get("crossOriginIsolated").Truthy() && js.Global().Get("SharedArrayBuffer").Truthy()

// grownShared returns sab if it holds n bytes, else a new one twice that.
func grownShared(sab js.Value, n int) js.Value {
	if sab.Truthy() && sab.Get("byteLength").Int() >= n {
		return sab
	}
	return js.Global().Get("SharedArrayBuffer").New(max(2*n, 1<<16))
}

// newWorkerPeers starts n helper workers and waits until they are ready.
func newWorkerPeers(n int) ([]Peer, error) {
	var ps []Peer
	for i := 0; i < n; i++ {
		p := &workerPeer{pending: map[int]pendingCall{}, ready: make(chan struct{})}
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
	call, ok := p.pending[id.Int()]
	delete(p.pending, id.Int())
	p.mu.Unlock()
	if !ok {
		return nil
	}
	var r PeerReply
	if typ == protocol.ReplyError {
		r.Err = errors.New(d.Get("payload").Get("message").String())
	} else {
		r.Payload = json.RawMessage(jsJSON.Call("stringify", d.Get("payload")).String())
		if n := d.Get("sharedLen"); n.Type() == js.TypeNumber {
			p.got[call.region] = slices.Grow(p.got[call.region][:0], n.Int())[:n.Int()]
			r.Buf = p.got[call.region]
			js.CopyBytesToGo(r.Buf, jsU8.New(p.back[call.region], 0, n.Int()))
		} else if b := d.Get("buffer"); b.Truthy() {
			u8 := jsU8.New(b)
			r.Buf = make([]byte, u8.Get("length").Int())
			js.CopyBytesToGo(r.Buf, u8)
			release(b)
			if call.region >= 0 && shared {
				// It did not fit in the reply area: a larger one next time.
				p.back[call.region] = grownShared(p.back[call.region], len(r.Buf))
			}
		}
	}
	call.ch <- r // buffered: never blocks the event loop
	return nil
}

// Call implements Peer. In a region, with shared memory, buf is copied
// into the region's SharedArrayBuffer and the helper may answer in the
// region's reply buffer; otherwise buf is copied into a new ArrayBuffer
// that is transferred to the helper.
func (p *workerPeer) Call(region int, typ string, payload any, buf []byte) <-chan PeerReply {
	ch := make(chan PeerReply, 1)
	b, err := json.Marshal(payload)
	if err != nil {
		ch <- PeerReply{Err: err}
		return ch
	}
	p.mu.Lock()
	p.next++
	id := p.next
	p.pending[id] = pendingCall{ch: ch, region: region}
	p.mu.Unlock()
	msg := js.Global().Get("Object").New()
	msg.Set("id", id)
	msg.Set("type", typ)
	msg.Set("payload", jsJSON.Call("parse", string(b)))
	switch {
	case region >= 0 && shared:
		msg.Set("region", region)
		if !p.back[region].Truthy() {
			p.back[region] = grownShared(js.Null(), 1<<20)
		}
		if !p.back[region].Equal(p.toldBack[region]) {
			msg.Set("replyTo", p.back[region])
			p.toldBack[region] = p.back[region]
		}
		if buf != nil {
			p.sent[region] = grownShared(p.sent[region], len(buf))
			js.CopyBytesToJS(jsU8.New(p.sent[region], 0, len(buf)), buf)
			msg.Set("sharedLen", len(buf))
			if !p.sent[region].Equal(p.toldSent[region]) {
				msg.Set("shared", p.sent[region])
				p.toldSent[region] = p.sent[region]
			}
		}
		p.w.Call("postMessage", msg)
	case buf != nil:
		u8 := jsU8.New(len(buf))
		js.CopyBytesToJS(u8, buf)
		msg.Set("buffer", u8.Get("buffer"))
		p.w.Call("postMessage", msg, []any{u8.Get("buffer")})
	default:
		p.w.Call("postMessage", msg)
	}
	return ch
}
