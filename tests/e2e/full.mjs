// full.mjs: the acceptance run of the issue, in Chromium: the classroom
// preset on all 40,000 training reviews of the shared data (served by the
// real server at /api/data) for 3 epochs; prints wall time and test
// accuracy as JSON. Takes minutes: not part of run.mjs.
//
//   node tests/e2e/full.mjs [workers]      (default: hardware concurrency − 1)
import { loadavg } from 'node:os';
import { dataPath, startServer, launch, guardedPage } from './lib.mjs';

const srv = await startServer(['--data', dataPath()]);
const { browser, close } = await launch();
const problems = [];
let out;
try {
  const { page } = await guardedPage(browser, problems);
  await page.goto(srv.url);
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.includes('Ready'), null, { timeout: 60000 });
  const arg = process.argv[2] ? Number(process.argv[2]) : 0;
  page.on('console', (m) => { if (m.type() === 'log') console.error(m.text()); });
  out = await page.evaluate(async (arg) => {
    const workers = arg || Math.max(1, navigator.hardwareConcurrency - 1);
    const w = new Worker('worker.js');
    let next = 0; const calls = new Map();
    w.onmessage = (e) => {
      const m = e.data; const c = calls.get(m.id); if (!c) return;
      if (m.type === 'progress') { c.onProgress && c.onProgress(m.payload); return; }
      calls.delete(m.id); m.type === 'error' ? c.reject(new Error(m.payload.message)) : c.resolve(m.payload);
    };
    const call = (type, payload, onProgress) => new Promise((resolve, reject) => {
      const id = ++next; calls.set(id, { resolve, reject, onProgress }); w.postMessage({ id, type, payload });
    });
    const t0 = performance.now();
    const data = await call('loadData', { url: 'api/data', name: 'imdb-50k.csv.gz' });
    const t1 = performance.now();
    let lastLog = 0;
    const res = await call('train', { preset: 'classroom', train_limit: 0, epochs: 3, workers }, (p) => {
      if (p.phase === 'train' && performance.now() - lastLog > 30000) {
        lastLog = performance.now();
        console.log(`epoch ${p.epoch} batch ${p.batch}/${p.batches} loss ${p.loss.toFixed(4)} acc ${p.accuracy.toFixed(4)} ${p.examples_per_sec.toFixed(0)} ex/s`);
      }
    });
    const t2 = performance.now();
    return { workers, rows: data.rows, load_seconds: (t1 - t0) / 1000, train_call_seconds: (t2 - t1) / 1000,
      fit_seconds: res.seconds, examples_per_sec: res.examples_per_sec, train_rows: res.train_rows,
      history: res.history, test_accuracy: res.test.accuracy, test_n: res.test.n, confusion: res.test.confusion };
  }, arg);
} finally {
  await close();
  srv.stop();
}
out.loadavg = loadavg();
out.problems = problems;
console.log(JSON.stringify(out, null, 2));
process.exit(problems.length || !(out.test_accuracy >= 0.85) ? 1 : 0);
