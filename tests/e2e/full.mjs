// full.mjs: the acceptance run of the issue, in Chromium: a preset (the
// classroom's by default) on all 40,000 training reviews of the shared data
// (served by the real server at /api/data) for the preset's epochs (3 for
// classroom, 12 unmasked for thesis); prints wall time, examples/s and test
// accuracy as JSON. Takes minutes (thesis: ~12 min on 2 quiet cores): not
// part of run.mjs.
//
//   node tests/e2e/full.mjs [--preset classroom|fast|thesis] [--workers 2] [--epochs N]
//
// Workers default to the page's default (web.DefaultWorkers, 2). Exits 1 on
// a page problem, or for classroom below 85% test accuracy.
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
  const args = process.argv.slice(2);
  const flag = (name, def) => (args.indexOf('--' + name) >= 0 ? args[args.indexOf('--' + name) + 1] : def);
  const arg = { preset: flag('preset', 'classroom'), workers: Number(flag('workers', 2)), epochs: Number(flag('epochs', 0)) };
  page.on('console', (m) => { if (m.type() === 'log') console.error(m.text()); });
  out = await page.evaluate(async (arg) => {
    const { preset, workers } = arg;
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
    const req = { preset, train_limit: 0, workers };
    if (arg.epochs) req.epochs = arg.epochs;
    const res = await call('train', req, (p) => {
      if (p.phase === 'train' && performance.now() - lastLog > 30000) {
        lastLog = performance.now();
        console.log(`epoch ${p.epoch} batch ${p.batch}/${p.batches} loss ${p.loss.toFixed(4)} acc ${p.accuracy.toFixed(4)} ${p.examples_per_sec.toFixed(0)} ex/s`);
      }
    });
    const t2 = performance.now();
    return { preset, workers, rows: data.rows, load_seconds: (t1 - t0) / 1000, train_call_seconds: (t2 - t1) / 1000,
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
process.exit(problems.length || (out.preset === 'classroom' && !(out.test_accuracy >= 0.85)) ? 1 : 0);
