// peer.js: the page of the peer benchmark (tests/e2e/peer.mjs drives it).
// ONNX Runtime Web (wasm backend, from our own origin: /ort/, copied there
// by build.sh) runs the two peer graphs on the main thread with
// ?threads=N threads (with ?proxy=1 in ORT's own proxy worker instead);
// Sentilab's engine runs in its usual Web Worker
// (/worker.js). The data (gen/reviews.json and the .onnx files, written by
// tests/e2e/peerprep) is answered by the driving script, never stored here.
import * as ort from '../ort/ort.wasm.min.mjs';
import { batches, maxDiff } from './peerlib.mjs';

const params = new URL(location.href).searchParams;
const threads = Number(params.get('threads') || 1);
// ?proxy=1: ORT's own worker (ort.env.wasm.proxy), so ORT pays a worker's
// round trip as Sentilab's engine does in the lab.
const proxy = params.get('proxy') === '1';
ort.env.wasm.wasmPaths = new URL('../ort/', location.href).href;
ort.env.wasm.numThreads = threads; // fixed for the page: set before the first session
ort.env.wasm.proxy = proxy;

const status = (s) => { document.getElementById('status').textContent = s; };
const json = async (url) => { const r = await fetch(url); if (!r.ok) throw new Error(`${url}: ${r.status}`); return r.json(); };

const ref = await json('gen/reviews.json');
const sessions = {};

// ortPass times one graph once: all reviews in length-sorted batches of
// `batch` (each cut to its longest review, with sequence lengths), then the
// `single` reviews one at a time. The first pass for a graph is preceded by
// an untimed warm-up of both. peer.mjs calls it once per round and takes
// the median over rounds.
const feedsOf = {};
// feed: the tensors of a run. ORT's proxy transfers (detaches) its inputs'
// buffers to its worker, so there each run gets fresh copies, made inside
// the timed loop as a caller's own tensors would be.
const feed = (x) => proxy ? Object.fromEntries(Object.entries(x).map(([k, t]) => [k, new ort.Tensor(t.type, t.data.slice(), t.dims)])) : x;
async function ortPass({ model, batch = 32, single }) {
  const key = `${model}/${batch}`;
  if (!feedsOf[key]) {
    // 'export-fp32' is `lab export`'s own graph: tokens [batch, max_len]
    // only (it finds the lengths itself), so its batches are padded to max_len.
    const exported = model === 'export-fp32';
    const file = exported ? 'gen/export.fp32.onnx' : `gen/peer.${model}.onnx`;
    sessions[model] ??= await ort.InferenceSession.create(file, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    const f = (b) => exported ? { tokens: new ort.Tensor('int64', b.tokens, [b.n, b.len]) }
      : { tokens: new ort.Tensor('int64', b.tokens, [b.n, b.len]), lens: new ort.Tensor('int32', b.lens, [b.n]) };
    const pad = exported ? ref.max_len : 0;
    feedsOf[key] = {
      all: batches(ref, batch, pad).map(f),
      one: single.map((i) => f(batches({ n: 1, ids: [ref.ids[i]], lengths: [ref.lengths[i]] }, 1, pad)[0])),
    };
    for (const x of feedsOf[key].all) await sessions[model].run(feed(x));
    for (const x of feedsOf[key].one.slice(0, 5)) await sessions[model].run(feed(x));
  }
  const s = sessions[model], { all, one } = feedsOf[key];
  const p = [];
  let t0 = performance.now();
  for (const x of all) p.push(...(await s.run(feed(x))).probability.data);
  const batched = (performance.now() - t0) / 1000;
  t0 = performance.now();
  for (const x of one) await s.run(feed(x));
  const single1 = (performance.now() - t0) / 1000;
  const want = model === 'int8' ? ref.p_int8 : ref.p_float; // the export's graph is the float model too
  return { batched_seconds: batched, batch1_seconds: single1, vs_sentilab: maxDiff(p, want) };
}

// ortFixed times ORT on `rows` made-up rows of exactly `len` tokens in
// batches of 32: the shape of the anchor numbers in the issue (T=80), to
// tell how busy the machine is against them. Warm-up, then one pass.
async function ortFixed({ model, len, rows = 1024, batch = 32 }) {
  const s = sessions[model];
  const tokens = new BigInt64Array(batch * len);
  for (let i = 0; i < tokens.length; i++) tokens[i] = BigInt(2 + ((i * 7919) % 19000));
  const feed = { tokens: new ort.Tensor('int64', tokens, [batch, len]), lens: new ort.Tensor('int32', new Int32Array(batch).fill(len), [batch]) };
  await s.run(feed);
  const t0 = performance.now();
  for (let r = 0; r < rows; r += batch) await s.run(feed);
  return { rows, len, batch, seconds: (performance.now() - t0) / 1000 };
}

// The engine, driven by messages exactly as the lab and bench.mjs drive it.
// which = 'base': a second engine from gen/engine_base.wasm (peer.mjs
// --baseline-engine FILE), in its own worker, so an older build runs in the
// same rounds as this one. spin: wait for the reply by spinning on the
// worker's reply flag (wasm/engine/doc.go; peer.mjs's Sentilab-spin cells).
const engines = {};
function engineCall(type, payload, which = '', spin = false) {
  if (which === 'page') return pageEngineCall(type, payload);
  if (!engines[which]) {
    const base = which === 'base';
    const w = new Worker(base ? '../worker.js?module=posted' : '../worker.js');
    if (base) {
      fetch('gen/engine_base.wasm').then((r) => r.arrayBuffer()).then((b) => WebAssembly.compile(b))
        .then((module) => w.postMessage({ type: 'engineModule', module }), (err) => w.postMessage({ type: 'engineModule', error: String(err) }));
    }
    let flag;
    if (window.crossOriginIsolated) {
      flag = new Int32Array(new SharedArrayBuffer(4));
      w.postMessage({ type: 'replyFlag', flag });
    }
    const r = replies(which, (m) => w.postMessage(m), flag);
    w.onmessage = (e) => r.onReply(e.data);
    engines[which] = r.call;
  }
  return engines[which](type, payload, spin);
}

// replies pairs an engine's replies with its requests (sent by send):
// call(type, payload) resolves with the result's payload or rejects with
// the error; progress is ignored; the ready message notes relaxed SIMD.
// With spin and a flag (the worker's reply flag), call spins for up to
// 2 ms until the flag holds the request's id: the reply is then queued,
// and the page's thread has not gone idle waiting for it.
function replies(which, send, flag) {
  let next = 0; const calls = new Map();
  const onReply = (m) => {
    if (m.type === 'ready') engineRelaxed[which] = m.payload?.relaxed === true;
    const c = calls.get(m.id); if (!c || m.type === 'progress') return;
    calls.delete(m.id);
    if (m.type === 'error') c.reject(new Error(m.payload.message)); else c.resolve(m.payload);
  };
  const call = (type, payload, spin) => new Promise((resolve, reject) => {
    const id = ++next; calls.set(id, { resolve, reject });
    send({ id, type, payload });
    if (spin && flag) {
      const end = performance.now() + 2;
      while (Atomics.load(flag, 0) !== id && performance.now() < end) { /* the reply is on its way */ }
    }
  });
  return { onReply, call };
}

// which = 'page': the same engine.wasm on the page's own thread, where ORT's
// sessions run too, called through the same message handler (goOnMessage)
// without the worker: batch 1 with the hop and without it, side by side.
// Go answers a request before goOnMessage returns unless the request
// yields to the event loop (evaluate does, between chunks).
let pageEngine;
function pageEngineCall(type, payload) {
  pageEngine ??= (async () => {
    await new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '../wasm_exec.js'; s.onload = resolve; s.onerror = () => reject(new Error('../wasm_exec.js did not load'));
      document.head.append(s);
    });
    const r = replies('page', (m) => self.goOnMessage(m));
    let ready;
    const started = new Promise((resolve) => { ready = resolve; });
    self.goPost = (m) => { r.onReply(m); if (m.type === 'ready') ready(); };
    const go = new Go();
    const inst = await WebAssembly.instantiateStreaming(fetch('../engine.wasm'), go.importObject);
    self.engineModule = inst.module; // for helpers, as worker.js sets it
    self.sentilabGoMemory = inst.instance.exports.mem; // the SIMD kernels work in Go's memory
    go.run(inst.instance); // sets self.goOnMessage, posts {type: "ready"}
    await started;
    return r.call;
  })();
  return pageEngine.then((call) => call(type, payload));
}

const engineLoaded = {};
const engineRelaxed = {}; // the engine's ready message: relaxed SIMD there
const engineVariants = {};
// enginePass times evaluate once (the test split is exactly ref's reviews,
// in the same order: peerprep placed them so), then predict on the `single`
// reviews' raw texts, one call each. The first pass for a model file loads
// it and warms both up (the first evaluate also cleans the texts).
// workers 2: evaluate shares the split with a helper worker, as the lab's
// Compare step does (only from 2,048 reviews on: peer.mjs --n 2500).
// act7: the int8 runtime's 7-bit hidden state (relaxed SIMD's opt-in).
async function enginePass({ file, single, which = '', workers = 1, act7 = false, spin = false }) {
  const call = (type, payload) => engineCall(type, payload, which, spin && type === 'predict');
  engineLoaded[which] ??= call('loadData', { url: '../api/data', name: 'peer.csv' });
  const loaded = await engineLoaded[which];
  const key = `${which}/${file}`;
  let v = engineVariants[key];
  if (!v) {
    const info = await call('importModel', { url: `../models/${file}`, name: file.replace(/\.safetensors$/, '') });
    v = engineVariants[key] = { info, req: { variant: info.name, test_frac: ref.engine.test_frac, seed: ref.engine.seed } };
    v.first = await call('evaluate', v.req);
    for (const i of single.slice(0, 5)) await call('predict', { text: ref.texts[i], variants: [info.name] });
  }
  let t0 = performance.now();
  const m = await call('evaluate', { ...v.req, workers, act7 });
  const batched = (performance.now() - t0) / 1000;
  // inside: the engine's own time for each prediction (its reply's ms:
  // tokenizing and the forward pass, no cleaning, no messages).
  let inside = 0;
  t0 = performance.now();
  let applied = m.act7 === true;
  for (const i of single) {
    const r = (await call('predict', { text: ref.texts[i], variants: [v.info.name], act7 })).results[0];
    inside += r.ms;
    applied &&= r.act7 === true;
  }
  const single1 = (performance.now() - t0) / 1000;
  return { variant: v.info.name, runtime: v.info.runtime, rows_loaded: loaded.rows, evaluated: m.n, accuracy: m.accuracy,
    batched_seconds: batched, batch1_seconds: single1, batch1_inside_seconds: inside / 1000, act7: applied, relaxed: engineRelaxed[which] };
}

// echoPass times the `single` reviews' predict messages to echo.js, a
// worker that answers at once, or after spinning spinMs: the worker round
// trip alone, with the same texts and a reply of the same shape.
let echo;
async function echoPass({ single, spinMs = 0 }) {
  if (!echo) {
    const w = new Worker('echo.js');
    const r = replies('echo', (m) => w.postMessage(m));
    w.onmessage = (e) => r.onReply(e.data);
    echo = r.call;
  }
  const t0 = performance.now();
  for (const i of single) await echo('predict', { text: ref.texts[i], variants: ['echo'], spin_ms: spinMs });
  return { batch1_seconds: (performance.now() - t0) / 1000, spin_ms: spinMs };
}

window.peer = { ortPass, echoPass, ortFixed, enginePass, threads, proxy, crossOriginIsolated: window.crossOriginIsolated, n: ref.n, ortVersion: ort.env.versions?.web };
status(`Ready: ${ref.n} reviews, ORT ${threads} thread(s)${proxy ? ' in its proxy worker' : ''}, cross-origin isolated: ${window.crossOriginIsolated}`);
