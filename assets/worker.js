// worker.js: runs engine.wasm (Go) in a Web Worker. Protocol: wasm/engine/doc.go.
// Messages that arrive before Go is running are queued, then replayed.
//
// Plain worker.js (the page's engine) fetches and compiles engine.wasm
// itself. worker.js?module=posted waits for its creator to post the compiled
// module ({type: "engineModule", module}): a training engine hands its own
// module to its data-parallel helpers, which so compile nothing.
'use strict';
// The page's engine says it runs at once: the page holds its first render
// until then (main.js). A helper's creator does not wait for this.
const helper = new URL(location.href).searchParams.get('module') === 'posted';
if (!helper) postMessage({ type: 'starting' });
importScripts('wasm_exec.js', 'load_wasm.js');

const queue = [];
let gotModule;
const modulePosted = new Promise((resolve) => { gotModule = resolve; });
self.goOnMessage = (m) => queue.push(m);
// replyFlag: an Int32Array on a SharedArrayBuffer the page may post
// ({type: "replyFlag", flag}). After posting a request's last message the
// worker stores its id there, so a page that spins on it for a short
// request knows its reply is already queued (wasm/engine/doc.go).
let replyFlag;
self.onmessage = (e) => {
  if (e.data && e.data.type === 'engineModule') gotModule(e.data);
  else if (e.data && e.data.type === 'replyFlag') {
    const f = e.data.flag;
    const ok = f instanceof Int32Array && f.length > 0 && typeof SharedArrayBuffer === 'function' && f.buffer instanceof SharedArrayBuffer;
    if (ok) replyFlag = f;
    else console.warn('engine worker: replyFlag ignored: its flag must be an Int32Array on a SharedArrayBuffer (a cross-origin-isolated page)');
  }
  else self.goOnMessage(e.data);
};
self.goPost = (m, transfer) => {
  postMessage(m, transfer || []);
  if (replyFlag && typeof m.id === 'number' && m.type !== 'progress') Atomics.store(replyFlag, 0, m.id);
};

(async () => {
  const go = new Go();
  try {
    let instance;
    if (helper) {
      const m = await modulePosted;
      if (!m.module) throw new Error(m.error || 'no module posted');
      self.engineModule = m.module;
      instance = await WebAssembly.instantiate(self.engineModule, go.importObject);
    } else {
      const r = await sentilabLoadWasm('engine.wasm', go.importObject);
      self.engineModule = r.module;
      instance = r.instance;
    }
    // The SIMD matmul kernel (core/kernels/kernels_wasm.go) works in Go's memory.
    self.sentilabGoMemory = instance.exports.mem;
    go.run(instance); // sets self.goOnMessage, posts {type:"ready"}
    for (const m of queue.splice(0)) self.goOnMessage(m);
  } catch (err) {
    postMessage({ type: 'error', payload: { message: 'engine failed to start: ' + err } });
  }
})();
