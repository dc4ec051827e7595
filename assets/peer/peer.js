// peer.js: the page of the peer benchmark (tests/e2e/peer.mjs drives it).
// ONNX Runtime Web (wasm backend, from our own origin: /ort/, copied there
// by build.sh) runs the two peer graphs on the main thread with
// ?threads=N threads; Sentilab's engine runs in its usual Web Worker
// (/worker.js). The data (gen/reviews.json and the .onnx files, written by
// tests/e2e/peerprep) is answered by the driving script, never stored here.
import * as ort from '../ort/ort.wasm.min.mjs';
import { batches, maxDiff } from './peerlib.mjs';

const threads = Number(new URL(location.href).searchParams.get('threads') || 1);
ort.env.wasm.wasmPaths = new URL('../ort/', location.href).href;
ort.env.wasm.numThreads = threads; // fixed for the page: set before the first session
ort.env.wasm.proxy = false;

const status = (s) => { document.getElementById('status').textContent = s; };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const json = async (url) => { const r = await fetch(url); if (!r.ok) throw new Error(`${url}: ${r.status}`); return r.json(); };

const ref = await json('gen/reviews.json');
const sessions = {};

// ortRun times one graph: all reviews in length-sorted batches of `batch`
// (each cut to its longest review, with sequence lengths), then `single`
// reviews one at a time. One untimed warm-up pass, then `reps` timed ones;
// the median is reported.
async function ortRun({ model, batch = 32, reps = 3, single }) {
  if (!sessions[model]) {
    sessions[model] = await ort.InferenceSession.create(`gen/peer.${model}.onnx`, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  }
  const s = sessions[model];
  const feeds = batches(ref, batch).map((b) => ({
    tokens: new ort.Tensor('int64', b.tokens, [b.n, b.len]), lens: new ort.Tensor('int32', b.lens, [b.n]),
  }));
  const runAll = async () => {
    const p = [];
    for (const f of feeds) p.push(...(await s.run(f)).probability.data);
    return p;
  };
  const p = await runAll(); // warm-up, and the answers
  const times = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await runAll();
    times.push((performance.now() - t0) / 1000);
  }
  // Batch 1: the same reviews as the engine's predict calls.
  const one = single.map((i) => batches({ n: 1, ids: [ref.ids[i]], lengths: [ref.lengths[i]] }, 1)[0])
    .map((b) => ({ tokens: new ort.Tensor('int64', b.tokens, [1, b.len]), lens: new ort.Tensor('int32', b.lens, [1]) }));
  for (const f of one.slice(0, 5)) await s.run(f); // warm-up
  const times1 = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (const f of one) await s.run(f);
    times1.push((performance.now() - t0) / 1000);
  }
  const want = model === 'int8' ? ref.p_int8 : ref.p_float;
  return {
    batched_seconds: times, batched_reviews_per_sec: ref.n / median(times),
    batch1_seconds: times1, batch1_reviews_per_sec: one.length / median(times1), batch1_ms: (1000 * median(times1)) / one.length,
    vs_sentilab: maxDiff(p, want),
  };
}

// The engine, driven by messages exactly as the lab and bench.mjs drive it.
let engine;
function engineCall(type, payload) {
  if (!engine) {
    const w = new Worker('../worker.js');
    let next = 0; const calls = new Map();
    w.onmessage = (e) => {
      const m = e.data; const c = calls.get(m.id); if (!c) return;
      if (m.type === 'progress') return;
      calls.delete(m.id);
      if (m.type === 'error') c.reject(new Error(m.payload.message)); else c.resolve(m.payload);
    };
    engine = (type, payload) => new Promise((resolve, reject) => {
      const id = ++next; calls.set(id, { resolve, reject });
      w.postMessage({ id, type, payload });
    });
  }
  return engine(type, payload);
}

let engineLoaded;
// engineRun times evaluate (the test split is exactly ref's reviews, in the
// same order: peerprep placed them so) and predict on `single` reviews'
// raw texts, one call each. Warm-up first; the median of `reps`.
async function engineRun({ file, reps = 3, single }) {
  if (!engineLoaded) {
    engineLoaded = engineCall('loadData', { url: '../api/data', name: 'peer.csv' });
  }
  const loaded = await engineLoaded;
  const info = await engineCall('importModel', { url: `../models/${file}`, name: file.replace(/\.safetensors$/, '') });
  const req = { variant: info.name, test_frac: ref.engine.test_frac, seed: ref.engine.seed };
  const first = await engineCall('evaluate', req); // warm-up (the first also cleans the texts)
  const times = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await engineCall('evaluate', req);
    times.push((performance.now() - t0) / 1000);
  }
  for (const i of single.slice(0, 5)) await engineCall('predict', { text: ref.texts[i], variants: [info.name] });
  const times1 = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (const i of single) await engineCall('predict', { text: ref.texts[i], variants: [info.name] });
    times1.push((performance.now() - t0) / 1000);
  }
  return {
    variant: info.name, runtime: info.runtime, rows_loaded: loaded.rows, evaluated: first.n, accuracy: first.accuracy,
    batched_seconds: times, batched_reviews_per_sec: first.n / median(times),
    batch1_seconds: times1, batch1_reviews_per_sec: single.length / median(times1), batch1_ms: (1000 * median(times1)) / single.length,
  };
}

window.peer = { ortRun, engineRun, threads, crossOriginIsolated: window.crossOriginIsolated, n: ref.n, ortVersion: ort.env.versions?.web };
status(`Ready: ${ref.n} reviews, ORT ${threads} thread(s), cross-origin isolated: ${window.crossOriginIsolated}`);
