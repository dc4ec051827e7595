// peer.mjs: the peer benchmark (issue 12). The same model in ONNX Runtime
// Web 1.30 (wasm backend, 1 and 2 threads, cross-origin isolated by our own
// server) and in Sentilab's engine, in the same headless Chromium, on the
// same 1,000 real test reviews, float and int8, batched and batch 1. JSON on
// stdout; BENCHMARKS.md has the numbers. A benchmark, not a test: it is not
// part of ./build.sh test.
//
//   ./build.sh && node tests/e2e/peer.mjs [--reps 3] [--n 1000]
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
//   - Sentilab: the engine worker's evaluate on the same reviews in the same
//     order (peerprep's CSV is laid out so the seeded split returns exactly
//     them), which runs them in chunks of 16 (float) / 8 (int8) rows and skips
//     padding per row; it cleans and tokenizes the texts inside the timed
//     call. One worker, one thread.
//   - batch 1: every 10th review of the sorted list (100, all lengths): ORT
//     session.run on [1, len] token ids; Sentilab the engine's predict message
//     (raw text in, cleaning, tokenizing and the worker round trip included).
// Each cell: one untimed warm-up pass, then --reps timed passes; the median.
// Before timing, ORT's answers are checked against ours (float ≤ 1e-5, int8
// ≤ 0.01 max |Δp|), in Node (peercheck.mjs) and again in the browser, and the
// engine's accuracy against our native runtime's on the same reviews.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, dataPath, startServer, launch, guardedPage } from './lib.mjs';

const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const reps = arg('--reps', 3), n = arg('--n', 1000);
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
  ort: {}, sentilab: {}, checks: [],
};
const check = (ok, what) => { out.checks.push(`${ok ? 'ok' : 'FAIL'} ${what}`); if (!ok) problems.push(what); log(ok ? 'ok' : 'FAIL', what); };

async function openPage(threads) {
  const { page, ctx } = await guardedPage(browser, problems);
  // The generated files come from the temporary folder, not from assets/.
  await ctx.route('**/peer/gen/*', (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop();
    const file = join(gen, name);
    if (!/^[\w.]+$/.test(name) || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ status: 200, path: file, headers: { 'content-type': name.endsWith('.json') ? 'application/json' : 'application/octet-stream' } });
  });
  await page.goto(srv.url + `peer/index.html?threads=${threads}`);
  await page.waitForFunction(() => window.peer, null, { timeout: 60000 });
  const info = await page.evaluate(() => ({ coi: window.peer.crossOriginIsolated, threads: window.peer.threads, n: window.peer.n, version: window.peer.ortVersion }));
  check(info.coi === true, `page with ORT ${threads} thread(s) is cross-origin isolated`);
  check(info.n === ref.n, `page loaded ${info.n} reviews`);
  out.ort_version = info.version;
  return { page, ctx };
}

async function ortCells(page, threads) {
  for (const model of ['fp32', 'int8']) {
    log(`ORT ${model}, ${threads} thread(s), ${uptime()}`);
    const r = await page.evaluate((a) => window.peer.ortRun(a), { model, reps, single });
    const tol = model === 'int8' ? 0.01 : 1e-5;
    check(r.vs_sentilab.max <= tol, `ORT-web ${model} ${threads}t: max |Δp| vs Sentilab ${r.vs_sentilab.max.toExponential(2)} ≤ ${tol} (same label ${r.vs_sentilab.sameLabel}/${ref.n})`);
    out.ort[`${model}_${threads}t`] = { ...round(r), loadavg: uptime() };
    log(JSON.stringify(out.ort[`${model}_${threads}t`]));
  }
}

function round(r) {
  const o = {};
  for (const [k, v] of Object.entries(r)) {
    o[k] = typeof v === 'number' ? +v.toPrecision(4) : Array.isArray(v) ? v.map((x) => +x.toPrecision(4)) : v;
  }
  return o;
}

try {
  // ORT one thread, then Sentilab's engine in the same page, then ORT two
  // threads (numThreads is fixed per page).
  let { page, ctx } = await openPage(1);
  await ortCells(page, 1);
  for (const [kind, file, correct] of [['fp32', ref.model, ref.float_correct], ['int8', ref.int8_model, ref.int8_correct]]) {
    log(`Sentilab ${kind}, ${uptime()}`);
    const r = await page.evaluate((a) => window.peer.engineRun(a), { file, reps, single });
    check(r.evaluated === ref.n, `engine evaluated ${r.evaluated} reviews (want ${ref.n}) of ${r.rows_loaded} loaded`);
    const right = Math.round(r.accuracy * r.evaluated);
    check(Math.abs(right - correct) <= 2, `engine ${kind} (${r.runtime} runtime) gets ${right} right, native ${correct} (same reviews: ≤ 2 apart)`);
    out.sentilab[kind] = { ...round(r), loadavg: uptime() };
    log(JSON.stringify(out.sentilab[kind]));
  }
  await ctx.close();
  ({ page, ctx } = await openPage(2));
  await ortCells(page, 2);
  await ctx.close();

  // Sentilab / ORT: above 1 means Sentilab is faster.
  out.ratio_sentilab_over_ort = {};
  for (const kind of ['fp32', 'int8']) {
    for (const t of [1, 2]) {
      const o = out.ort[`${kind}_${t}t`], s = out.sentilab[kind];
      out.ratio_sentilab_over_ort[`${kind}_batched_vs_${t}t`] = +(s.batched_reviews_per_sec / o.batched_reviews_per_sec).toFixed(3);
      out.ratio_sentilab_over_ort[`${kind}_batch1_vs_${t}t`] = +(s.batch1_reviews_per_sec / o.batch1_reviews_per_sec).toFixed(3);
    }
  }
} finally {
  await close();
  srv.stop();
}
out.machine.loadavg_after = uptime();
out.problems = problems;
console.log(JSON.stringify(out, null, 2));
process.exit(problems.length ? 1 : 0);
