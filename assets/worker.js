// worker.js: runs engine.wasm (Go) in a Web Worker. Protocol: wasm/engine/doc.go.
// Messages that arrive before Go is running are queued, then replayed.
'use strict';
importScripts('wasm_exec.js');

const queue = [];
self.goOnMessage = (m) => queue.push(m);
self.onmessage = (e) => self.goOnMessage(e.data);
self.goPost = (m, transfer) => postMessage(m, transfer || []);

(async () => {
  const go = new Go();
  try {
    const { instance } = await WebAssembly.instantiateStreaming(fetch('engine.wasm'), go.importObject);
    go.run(instance); // sets self.goOnMessage, posts {type:"ready"}
    for (const m of queue.splice(0)) self.goOnMessage(m);
  } catch (err) {
    postMessage({ type: 'error', payload: { message: 'engine failed to start: ' + err } });
  }
})();
