// scaling.mjs: how training speed scales with Web Workers in Chromium
// (issue 12), a benchmark, not a test. The real server serves the first
// --rows reviews of the shared data; one leader engine worker (the page's
// own engine code, driven by messages) trains full epochs of --preset with
// 1, 2, ... workers, the counts taking turns for --rounds rounds so that a
// change in the machine's load spreads over all of them. Per run: examples/s
// from the first to the last batch's progress message (the batches alone),
// and the whole epoch's seconds (batches, validation, the helpers' start).
// Prints JSON: every run, and per count the median and range, the speed-up
// against 1 worker (of the medians) and the load average around each run.
//
//   node tests/e2e/scaling.mjs [--preset fast] [--rows 6000] [--epochs 1] [--rounds 3] [--workers 1,2]
//
// Run ./build.sh first (assets/, build/server).
import { loadavg, cpus } from 'node:os';
import { writeSlice, startServer, launch, guardedPage } from './lib.mjs';

const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf('--' + name);
  return i >= 0 ? args[i + 1] : def;
};
const preset = arg('preset', 'fast');
const rows = Number(arg('rows', 6000)), epochs = Number(arg('epochs', 1)), rounds = Number(arg('rounds', 3));
const counts = arg('workers', '1,2').split(',').map(Number);
const log = (...a) => console.error(...a);
const load1 = () => +loadavg()[0].toFixed(2);

const slice = writeSlice(rows);
const srv = await startServer(['--data', slice.file]);
const { browser, close } = await launch();
const problems = [];
const out = { preset, rows, epochs, rounds, machine: { cpus: cpus().length }, chromium: browser.version(), runs: [] };
try {
  const { page } = await guardedPage(browser, problems);
  await page.goto(srv.url);
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.includes('Ready'), null, { timeout: 60000 });
  await page.evaluate(() => {
    const w = new Worker('worker.js');
    let next = 0; const calls = new Map();
    w.onmessage = (e) => {
      const m = e.data; const c = calls.get(m.id); if (!c) return;
      if (m.type === 'progress') { c.progress.push({ t: performance.now(), p: m.payload }); return; }
      calls.delete(m.id); m.type === 'error' ? c.reject(new Error(m.payload.message)) : c.resolve({ payload: m.payload, t: performance.now(), progress: c.progress });
    };
    window.benchCall = (type, payload) => new Promise((resolve, reject) => {
      const id = ++next; calls.set(id, { resolve, reject, progress: [] });
      w.postMessage({ id, type, payload });
    });
  });
  const loaded = await page.evaluate(async () => (await window.benchCall('loadData', { url: 'api/data', name: 'slice.csv' })).payload);
  log('loaded', loaded.rows, 'reviews');
  for (let round = 0; round < rounds; round++) {
    // Rotate the order every round: no count always runs first.
    const order = counts.map((_, i) => counts[(i + round) % counts.length]);
    for (const workers of order) {
      const before = load1();
      const req = { preset, epochs, train_limit: 0, workers, name: `w${workers}-r${round}` };
      const r = await page.evaluate(async (req) => {
        const t0 = performance.now();
        const res = await window.benchCall('train', req);
        const batches = res.progress.filter((x) => x.p.phase === 'train');
        const first = batches[0], last = batches[batches.length - 1];
        return { examples: last.p.done - first.p.done, seconds: (last.t - first.t) / 1000, batches: batches.length,
          epoch_seconds: res.payload.history.map((h) => h.seconds), done: last.p.done,
          call_seconds: (res.t - t0) / 1000, test_accuracy: res.payload.test.accuracy };
      }, req);
      const row = { round, workers, batch_examples_per_sec: +(r.examples / r.seconds).toFixed(1),
        epoch_examples_per_sec: +(r.done / r.epoch_seconds.reduce((a, b) => a + b, 0)).toFixed(1),
        epoch_seconds: r.epoch_seconds.map((s) => +s.toFixed(2)), batches: r.batches, test_accuracy: r.test_accuracy,
        loadavg_before: before, loadavg_after: load1() };
      out.runs.push(row);
      log(JSON.stringify(row));
    }
  }
} finally {
  await close();
  srv.stop();
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
out.summary = counts.map((workers) => {
  const rs = out.runs.filter((r) => r.workers === workers);
  const b = rs.map((r) => r.batch_examples_per_sec), e = rs.map((r) => r.epoch_examples_per_sec);
  return { workers, batch_examples_per_sec: { median: median(b), min: Math.min(...b), max: Math.max(...b) },
    epoch_examples_per_sec: { median: median(e), min: Math.min(...e), max: Math.max(...e) } };
});
const one = out.summary.find((s) => s.workers === 1);
if (one) for (const s of out.summary) {
  s.speedup_batches = +(s.batch_examples_per_sec.median / one.batch_examples_per_sec.median).toFixed(2);
  s.speedup_epochs = +(s.epoch_examples_per_sec.median / one.epoch_examples_per_sec.median).toFixed(2);
}
out.problems = problems;
console.log(JSON.stringify(out, null, 2));
process.exit(problems.length ? 1 : 0);
