// act7.mjs: the int8 runtime's opt-in 7-bit hidden state (issue 12;
// core/compress/act7.go), the fast path relaxed SIMD gives int8 at batch 1.
// In Chromium the engine worker, driven by messages as the lab drives it,
// scores the shipped base.int8 on a 12,000-review slice's test split (2,400
// reviews: alone, and shared with a helper Web Worker) and must give the
// command line's loss to the last digit with --act7, and its 8-bit loss
// without: the relaxed kernel is pinned against the native Go loops on real
// data. A review with accents, emoji and curly quotes, predicted through the
// worker, must score as `lab predict` scores it (its text comes into Go by
// TextEncoder.encodeInto). The reply flag a page may spin on for a short
// reply (wasm/engine/doc.go) carries each reply's id. Then the page: Try
// offers the option for an int8 model, marks the rows it scored so, keeps
// it in the link through a reload, and at 390 px.
// Run ./build.sh first. Prints "N passed, M failed"; exits non-zero on any
// failure, any console error, or any request not to 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { root, results, writeSlice, startServer, launch, guardedPage, tally } from './lib.mjs';

const started = Date.now();
const { check, fail, finish } = tally();
const problems = [];
const lab = (args) => JSON.parse(execFileSync(join(root, 'build', 'lab'), args, { maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] }));

const slice = writeSlice(12000);
const model = join(root, 'assets', 'models', 'base.int8.safetensors');
const cli8 = lab(['eval', '--model', model, '--data', slice.file, '--split', 'test', '--json']);
const cli7 = lab(['eval', '--model', model, '--data', slice.file, '--split', 'test', '--act7', '--json']);
check('the command line: --act7 changes the loss, and little (|Δ accuracy| ≤ 0.5 pt)', cli7.act7 === true && cli7.loss !== cli8.loss &&
  Math.abs(cli7.accuracy - cli8.accuracy) <= 0.005 && cli7.n === 2400,
  `8 bits ${cli8.accuracy} / ${cli8.loss}, 7 bits ${cli7.accuracy} / ${cli7.loss} on ${cli7.n}`);

// Strong words after multi-byte characters: lost or mangled bytes would move P.
const unicodeReview = 'Café scenes 😀👍🏽 and a naïve “hero” — but the ending was dreadful, boring and awful';
const cliU = lab(['predict', '--model', model, '--json', unicodeReview])[0];

const srv = await startServer(['--data', slice.file]);
const { browser, close } = await launch();
const waitStatus = (page, s, timeout = 60000) => page.waitForFunction((s) => document.querySelector('#status')?.textContent.includes(s), s, { timeout });
try {
  const { page } = await guardedPage(browser, problems);
  await page.goto(srv.url);
  await waitStatus(page, 'Ready', 30000);

  // --- 1. the engine, pinned against the command line
  const e = await page.evaluate(async (unicodeReview) => {
    const w = new Worker('worker.js');
    let next = 0, ready;
    const calls = new Map(), isReady = new Promise((r) => { ready = r; });
    w.onmessage = (ev) => {
      const m = ev.data;
      if (m.type === 'ready') return ready(m.payload);
      const c = calls.get(m.id);
      if (!c || m.type === 'progress') return;
      calls.delete(m.id);
      if (m.type === 'error') c.reject(new Error(m.payload.message)); else c.resolve(m.payload);
    };
    const call = (type, payload) => new Promise((resolve, reject) => {
      const id = ++next;
      calls.set(id, { resolve, reject });
      w.postMessage({ id, type, payload });
    });
    const out = { ready: await isReady };
    await call('loadData', { url: 'api/data', name: 'slice.csv' });
    const info = await call('importModel', { url: 'models/base.int8.safetensors', name: 'q' });
    out.e7 = await call('evaluate', { variant: info.name, act7: true });
    out.e7shared = await call('evaluate', { variant: info.name, act7: true, workers: 2 });
    out.e8 = await call('evaluate', { variant: info.name, workers: 2 });
    const text = 'A slow start, then a wonderful second half: I would watch it again.'; // as in part 2
    out.p7 = (await call('predict', { text, variants: [info.name], act7: true })).results[0];
    out.p8 = (await call('predict', { text, variants: [info.name] })).results[0];
    out.pu = await call('predict', { text: unicodeReview, variants: [info.name] });
    // The reply flag (wasm/engine/doc.go): after a request's result or
    // error the worker stores its id; a caller spinning on it sees the id
    // and then gets the same reply.
    out.coi = window.crossOriginIsolated;
    // A flag that is not shared memory is ignored (with a warning), and
    // the worker goes on answering.
    w.postMessage({ type: 'replyFlag', flag: new Int32Array(1) });
    out.afterBadFlag = (await call('predict', { text, variants: [info.name] })).results[0].probability;
    const flag = new Int32Array(new SharedArrayBuffer(4));
    w.postMessage({ type: 'replyFlag', flag });
    out.spin = { seen: 0, same: 0, n: 20 };
    for (let k = 0; k < out.spin.n; k++) {
      const id = next + 1, reply = call('predict', { text, variants: [info.name] });
      const end = performance.now() + 1000;
      while (Atomics.load(flag, 0) !== id && performance.now() < end) { /* spinning */ }
      if (Atomics.load(flag, 0) === id) out.spin.seen++;
      if ((await reply).results[0].probability === out.p8.probability) out.spin.same++;
    }
    const errId = next + 1;
    out.spin.error = await call('predict', { text: ' ', variants: [info.name] }).then(() => '', (err) => err.message);
    out.spin.errorFlag = Atomics.load(flag, 0) === errId;
    w.terminate();
    return out;
  }, unicodeReview);
  check('Chromium runs relaxed SIMD (the engine says so when it starts)', e.ready.relaxed === true, JSON.stringify(e.ready));
  check('in the browser, the 7-bit hidden state gives lab eval --act7\'s loss exactly', e.e7.act7 === true && e.e7.loss === cli7.loss &&
    e.e7.accuracy === cli7.accuracy, `page ${e.e7.accuracy} / ${e.e7.loss}, CLI ${cli7.accuracy} / ${cli7.loss}`);
  check('the same with the split shared with a helper Web Worker', e.e7shared.act7 === true && e.e7shared.loss === cli7.loss,
    `${e.e7shared.loss}`);
  check('without the option, the 8-bit loss of lab eval', e.e8.act7 !== true && e.e8.loss === cli8.loss, `${e.e8.loss} vs ${cli8.loss}`);
  // The review comes into Go through encodeInto (wasm/engine/jsstring_js.go):
  // its words after the accents and emoji must arrive whole, as the command
  // line reads them from its arguments.
  check('a review with accents, emoji and curly quotes scores as lab predict scores it',
    Math.fround(e.pu.results[0].probability) === Math.fround(cliU.positive) && e.pu.cleaned.includes('café') && e.pu.cleaned.trim().endsWith('dreadful boring awful'),
    `P ${e.pu.results[0].probability}, CLI ${cliU.positive}; cleaned "${e.pu.cleaned}"`);
  check('the reply flag: a caller spinning on it sees each prediction\'s id, then gets the same reply; an error sets it too; a flag not in shared memory is ignored',
    e.coi === true && e.spin.seen === e.spin.n && e.spin.same === e.spin.n && e.spin.error.includes('empty') && e.spin.errorFlag &&
    e.afterBadFlag === e.p8.probability, JSON.stringify(e.spin));
  check('a prediction says it used the 7-bit hidden state, and moves by < 0.02', e.p7.act7 === true && e.p8.act7 !== true &&
    Math.abs(e.p7.probability - e.p8.probability) < 0.02 && e.p7.probability !== e.p8.probability,
    `P ${e.p7.probability} (7 bits), ${e.p8.probability} (8 bits)`);

  // --- 2. the page: Try's option
  await page.click('[id="try-base.int8"]');
  await waitStatus(page, 'Loaded the pre-trained base.int8');
  check('Try offers the 7-bit hidden state for an int8 model, off, and says this browser runs it fast',
    await page.locator('#act7').isVisible() && !(await page.locator('#act7').isChecked()) &&
    (await page.innerText('#act7-note')).includes('Relaxed SIMD'), await page.innerText('#act7-note'));
  // A review near the boundary: P's float32 steps are finest there, so the
  // two hidden states' logits (which always differ) give different P.
  const review = 'A slow start, then a wonderful second half: I would watch it again.';
  await page.locator('#review').fill(review);
  await page.check('#act7');
  await page.click('#predict');
  await waitStatus(page, 'Scored the review with 1 model(s)', 30000);
  const row = page.locator('#predictions tr[data-variant="base.int8"]');
  const p7 = Number(await row.locator('td[data-k=prob]').getAttribute('data-value'));
  check('the row scored with it is marked "7-bit h"', (await row.locator('td').first().innerText()).includes('7-bit h') &&
    page.url().includes('act7=true'), `${await row.locator('td').first().innerText()} | ${page.url()}`);
  // Watching it read: the reading's prediction is the table's, 7 bits too.
  await page.click('#read-review');
  await page.waitForSelector('.read-check[data-variant="base.int8"]', { timeout: 30000 });
  const readP = Number(await page.getAttribute('.read-check[data-variant="base.int8"]', 'data-prediction'));
  check('watching it read gives the same prediction as the table', readP === p7, `read ${readP}, table ${p7}`);
  await page.waitForFunction(() => window.sentilabSaved?.models?.includes('base.int8'), null, { timeout: 30000 });
  await page.reload();
  await waitStatus(page, 'Restored your lab', 60000);
  await page.waitForSelector('#act7', { timeout: 30000 }); // the lab's saved base.int8 is back
  check('a reload keeps the option (it is in the link)', await page.locator('#act7').isChecked(), page.url());
  await page.uncheck('#act7');
  await page.click('#predict');
  await waitStatus(page, 'Scored the review with 1 model(s)', 30000);
  const p8 = Number(await row.locator('td[data-k=prob]').getAttribute('data-value'));
  check('unchecked: the 8-bit score, unmarked, a little apart', !(await row.locator('td').first().innerText()).includes('7-bit h') &&
    p8 !== p7 && Math.abs(p8 - p7) < 0.02 && !page.url().includes('act7'), `P ${p7} (7 bits), ${p8} (8 bits)`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  await page.screenshot({ path: join(results, 'act7-try-390.png'), fullPage: true });
  check('at 390 px the Try step does not overflow', w[0] <= w[1], `${w[0]} ≤ ${w[1]}`);
} catch (err) {
  fail('exception: ' + (err.stack || err));
} finally {
  await close();
  srv.stop();
  rmSync(slice.dir, { recursive: true, force: true });
}
check('no console errors and no request outside 127.0.0.1', problems.length === 0, problems.slice(0, 5).join(' | '));
console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in testresults/)`);
finish();
