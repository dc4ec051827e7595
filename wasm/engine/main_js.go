//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"syscall/js"

	"sentilab/core/kernels"
	"sentilab/protocol"
)

// The worker side of the protocol in doc.go. worker.js sets self.goPost and
// forwards every message to goOnMessage.

var (
	// regionIn and regionOut are a helper's shared buffers from its leader,
	// per region (peers_js.go).
	regionIn, regionOut [regions]js.Value
	// regionBuf is where a region's request is copied into Go, reused from
	// request to request while regionBusy says no handler still holds the
	// last one (a leader sends a region's next request only after the
	// reply to its previous one; a canceled run's may overlap). A new
	// 1.4 MB slice at every step was the only garbage a training step
	// made: with gcPercent 10 it set off a collection every ~5 steps in
	// each engine, and each made the other engine wait (issue 12).
	regionBuf  [regions][]byte
	regionBusy [regions]bool

	jsJSON  = js.Global().Get("JSON")
	jsU8    = js.Global().Get("Uint8Array")
	running sync.Map // request id (float64) → context.CancelFunc
)

func main() {
	// Go's heap lives in this worker's WebAssembly.Memory, which grows and
	// never shrinks: at the default GOGC of 100 (a heap goal of twice the
	// live data) the training engine's memory reached 550 MB (issue 11,
	// BENCHMARKS.md). Collecting sooner costs little here: the big data
	// (texts, token ids, weights) holds no pointers to scan.
	debug.SetGCPercent(gcPercent)
	e := NewEngine()
	e.Yield = yieldToJS
	e.Fetch = fetchBody
	e.NewPeers = newWorkerPeers
	js.Global().Set("goOnMessage", js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) == 1 {
			onMessage(e, args[0])
		}
		return nil
	}))
	post(envelope{Type: protocol.ReplyReady, Payload: protocol.Ready{Version: Version, Kernel: kernels.Default().Name, Relaxed: kernels.Default().QSteps7 != nil}}, nil)
	select {}
}

func onMessage(e *Engine, msg js.Value) {
	id := msg.Get("id")
	typ := msg.Get("type")
	if typ.Type() != js.TypeString {
		post(reply(id, protocol.ReplyError, protocol.Error{Message: "message without a string type"}), nil)
		return
	}
	name := jsStrings.String(typ)
	if name == protocol.TypePredict {
		// A prediction's request and reply skip JSON (predict_js.go).
		if req, ok := predictFromJS(msg.Get("payload")); ok {
			schedule(id, name, func(ctx context.Context) {
				r, err := e.Predict(ctx, req)
				if err != nil {
					postError(id, err)
					return
				}
				postJS(reply(id, protocol.ReplyResult, nil), predictToJS(r))
			})
			return
		}
	}
	payload := []byte("{}")
	if p := msg.Get("payload"); p.Truthy() {
		payload = []byte(jsJSON.Call("stringify", p).String())
	}
	var buf []byte
	lent := func() {} // gives buf back, once the request is handled
	replyTo := js.Undefined()
	if r := msg.Get("region"); r.Type() == js.TypeNumber && r.Int() >= 0 && r.Int() < regions {
		// A leader's request in shared memory (peers_js.go), copied now,
		// before the leader may write its region's next one. A region's
		// buffers come once, and again when they grow.
		k := r.Int()
		if b := msg.Get("shared"); b.Truthy() {
			regionIn[k] = b
		}
		if b := msg.Get("replyTo"); b.Truthy() {
			regionOut[k] = b
		}
		if n := msg.Get("sharedLen"); n.Type() == js.TypeNumber && regionIn[k].Truthy() {
			buf, lent = regionBytes(k, n.Int())
			js.CopyBytesToGo(buf, jsU8.New(regionIn[k], 0, n.Int()))
		}
		replyTo = regionOut[k]
	} else if b := msg.Get("buffer"); b.Truthy() {
		u8 := jsU8.New(b)
		buf = make([]byte, u8.Get("length").Int())
		js.CopyBytesToGo(buf, u8)
		release(b)
	}
	if name == protocol.TypeCancel {
		lent()
		var p protocol.CancelRequest
		if err := protocol.Decode("cancel request", payload, &p); err != nil {
			post(reply(id, protocol.ReplyError, protocol.Error{Message: err.Error()}), nil)
			return
		}
		res := protocol.CancelResult{}
		if c, ok := running.Load(p.Target); ok {
			c.(context.CancelFunc)()
			res.Canceled = &p.Target
		}
		post(reply(id, protocol.ReplyResult, res), nil)
		return
	}
	schedule(id, name, func(ctx context.Context) {
		defer lent()
		progress := func(p any) { post(reply(id, protocol.ReplyProgress, p), nil) }
		res, out, err := e.Handle(ctx, name, payload, buf, progress)
		if err != nil {
			postError(id, err)
			return
		}
		postTo(reply(id, protocol.ReplyResult, res), out, replyTo)
	})
}

// schedule runs request id (of type name) with a context that a cancel
// message naming id cancels.
func schedule(id js.Value, name string, run func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	key := id.Float()
	running.Store(key, cancel)
	job := func() {
		defer running.Delete(key)
		defer cancel()
		run(ctx)
	}
	if instant[name] {
		go job()
		return
	}
	// Requests run one after another, in arrival order (an eda sent right
	// after a loadData must see its data), on a goroutine other than the
	// one reading messages: while a request yields to JS, the next message
	// (a cancel) is read and handled.
	queue <- job
}

// postError sends a request's error; a canceled request's says so.
func postError(id js.Value, err error) {
	msg := err.Error()
	if errors.Is(err, context.Canceled) {
		msg = protocol.Canceled
	}
	post(reply(id, protocol.ReplyError, protocol.Error{Message: msg}), nil)
}

// regionBytes lends region k's buffer, resized to n bytes, until giveBack
// is called; a new slice if it is still lent.
func regionBytes(k, n int) (buf []byte, giveBack func()) {
	if regionBusy[k] {
		return make([]byte, n), func() {}
	}
	regionBuf[k] = slices.Grow(regionBuf[k][:0], n)[:n]
	regionBusy[k] = true
	return regionBuf[k], func() { regionBusy[k] = false }
}

// instant requests only read state and are quick: they skip the queue so
// the page stays responsive during a long training run.
var instant = map[string]bool{protocol.TypePresets: true, protocol.TypeVariants: true}

var queue = make(chan func(), 1024)

func init() {
	go func() {
		for run := range queue {
			run()
			// A reply leaves the worker only once the JS task that posted
			// it ends, and Go runs a request already queued in the same
			// task: a helper's gradient waited behind its next request
			// (the leader's part, and Adam: ~3 ms of every step with 2
			// workers). Yield first.
			if len(queue) > 0 {
				yieldToJS()
			}
		}
	}()
}

// envelope is a message to the page: {id, type, payload}; the ready
// message has no id.
type envelope struct {
	ID      *js.Value
	Type    string
	Payload any
}

func reply(id js.Value, typ string, payload any) envelope {
	return envelope{ID: &id, Type: typ, Payload: payload}
}

// post sends m with its payload JSON-encoded in Go and parsed by JS, and buf
// transferred as an ArrayBuffer.
func post(m envelope, buf []byte) { postTo(m, buf, js.Undefined()) }

// postTo is post, with buf written into replyTo (a SharedArrayBuffer the
// request brought) when it fits there.
func postTo(m envelope, buf []byte, replyTo js.Value) {
	b, err := json.Marshal(m.Payload)
	if err != nil {
		b, _ = json.Marshal(protocol.Error{Message: fmt.Sprintf("cannot encode reply: %v", err)}) // a string field: cannot fail
		m.Type = protocol.ReplyError
	}
	obj := envelopeObject(m, jsJSON.Call("parse", string(b)))
	if buf != nil && replyTo.Truthy() && replyTo.Get("byteLength").Int() >= len(buf) {
		js.CopyBytesToJS(jsU8.New(replyTo, 0, len(buf)), buf)
		obj.Set("sharedLen", len(buf))
		js.Global().Call("goPost", obj)
		return
	}
	if buf != nil {
		u8 := jsU8.New(len(buf))
		js.CopyBytesToJS(u8, buf)
		ab := u8.Get("buffer")
		obj.Set("buffer", ab)
		js.Global().Call("goPost", obj, []any{ab})
		return
	}
	js.Global().Call("goPost", obj)
}

// postJS sends m with payload, a JS value built in Go (predict_js.go).
func postJS(m envelope, payload js.Value) {
	js.Global().Call("goPost", envelopeObject(m, payload))
}

// envelopeObject is m as the JS object {id, type, payload}.
func envelopeObject(m envelope, payload js.Value) js.Value {
	obj := jsObject.New()
	if m.ID != nil {
		obj.Set("id", *m.ID)
	}
	obj.Set("type", m.Type)
	obj.Set("payload", payload)
	return obj
}

// release frees the memory of an ArrayBuffer whose bytes were copied into
// Go: transfer(0) (ES2024) detaches it at once, where it would otherwise
// live until Go's collector dropped the js.Value and then V8's collected
// the buffer: a model file sent to importModel or with a helper's rows
// (megabytes each), kept through whatever ran next (issue 11). Only for a
// buffer this worker owns (transferred or cloned to it), never a shared
// one (a SharedArrayBuffer has no transfer).
func release(ab js.Value) {
	if ab.Get("transfer").Type() == js.TypeFunction {
		ab.Call("transfer", 0)
	}
}

// yieldToJS lets the event loop run (delivering queued messages: a
// cancel) and returns: runtime.Gosched does not, Go's js/wasm has no
// preemption. It posts itself a message on a MessageChannel rather than
// waiting for setTimeout(0): Go runs inside the callback that resumed it,
// so every setTimeout after the fifth was a nested timer, which browsers
// clamp to ≥ 4 ms (measured in Chromium 156: 4.1–4.6 ms a yield, a few
// percent of a training run). A message already queued (the cancel) is
// delivered before ours.
func yieldToJS() {
	ch := make(chan struct{})
	yieldMu.Lock()
	if !yieldPort.Truthy() {
		mc := js.Global().Get("MessageChannel").New()
		mc.Get("port1").Set("onmessage", js.FuncOf(func(js.Value, []js.Value) any {
			yieldMu.Lock()
			next := yieldWaiting[0]
			yieldWaiting = yieldWaiting[1:]
			yieldMu.Unlock()
			close(next)
			return nil
		}))
		yieldPort = mc.Get("port2")
	}
	yieldWaiting = append(yieldWaiting, ch) // one message each, answered in order
	yieldMu.Unlock()
	yieldPort.Call("postMessage", nil)
	<-ch
}

var (
	yieldMu      sync.Mutex
	yieldPort    js.Value
	yieldWaiting []chan struct{}
)

// fetchBody GETs url with the worker's fetch and returns its body as a
// stream (jsBody) and its length, -1 when the server sends it compressed
// (Content-Length then counts the compressed bytes) or without a length.
func fetchBody(url string) (io.ReadCloser, int64, error) {
	resp, err := await(js.Global().Call("fetch", url))
	if err != nil {
		return nil, 0, fmt.Errorf("fetch %s: %v", url, err)
	}
	if !resp.Get("ok").Bool() {
		return nil, 0, fmt.Errorf("fetch %s: HTTP %d %s", url, resp.Get("status").Int(), resp.Get("statusText").String())
	}
	size := int64(-1)
	h := resp.Get("headers")
	if enc := h.Call("get", "Content-Encoding"); enc.IsNull() || enc.String() == "identity" {
		if n := h.Call("get", "Content-Length"); !n.IsNull() {
			if v, err := strconv.ParseInt(n.String(), 10, 64); err == nil && v >= 0 {
				size = v
			}
		}
	}
	return &jsBody{reader: resp.Get("body").Call("getReader")}, size, nil
}

// jsBody reads a fetch's body stream chunk by chunk as the chunks arrive,
// and detaches each chunk's buffer once copied (release): its bytes go at
// once, not at the worker's next collection, which a worker that allocates
// little JS makes rarely (memory.mjs loading the shipped base before
// training, 4 runs each: 988–1,003 MiB against 999–1,013 when the chunks
// were left as young garbage). A whole-body arrayBuffer() of the 50,000
// reviews' 26 MB outlived its copy into Go through the training run that
// followed: promoted to V8's old space, it waited for a full collection.
type jsBody struct {
	reader js.Value
	chunk  js.Value // the current chunk, a Uint8Array
	off, n int      // bytes of chunk copied, and its length
	done   bool
}

func (b *jsBody) Read(p []byte) (int, error) {
	for b.off >= b.n {
		if b.done {
			return 0, io.EOF
		}
		r, err := await(b.reader.Call("read"))
		if err != nil {
			b.done = true
			return 0, err
		}
		if r.Get("done").Bool() {
			b.done, b.chunk = true, js.Undefined()
			return 0, io.EOF
		}
		b.chunk = r.Get("value")
		b.off, b.n = 0, b.chunk.Get("length").Int()
	}
	n := js.CopyBytesToGo(p, b.chunk.Call("subarray", b.off))
	if b.off += n; b.off >= b.n {
		release(b.chunk.Get("buffer")) // copied: freed now, not at V8's next collection
		b.chunk = js.Undefined()
	}
	return n, nil
}

// Close stops the download if the body was not read to its end (a cancel,
// or a file refused part way).
func (b *jsBody) Close() error {
	if !b.done {
		b.done = true
		b.reader.Call("cancel")
	}
	return nil
}

func await(p js.Value) (js.Value, error) {
	type out struct {
		v   js.Value
		err error
	}
	ch := make(chan out, 1)
	ok := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- out{v: a[0]}; return nil })
	bad := js.FuncOf(func(_ js.Value, a []js.Value) any {
		ch <- out{err: errors.New(js.Global().Call("String", a[0]).String())}
		return nil
	})
	defer ok.Release()
	defer bad.Release()
	p.Call("then", ok, bad)
	o := <-ch
	return o.v, o.err
}
