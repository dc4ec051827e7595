// load_wasm.js: compiles and instantiates one of the lab's Go programs
// (ui.wasm on the page, engine.wasm in the engine's worker) from its gzip
// copy, inflated on the thread that compiles it.
//
// Why not the .wasm with Content-Encoding: gzip, as before: the browser then
// inflates it in its network process and hands the 6.6–7.0 MB over to the
// page's process. On the 2-core VM that copy was a large part of a cold
// visit: the same 6.6 MB took 150 ms to arrive on a quiet page, the 1.8 MB
// of gzip 50 ms (BENCHMARKS.md, session 18). build.sh writes the .gz files;
// the server serves them as they are (application/gzip).
//
// Without DecompressionStream (older browsers), or if the .gz copy is
// missing or broken, the plain .wasm is loaded, with a warning.
'use strict';
self.sentilabLoadWasm = async (name, importObject) => {
  if (typeof DecompressionStream === 'function') {
    try {
      const gz = await fetch(name + '.gz');
      if (!gz.ok) throw new Error('HTTP ' + gz.status);
      const wasm = new Response(gz.body.pipeThrough(new DecompressionStream('gzip')), { headers: { 'Content-Type': 'application/wasm' } });
      return await WebAssembly.instantiateStreaming(wasm, importObject);
    } catch (err) {
      console.warn(`${name}.gz: ${err}; loading ${name} instead`);
    }
  }
  return WebAssembly.instantiateStreaming(fetch(name), importObject);
};
