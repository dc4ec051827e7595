import { writeSlice, startServer, launch, guardedPage } from './lib.mjs';
const slice = writeSlice(4000);
const srv = await startServer(['--data', slice.file]);
const { browser, close } = await launch();
try {
  const { page } = await guardedPage(browser, []);
  page.on('console', (m) => console.log(m.text()));
  page.on('worker', (w) => w.on('console', (m) => console.log('W', m.text())));
  await page.goto(srv.url);
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.includes('Ready'), null, { timeout: 30000 });
  await page.evaluate(async () => {
    const w = new Worker('worker.js');
    let next = 0; const calls = new Map();
    w.onmessage = (e) => { const m = e.data; const c = calls.get(m.id); if (!c || m.type === 'progress') return; calls.delete(m.id); c(m); };
    const call = (type, payload) => new Promise((r) => { const id = ++next; calls.set(id, r); w.postMessage({ id, type, payload }); });
    await call('loadData', { url: 'api/data' });
    for (const workers of [1, 2]) await call('train', { preset: 'fast', train_limit: 0, epochs: 1, val_split: 0, test_frac: 0.05, workers, max_batches: 6 });
  });
} finally { await close(); srv.stop(); }
