// peer.mjs: the peer benchmark (issue 12). The same model in ONNX Runtime
// Web 1.30 (wasm backend, 1 and 2 threads, cross-origin isolated by our own
// server) and in Sentilab's engine, in the same headless Chromium, on the
// same 1,000 real test reviews, float and int8, batched and batch 1. JSON on
// stdout; BENCHMARKS.md has the numbers. A benchmark, not a test: it is not
// part of ./build.sh test.
//
//   ./build.sh && node tests/e2e/peer.mjs [--reps 3] [--n 1000] [--baseline-engine FILE]
//
// --n 2500 (2,048 reviews or more) adds Sentilab with the lab's default 2
// workers, batched: evaluate shares the split with a helper worker.
//
// Sentilab int8-act7 is the int8 runtime's opt-in 7-bit hidden state
// (core/compress/act7.go), relaxed SIMD's fast path: its own answers,
// checked against the native runtime's with the same option.
//
// Sentilab-page is the same engine.wasm on the page's own thread, where
// ORT's sessions run, called through the same message handler: the lab
// keeps its engine in a worker (the page stays responsive while it
// computes), so these cells tell the worker hop's cost from the engine's.
//
// Sentilab-spin is the engine in its worker again, the page now spinning on
// the worker's reply flag for each prediction (at most 2 ms) instead of
// going idle until the reply's message wakes it (wasm/engine/doc.go): the
// batch-1 cells without the page's wake from idle. Its batched cells are
// the plain ones again (evaluate does not spin).
//
// echo worker is a worker that answers each predict message at once
// (assets/peer/echo.js): what the worker's round trip alone costs at
// batch 1 (worker_echo in the JSON). echo worker-busy spins 0.4 ms first,
// about an int8 prediction's own time: the round trip after the worker has
// worked, less the 0.4 ms (worker_echo.after_work_ms), is what our engine's
// worker pays beyond the page's thread.
//
// --baseline-engine FILE: an engine.wasm of an older build (e.g. saved
// before a change) runs as two more cells, in its own worker in the same
// rounds, so before and after see the same load; the JSON then has
// sentilab_baseline and the ratios after / before.
//
// What each side gets:
//   - reviews: the first --n of the seeded test split (seed 42, 20%), tokenized
//     by our code (tests/e2e/peerprep), sorted longest first.
//   - ORT: graphs peerprep writes from assets/models/base(.int8).safetensors:
//     float (Gather, LSTM with sequence_lens, Gemm, Sigmoid) and int8 as ORT's
//     quantizer makes it (com.microsoft DynamicQuantizeLSTM, int8 weights,
//     activations quantized inside). Batches of 32 in that order, each cut to
//     its longest review, with the lengths as sequence_lens; on the page's main
//     thread; intra-op threads 1 or 2 (ort.env.wasm.numThreads).
//   - also, ORT 1 thread in its own proxy worker (ort.env.wasm.proxy: each
//     run's tensors cross to a worker and back, fresh copies each run as ORT
//     detaches them), the placement of Sentilab's engine in the lab;
//   - also, ORT 1 thread in batches of the engine's own chunk sizes (16 float,
//     8 int8), the same batches exactly; and ORT 1 thread on the float graph exactly as
//     `lab export` writes it (tokens [batch, 170] only: batches padded to 170,
//     the graph finds the lengths itself with TopK and gives them to LSTM).
//   - Sentilab: the engine worker's evaluate on the same reviews in the same
//     order (peerprep's CSV is laid out so the seeded split returns exactly
//     them), which runs them in chunks of 16 (float) / 8 (int8) rows and skips
//     padding per row; it cleans and tokenizes the texts inside the timed
//     call. One worker, one thread.
//   - batch 1: every 10th review of the sorted list (100, all lengths): ORT
//     session.run on [1, len] token ids; Sentilab the engine's predict message
//     (raw text in, cleaning, tokenizing and the worker round trip included).
// Each cell: one untimed warm-up pass, then --reps timed passes (the cells
// take turns, see below); the median.
// Before timing, ORT's answers are checked against ours (float ≤ 1e-5,
// int8 ≤ 0.02 max |Δp|: ORT's quantizer's own graph, see peercheck.mjs), in
// Node (peercheck.mjs) and again in the browser, and the engine's accuracy
// against our native runtime's on the same reviews.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, dataPath, startServer, launch, guardedPage } from './lib.mjs';

const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const reps = arg('--reps', 3), n = arg('--n', 1000);
const baseIdx = process.argv.indexOf('--baseline-engine'), baseline = baseIdx > 0 ? process.argv[baseIdx + 1] : '';
if (baseline && !existsSync(baseline)) throw new Error(`--baseline-engine ${baseline}: no such file`);
const log = (...a) => console.error(...a);
const uptime = () => { try { return readFileSync('/proc/loadavg', 'utf8').trim(); } catch { return loadavg().join(' '); } };
for (const f of ['assets/ort/ort.wasm.min.mjs', 'assets/ort/ort-wasm-simd-threaded.wasm', 'assets/engine.wasm', 'build/server']) {
  if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run ./build.sh first`);
}

const gen = mkdtempSync(join(tmpdir(), 'sentilab-peer-'));
process.on('exit', () => rmSync(gen, { recursive: true, force: true }));
log('peerprep:', gen);
execFileSync('go', ['run', './tests/e2e/peerprep', '--data', dataPath(), '--n', String(n), '--out', gen], { cwd: root, stdio: 'inherit' });
execFileSync('node', [join(root, 'tests/e2e/peercheck.mjs'), gen], { cwd: root, stdio: ['ignore', 2, 2] });
const ref = JSON.parse(readFileSync(join(gen, 'reviews.json'), 'utf8'));
if (baseline) copyFileSync(baseline, join(gen, 'engine_base.wasm'));
const single = [];
for (let i = 0; i < ref.n; i += 10) single.push(i);

const srv = await startServer(['--data', join(gen, 'engine.csv')]);
const { browser, close } = await launch();
const problems = [];
const out = {
  date: new Date().toISOString(), command: 'node tests/e2e/peer.mjs ' + process.argv.slice(2).join(' '),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg_before: uptime() }, chromium: browser.version(),
  reviews: ref.n, lengths: { min: ref.lengths[ref.n - 1], max: ref.lengths[0], mean: +(ref.lengths.reduce((a, b) => a + b, 0) / ref.n).toFixed(1) },
  model: { float: ref.model, int8: ref.int8_model, max_len: ref.max_len }, reps, batch1_reviews: single.length,
  baseline_engine: baseline || undefined, ort: {}, sentilab: {}, sentilab_page: {}, sentilab_baseline: baseline ? {} : undefined, checks: [],
};
const check = (ok, what) => { out.checks.push(`${ok ? 'ok' : 'FAIL'} ${what}`); if (!ok) problems.push(what); log(ok ? 'ok' : 'FAIL', what); };

async function openPage(threads, proxy = false) {
  const { page, ctx } = await guardedPage(browser, problems);
  // The generated files come from the temporary folder, not from assets/.
  await ctx.route('**/peer/gen/*', (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop();
    const file = join(gen, name);
    if (!/^[\w.]+$/.test(name) || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ status: 200, path: file, headers: { 'content-type': name.endsWith('.json') ? 'application/json' : 'application/octet-stream' } });
  });
  await page.goto(srv.url + `peer/index.html?threads=${threads}${proxy ? '&proxy=1' : ''}`);
  await page.waitForFunction(() => window.peer, null, { timeout: 60000 });
  const info = await page.evaluate(() => ({ coi: window.peer.crossOriginIsolated, threads: window.peer.threads, proxy: window.peer.proxy, n: window.peer.n, version: window.peer.ortVersion }));
  check(info.coi === true && info.proxy === proxy, `page with ORT ${threads} thread(s)${proxy ? ' in its proxy worker' : ''} is cross-origin isolated`);
  check(info.n === ref.n, `page loaded ${info.n} reviews`);
  out.ort_version = info.version;
  return { page, ctx };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  // Two pages: ORT with 1 thread (and the engine's worker), ORT with 2
  // (numThreads is fixed per page). The cells take turns, one pass each per
  // round, in an order rotated every round, so a change in the machine's
  // load spreads over all of them; each cell reports its median.
  const p1 = await openPage(1), p2 = await openPage(2), pw = await openPage(1, true);
  const cells = [
    { name: 'ort fp32 1t', run: () => p1.page.evaluate((a) => window.peer.ortPass(a), { model: 'fp32', single }) },
    { name: 'ort int8 1t', run: () => p1.page.evaluate((a) => window.peer.ortPass(a), { model: 'int8', single }) },
    { name: 'ort fp32 2t', run: () => p2.page.evaluate((a) => window.peer.ortPass(a), { model: 'fp32', single }) },
    { name: 'ort export-fp32 1t', run: () => p1.page.evaluate((a) => window.peer.ortPass(a), { model: 'export-fp32', single }) },
    // ORT at the engine's own chunk sizes (16 float, 8 int8: fixed in
    // wasm/engine), so one comparison has exactly the same batches.
    { name: 'ort fp32 1t_b16', run: () => p1.page.evaluate((a) => window.peer.ortPass(a), { model: 'fp32', batch: 16, single }) },
    { name: 'ort int8 1t_b8', run: () => p1.page.evaluate((a) => window.peer.ortPass(a), { model: 'int8', batch: 8, single }) },
    { name: 'ort int8 2t', run: () => p2.page.evaluate((a) => window.peer.ortPass(a), { model: 'int8', single }) },
    // ORT in its own proxy worker, 1 thread: a worker's round trip on each
    // call, as Sentilab's engine in the lab (the worker cells below).
    { name: 'ort fp32 1t-worker', run: () => pw.page.evaluate((a) => window.peer.ortPass(a), { model: 'fp32', single }) },
    { name: 'ort int8 1t-worker', run: () => pw.page.evaluate((a) => window.peer.ortPass(a), { model: 'int8', single }) },
    { name: 'sentilab fp32', run: () => p1.page.evaluate((a) => window.peer.enginePass(a), { file: ref.model, single }) },
    { name: 'sentilab int8', run: () => p1.page.evaluate((a) => window.peer.enginePass(a), { file: ref.int8_model, single }) },
    // The same worker, the page spinning on its reply flag at batch 1.
    { name: 'sentilab-spin fp32', run: () => p1.page.evaluate((a) => window.peer.enginePass(a), { file: ref.model, single, spin: true }) },
    { name: 'sentilab-spin int8', run: () => p1.page.evaluate((a) => window.peer.enginePass(a), { file: ref.int8_model, single, spin: true }) },
    // The int8 runtime's opt-in 7-bit hidden state, relaxed SIMD's fast path
    // (core/compress/act7.go): other answers than the default int8's.
    { name: 'sentilab int8-act7', run: () => p1.page.evaluate((a) => window.peer.enginePass(a), { file: ref.int8_model, single, act7: true }) },
  ];
  // A worker that answers at once (assets/peer/echo.js): the round trip
  // that any engine in a worker pays at batch 1, whatever its own speed.
  cells.push(
    { name: 'echo worker', run: () => p1.page.evaluate((a) => window.peer.echoPass(a), { single }) },
    { name: 'echo worker-busy', run: () => p1.page.evaluate((a) => window.peer.echoPass(a), { single, spinMs: 0.4 }) });
  // The same engine on the page's own thread, where ORT runs: no worker
  // hop (the lab itself keeps its engine in a worker, so the page stays
  // responsive; these cells say what the hop costs at batch 1).
  cells.push(
    { name: 'sentilab-page fp32', run: () => p1.page.evaluate((a) => window.peer.enginePass(a), { file: ref.model, single, which: 'page' }) },
    { name: 'sentilab-page int8', run: () => p1.page.evaluate((a) => window.peer.enginePass(a), { file: ref.int8_model, single, which: 'page' }) },
    { name: 'sentilab-page int8-act7', run: () => p1.page.evaluate((a) => window.peer.enginePass(a), { file: ref.int8_model, single, which: 'page', act7: true }) });
  // With 2,048 reviews or more the engine's evaluate shares them with a
  // helper worker (the lab's default 2 workers): our default against ORT's
  // 2 threads, batched (a prediction is one review: no second worker).
  if (ref.n >= 2048) {
    cells.push(
      { name: 'sentilab2w fp32', run: () => p1.page.evaluate((a) => window.peer.enginePass(a), { file: ref.model, single: [], workers: 2 }) },
      { name: 'sentilab2w int8', run: () => p1.page.evaluate((a) => window.peer.enginePass(a), { file: ref.int8_model, single: [], workers: 2 }) });
  }
  if (baseline) {
    cells.push(
      { name: 'sentilab-base fp32', run: () => p1.page.evaluate((a) => window.peer.enginePass(a), { file: ref.model, single, which: 'base' }) },
      { name: 'sentilab-base int8', run: () => p1.page.evaluate((a) => window.peer.enginePass(a), { file: ref.int8_model, single, which: 'base' }) });
  }
  const passes = {};
  for (let round = -1; round < reps; round++) {
    // Round -1 loads and warms every cell up; its pass is not counted.
    for (let k = 0; k < cells.length; k++) {
      const c = cells[(k + Math.max(round, 0)) % cells.length];
      const r = await c.run();
      r.loadavg = uptime();
      if (round >= 0) (passes[c.name] ??= []).push(r);
      log(`round ${round} ${c.name}: batched ${r.batched_seconds?.toFixed(3)} s, batch 1 ${r.batch1_seconds.toFixed(3)} s, load ${r.loadavg}`);
    }
  }
  // The proxy page's ORT ran in a worker of its own (the page starts no engine).
  const ortWorkers = pw.page.workers().map((w) => w.url()).filter((u) => u.includes('/ort/'));
  check(ortWorkers.length === 1, `ORT's proxy page runs ORT in a worker (${ortWorkers.join(', ') || 'none'})`);
  for (const [name, rs] of Object.entries(passes)) {
    const [side, kind, threads] = name.split(' ');
    if (side === 'echo') {
      // ms a message beyond the worker's spin (none, or 0.4 ms for -busy)
      const ms = rs.map((r) => (1000 * r.batch1_seconds) / single.length - r.spin_ms);
      out.worker_echo ??= {};
      const key = kind === 'worker-busy' ? 'after_work_ms' : 'batch1_ms';
      out.worker_echo[key] = +median(ms).toPrecision(3);
      (out.worker_echo.best ??= {})[key] = +Math.min(...ms).toPrecision(3);
      continue;
    }
    if (side === 'sentilab2w') {
      const b = median(rs.map((r) => r.batched_seconds)), bb = Math.min(...rs.map((r) => r.batched_seconds));
      check(rs.every((x) => x.evaluated === ref.n), `engine with 2 workers evaluated ${rs[0].evaluated} reviews (want ${ref.n})`);
      check(rs.every((x) => x.accuracy === out.sentilab[kind]?.accuracy), `engine ${kind}: the same accuracy with 2 workers as with 1`);
      (out.sentilab_2_workers ??= {})[kind] = { batched_reviews_per_sec: +(ref.n / b).toPrecision(4), best: { batched_reviews_per_sec: +(ref.n / bb).toPrecision(4) },
        batched_seconds: rs.map((r) => +r.batched_seconds.toPrecision(4)), loadavg: rs.map((r) => r.loadavg.split(' ')[0]) };
      continue;
    }
    const b = median(rs.map((r) => r.batched_seconds)), one = median(rs.map((r) => r.batch1_seconds));
    // best: the fastest pass, which other work on the shared machine slowed
    // down least (median and best both go in the JSON and the ratios).
    const bb = Math.min(...rs.map((r) => r.batched_seconds)), ob = Math.min(...rs.map((r) => r.batch1_seconds));
    const cell = {
      batched_reviews_per_sec: +(ref.n / b).toPrecision(4), batch1_reviews_per_sec: +(single.length / one).toPrecision(4),
      batch1_ms: +((1000 * one) / single.length).toPrecision(3),
      best: { batched_reviews_per_sec: +(ref.n / bb).toPrecision(4), batch1_reviews_per_sec: +(single.length / ob).toPrecision(4),
        batch1_ms: +((1000 * ob) / single.length).toPrecision(3) },
      batched_seconds: rs.map((r) => +r.batched_seconds.toPrecision(4)), batch1_seconds: rs.map((r) => +r.batch1_seconds.toPrecision(4)),
      loadavg: rs.map((r) => r.loadavg.split(' ')[0]),
    };
    if (side === 'ort') {
      const tol = kind === 'int8' ? 0.02 : 1e-5; // export-fp32 is the float model too
      const worst = Math.max(...rs.map((r) => r.vs_sentilab.max));
      check(worst <= tol, `ORT-web ${kind} ${threads}: max |Δp| vs Sentilab ${worst.toExponential(2)} ≤ ${tol} (same label ${rs[0].vs_sentilab.sameLabel}/${ref.n})`);
      cell.max_abs_dp_vs_sentilab = +worst.toPrecision(3);
      out.ort[`${kind}_${threads}`] = cell;
    } else {
      const r = rs[0], correct = { int8: ref.int8_correct, 'int8-act7': ref.int8_act7_correct }[kind] ?? ref.float_correct;
      if (kind === 'int8-act7') {
        check(rs.every((x) => x.act7), 'engine int8-act7: every reply says the 7-bit hidden state applied');
        out.relaxed_simd = r.relaxed;
      }
      check(rs.every((x) => x.evaluated === ref.n), `engine evaluated ${r.evaluated} reviews (want ${ref.n}) of ${r.rows_loaded} loaded`);
      const right = Math.round(r.accuracy * r.evaluated);
      check(Math.abs(right - correct) <= 2, `engine ${kind} (${r.runtime} runtime) gets ${right} right, native ${correct} (same reviews: ≤ 2 apart)`);
      Object.assign(cell, { variant: r.variant, runtime: r.runtime, accuracy: r.accuracy });
      // The engine's own time per prediction (tokenizing + forward pass,
      // without cleaning and the worker round trip): median and best.
      const ins = rs.map((x) => x.batch1_inside_seconds);
      cell.batch1_inside_ms = +((1000 * median(ins)) / single.length).toPrecision(3);
      cell.best.batch1_inside_ms = +((1000 * Math.min(...ins)) / single.length).toPrecision(3);
      ({ 'sentilab-base': out.sentilab_baseline, 'sentilab-page': out.sentilab_page, 'sentilab-spin': (out.sentilab_spin ??= {}) }[side] ?? out.sentilab)[kind] = cell;
    }
  }
  // int8 over float32 in the engine (issue 12 asks ≥ 1.5), median and best.
  out.ratio_int8_over_fp32 = {};
  for (const [key, side] of [['sentilab', out.sentilab], ['sentilab_spin', out.sentilab_spin], ['sentilab_page', out.sentilab_page], ['sentilab_baseline', out.sentilab_baseline]]) {
    if (!side) continue;
    for (const kind of ['int8', 'int8-act7']) {
      if (!side[kind]) continue;
      const k = kind === 'int8' ? key : `${key}_act7`;
      for (const what of ['batched', 'batch1']) {
        out.ratio_int8_over_fp32[`${k}_${what}`] = +(side[kind][`${what}_reviews_per_sec`] / side.fp32[`${what}_reviews_per_sec`]).toFixed(2);
        out.ratio_int8_over_fp32[`${k}_${what}_best`] = +(side[kind].best[`${what}_reviews_per_sec`] / side.fp32.best[`${what}_reviews_per_sec`]).toFixed(2);
      }
    }
  }
  if (baseline) {
    // This build over the baseline engine, same rounds (above 1: faster now).
    out.ratio_sentilab_over_baseline = {};
    out.ratio_sentilab_over_baseline_best = {};
    for (const kind of ['fp32', 'int8']) {
      const s = out.sentilab[kind], b = out.sentilab_baseline[kind];
      for (const what of ['batched', 'batch1']) {
        out.ratio_sentilab_over_baseline[`${kind}_${what}`] = +(s[`${what}_reviews_per_sec`] / b[`${what}_reviews_per_sec`]).toFixed(2);
        out.ratio_sentilab_over_baseline_best[`${kind}_${what}`] = +(s.best[`${what}_reviews_per_sec`] / b.best[`${what}_reviews_per_sec`]).toFixed(2);
      }
    }
  }

  // Sentilab / ORT, of the medians and of the best passes: above 1 means
  // Sentilab is faster.
  out.ratio_sentilab_over_ort = {};
  out.ratio_sentilab_over_ort_best = {};
  const ratio = (s, o) => +(s / o).toFixed(2);
  // Our engine in its worker against every ORT cell, and on the page's
  // thread (keys page_…) against ORT there, 1 thread.
  const pairs = [
    ['', out.sentilab, [['fp32', 'fp32_1t'], ['fp32', 'fp32_2t'], ['fp32', 'export-fp32_1t'], ['fp32', 'fp32_1t_b16'], ['int8', 'int8_1t'], ['int8', 'int8_2t'],
      ['int8', 'int8_1t_b8'], ['int8-act7', 'int8_1t'], ['int8-act7', 'int8_2t'], ['fp32', 'fp32_1t-worker'], ['int8', 'int8_1t-worker'], ['int8-act7', 'int8_1t-worker']]],
    ['page_', out.sentilab_page, [['fp32', 'fp32_1t'], ['int8', 'int8_1t'], ['int8-act7', 'int8_1t']]],
    ['spin_', out.sentilab_spin, [['fp32', 'fp32_1t'], ['int8', 'int8_1t'], ['fp32', 'fp32_1t-worker'], ['int8', 'int8_1t-worker']]],
  ];
  for (const [prefix, side, peers] of pairs) {
    for (const [kind, peer] of peers) {
      const o = out.ort[peer], s = side[kind];
      const key = `${prefix}${kind}_%_vs_ort_${peer.replace(/^(fp32|int8)_/, '')}`;
      for (const what of ['batched', 'batch1']) {
        out.ratio_sentilab_over_ort[key.replace('%', what)] = ratio(s[`${what}_reviews_per_sec`], o[`${what}_reviews_per_sec`]);
        out.ratio_sentilab_over_ort_best[key.replace('%', what)] = ratio(s.best[`${what}_reviews_per_sec`], o.best[`${what}_reviews_per_sec`]);
      }
    }
  }

  if (out.sentilab_2_workers) {
    // Our default 2 workers against ORT's 2 threads (and 1), batched.
    for (const kind of ['fp32', 'int8']) {
      const s2 = out.sentilab_2_workers[kind];
      for (const t of ['1t', '2t']) {
        const o = out.ort[`${kind}_${t}`];
        out.ratio_sentilab_over_ort[`${kind}_batched_2_workers_vs_ort_${t}`] = ratio(s2.batched_reviews_per_sec, o.batched_reviews_per_sec);
        out.ratio_sentilab_over_ort_best[`${kind}_batched_2_workers_vs_ort_${t}`] = ratio(s2.best.batched_reviews_per_sec, o.best.batched_reviews_per_sec);
      }
      s2.speedup_over_1_worker = +(s2.batched_reviews_per_sec / out.sentilab[kind].batched_reviews_per_sec).toFixed(2);
    }
  }

  // The anchor shape (ORT alone, made-up rows all of length 80,
  // batch 32): reviews/s now against the anchors measured earlier on this
  // machine, a gauge of how loaded it is during this run.
  const anchors = { fp32_1t: 1434, fp32_2t: 2656, int8_1t: 2500, int8_2t: 4402 };
  out.ort_fixed_T80 = {};
  for (const [key, anchor] of Object.entries(anchors)) {
    const [model, t] = key.split('_');
    let rps = 0;
    for (let i = 0; i < 3; i++) { // the best of 3 passes
      const r = await (t === '1t' ? p1 : p2).page.evaluate((a) => window.peer.ortFixed(a), { model, len: 80 });
      rps = Math.max(rps, r.rows / r.seconds);
    }
    out.ort_fixed_T80[key] = { reviews_per_sec: +rps.toPrecision(4), anchor, share_of_anchor: +(rps / anchor).toFixed(2), loadavg: uptime().split(' ')[0] };
    log(`T=80 ${key}: ${rps.toFixed(0)} reviews/s (anchor ${anchor})`);
  }
  await p1.ctx.close();
  await p2.ctx.close();
  await pw.ctx.close();
} finally {
  await close();
  srv.stop();
}
out.machine.loadavg_after = uptime();
out.problems = problems;
console.log(JSON.stringify(out, null, 2));
process.exit(problems.length ? 1 : 0);
