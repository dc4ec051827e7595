// worker.js: runs engine.wasm (Go) in a Web Worker. Protocol: wasm/engine/doc.go.
// Messages that arrive before Go is running are queued, then replayed.
//
// Plain worker.js (the page's engine) fetches and compiles engine.wasm
// itself. worker.js?module=posted waits for its creator to post the compiled
// module ({type: "engineModule", module}): a training engine hands its own
// module to its data-parallel helpers, which so compile nothing.
'use strict';
importScripts('wasm_exec.js');

const queue = [];
let posted;
const modulePosted = new Promise((resolve) => { posted = resolve; });
self.goOnMessage = (m) => queue.push(m);
self.onmessage = (e) => {
  if (e.data && e.data.type === 'engineModule') posted(e.data);
  else self.goOnMessage(e.data);
};
self.goPost = (m, transfer) => postMessage(m, transfer || []);

(async () => {
  const go = new Go();
  try {
    let instance;
    if (new URL(location.href).searchParams.get('module') === 'posted') {
      const m = await modulePosted;
      if (!m.module) throw new Error(m.error || 'no module posted');
      self.engineModule = m.module;
      instance = await WebAssembly.instantiate(self.engineModule, go.importObject);
    } else {
      const r = await WebAssembly.instantiateStreaming(fetch('engine.wasm'), go.importObject);
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
