// Command engine is Sentilab's compute engine for the browser: the core
// compiled to WebAssembly and run in a Web Worker (assets/worker.js), so
// the page's main thread never computes.
//
// It is a thin shell over core/lab, the orchestration the command line
// uses too: a train request is lab.Resolve + lab.Train, a compress request
// lab.Compress, scoring lab.Evaluate. Same preset, seed, data, worker
// count and kernel give the command line's weights, bit for bit
// (shard_test.go). What is the browser's own stays here: the messages
// (main_js.go), yielding to JS so a cancel is seen (Engine.tick, passed to
// the core as its Pause hook), and sharing each batch's gradient with
// helper engines in other Web Workers (shard.go, the core's Grad hook),
// and a large evaluation's chunks with one (evalshare.go). The handlers are plain Go, tested natively and as wasm.
//
// # PROTOCOL
//
// The message reference is package sentilab/protocol: every request type
// (protocol.TypeTrain, ...), its payload and its result are Go types there,
// with their JSON pinned by golden tests. In short: the page posts
// {id, type, payload, buffer?}; the worker answers each request with zero
// or more {id, type: "progress", payload}, then one {id, type: "result",
// payload, buffer?} or {id, type: "error", payload: {message}}; once, at
// start-up, it posts {type: "ready", payload: {version, kernel}}. Payloads
// are decoded strictly (an unknown key is an error reply naming it). Bulk
// bytes (a dataset, a model file, a gradient) travel in buffer and are
// transferred, not copied. Between a training engine and its helpers, in
// a cross-origin-isolated page, a step's bytes travel instead in
// SharedArrayBuffers reused from step to step: {..., region, sharedLen,
// shared?, replyTo?} (peers_js.go), answered with {..., sharedLen}.
// A predict request's payload is read, and its result built, as JS values
// without JSON text in between (predict_js.go: the same keys and errors,
// pinned by a test), its strings read with TextEncoder.encodeInto
// (jsstring_js.go), since a Try step pays that path on every review.
//
// Started as worker.js?module=posted, the worker first waits for the
// compiled engine.wasm: {type: "engineModule", module: WebAssembly.Module}
// (a training engine passes its own module to its helpers). Plain
// worker.js, the page's engine, fetches and compiles engine.wasm itself
// (its gzip copy, assets/load_wasm.js), beside the page's ui.wasm; its
// first line posts {type: "starting"}, before Go runs, which the page waits
// for before its own start (assets/main.js) and otherwise ignores.
//
// A cross-origin-isolated page may post {type: "replyFlag", flag}, an
// Int32Array on a SharedArrayBuffer (worker.js keeps it; Go never sees
// it; any other flag is ignored, with a console warning). From then on,
// right after posting a request's result or error, the worker stores the
// request's id in flag[0]. A page that waits for a short reply (a
// prediction without explain: well under a millisecond) can spin on
// Atomics.load(flag, 0) instead of going idle: when it sees the id, the
// reply is already in its queue, and the page's thread is not woken from
// idle, which costs 0.1–0.6 ms on these VMs (BENCHMARKS.md, "Session
// 25"). The peer benchmark's page (assets/peer/peer.js) does; the lab's
// own page does not, since its Try step asks for each word's effect too,
// tens of milliseconds a review.
//
// Requests run one at a time in arrival order, except cancel, presets and
// variants, which are answered at once (even during a training run). Long
// loops give JS a turn (a message to itself, main_js.go) about every 50 ms,
// between gradient chunks and evaluation batches: Go's js/wasm has no
// preemption. A panic in a handler becomes an error reply; the worker
// lives on.
package main
