// run.mjs: end-to-end tests of the lab in Debian's Chromium (playwright-core)
// against the real server, on a 2,000-review slice of the shared data.
// Run ./build.sh first. Prints "N passed, M failed"; exits non-zero on any
// failure, any console error, or any request not to 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, results, writeSlice, startServer, launch, guardedPage, tally, offlineFiles } from './lib.mjs';

const started = Date.now();
const { check, fail, finish } = tally();
const problems = [];
const near = (a, b, tol) => Math.abs(a - b) <= tol;

const slice = writeSlice(2000);
// The Go core's own EDA of the same slice is the reference for the numbers shown.
const ref = JSON.parse(execFileSync(join(root, 'build', 'lab'), ['eda', '--data', slice.file, '--json'], { maxBuffer: 64 << 20 }));

// A pre-trained model for the manifest, made by the CLI on the same slice.
const modelDir = join(slice.dir, 'models');
mkdirSync(modelDir);
const pre = JSON.parse(execFileSync(join(root, 'build', 'lab'), ['train', '--preset', 'classroom', '--epochs', '1', '--data', slice.file,
  '--out', join(modelDir, 'cli-classroom.safetensors'), '--json'], { maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] }));
const preBytes = readFileSync(join(modelDir, 'cli-classroom.safetensors'));
writeFileSync(join(modelDir, 'manifest.json'), JSON.stringify({ models: [{ name: 'cli-classroom', file: 'cli-classroom.safetensors',
  bytes: preBytes.length, sha256: createHash('sha256').update(preBytes).digest('hex'), metrics: { test_accuracy: pre.test_accuracy } }] }));

const srv = await startServer(['--data', slice.file, '--models', modelDir]);
const { browser, close } = await launch();
try {
  const { page } = await guardedPage(browser, problems);
  const text = (sel) => page.locator(sel).first().innerText();
  const num = async (sel) => Number((await text(sel)).replace(/[^0-9.\-]/g, ''));
  // main.js counts setOption calls per chart element in el.sentilabDraws.
  const drawn = (id) => page.evaluate((id) => document.getElementById(id)?.sentilabDraws || 0, id);
  const waitStatus = (s, timeout = 60000) => page.waitForFunction((s) => document.querySelector('#status')?.textContent.includes(s), s, { timeout });

  // --- load
  const t0 = Date.now();
  await page.goto(srv.url);
  await waitStatus('Ready', 20000);
  // Timings are reported, not asserted (DESIGN.md: speed is measured by
  // benchmarks, never by timed tests); bench.mjs measures them properly.
  const tti = await page.evaluate(() => [window.sentilabInteractive, performance.now()]);
  check('page renders and the engine is ready', tti[0] > 0, `first render ${tti[0].toFixed(0)} ms, engine ready ${tti[1].toFixed(0)} ms after navigation`);

  // The engine computes with the SIMD128 kernel (core/kernels/kernels_wasm.go),
  // which worker.js enables by handing Go's memory to the SIMD module.
  const kernel = await page.evaluate(() => new Promise((resolve) => {
    const w = new Worker('worker.js');
    w.onmessage = (e) => { if (e.data.type === 'ready') { resolve(e.data.payload.kernel); w.terminate(); } };
  }));
  check('the engine runs the SIMD128 kernel', kernel === 'simd128', `kernel ${kernel}`);

  // --- data: the 2,000-review slice through the file input
  await page.setInputFiles('#data-file', slice.file);
  await waitStatus('EDA of 2000 reviews ready', 60000);
  check('rows shown', (await num('#eda-rows')) === ref.rows, `${await text('#eda-rows')} vs ${ref.rows}`);
  let edaOK = true, edaMsg = [];
  for (const cl of ref.classes) {
    const row = `#eda-classes tr[data-class="${cl.sentiment}"]`;
    const got = {
      count: await num(`${row} td[data-k=count]`), wmean: await num(`${row} td[data-k=wmean]`),
      wmin: await num(`${row} td[data-k=wmin]`), wmax: await num(`${row} td[data-k=wmax]`),
      cmean: await num(`${row} td[data-k=cmean]`), cmin: await num(`${row} td[data-k=cmin]`), cmax: await num(`${row} td[data-k=cmax]`),
    };
    const want = { count: cl.count, wmean: cl.word_count.mean, wmin: cl.word_count.min, wmax: cl.word_count.max,
      cmean: cl.char_length.mean, cmin: cl.char_length.min, cmax: cl.char_length.max };
    for (const k of Object.keys(want)) {
      if (!near(got[k], want[k], k.endsWith('mean') ? 6e-6 : 0)) { edaOK = false; edaMsg.push(`${cl.sentiment}.${k} ${got[k]} != ${want[k]}`); }
    }
    edaMsg.push(`${cl.sentiment}: n ${got.count}, words mean ${got.wmean}, chars mean ${got.cmean}`);
  }
  check('per-sentiment EDA equals the Go core', edaOK, edaMsg.join('; '));
  let pctOK = true; const pctMsg = [];
  for (const p of ref.word_count_percentiles.filter((p) => [5, 50, 95].includes(p.p))) {
    const got = await num(`#eda-pct b[data-p="${p.p}"]`);
    pctOK &&= near(got, p.value, 0.005);
    pctMsg.push(`${p.p}%: ${got} (core ${p.value})`);
  }
  check('word-count percentiles equal the Go core', pctOK, pctMsg.join(', '));
  check('nulls, duplicates, distinct characters', (await num('#eda-nulls')) === ref.null_reviews && (await num('#eda-dups')) === ref.duplicate_reviews && (await num('#eda-chars')) === ref.distinct_chars,
    `nulls ${await text('#eda-nulls')}, duplicates ${await text('#eda-dups')}, chars ${await text('#eda-chars')}`);
  const firstTerm = (await text('#eda-tfidf li')).split(/\s+/)[0];
  check('TF-IDF top term equals the Go core', firstTerm === ref.tfidf.top[0].term, `${firstTerm} (core ${ref.tfidf.top[0].term} ${ref.tfidf.top[0].score.toFixed(6)})`);
  await page.waitForTimeout(300);
  const edaCharts = await Promise.all(['chart-wc', 'chart-cl', 'chart-pct', 'chart-tfidf'].map(drawn));
  check('EDA charts drawn by ECharts', edaCharts.every((n) => n >= 1) && await page.locator('#chart-wc canvas').count() > 0, `draw counts ${edaCharts}`);
  await page.screenshot({ path: join(results, '1-data.png'), fullPage: true });

  // --- train: classroom, 1 epoch
  await page.click('#tab-train');
  await page.selectOption('#preset', 'classroom');
  await page.locator('#f-epochs').fill('1');
  await page.locator('#f-epochs').dispatchEvent('change');
  await page.waitForFunction(() => location.search.includes('epochs=1'), null, { timeout: 5000 });
  check('settings are in the URL', (await page.evaluate(() => location.search)).includes('preset=classroom'), await page.evaluate(() => location.search));
  // Two Web Workers: the engine starts a helper and splits every batch.
  await page.locator('#f-workers').fill('2');
  await page.locator('#f-workers').dispatchEvent('change');
  const trainStart = Date.now();
  await page.click('#train');
  // Drawn while the run goes on (no test accuracy yet), again at its end,
  // and at most every 500 ms between (web/run.go's chartEvery: rebuilding
  // it at every progress message grew the page's JS heap by ~50 MB).
  await page.waitForFunction(() => (document.querySelector('#chart-batch')?.sentilabDraws || 0) >= 1 && !document.querySelector('#test-acc'), null, { timeout: 60000, polling: 20 });
  const b1 = await drawn('chart-batch');
  await page.waitForSelector('#test-acc', { timeout: 120000 });
  const b2 = await drawn('chart-batch'), trainMs = Date.now() - trainStart;
  check('per-batch curve updates while training, at most every 500 ms', b2 > b1 && b1 >= 1 && b2 <= 3 + trainMs / 500,
    `batch chart redrawn ${b1} → ${b2} times in ${trainMs} ms`);
  const acc = await num('#test-acc');
  const histRows = await page.locator('#history tbody tr').count();
  const conf = await page.locator('#confusion td').allInnerTexts();
  const confSum = conf.map(Number).reduce((a, b) => a + b, 0);
  check('1 epoch trained, evaluated on the 400 test reviews', histRows === 1 && confSum === 400 && acc > 0 && acc <= 100,
    `history rows ${histRows}, confusion ${conf.join('/')}, test accuracy ${acc}%`);
  check('epoch curve drawn', (await drawn('chart-epoch')) >= 1);
  check('trained with 2 Web Workers (data-parallel)', (await page.evaluate(() => location.search)).includes('workers=2'));
  const trainStatus = await text('#status');
  console.log('     ' + trainStatus);
  await page.screenshot({ path: join(results, '2-train.png'), fullPage: true });

  // --- cancel a run
  await page.locator('#f-epochs').fill('50');
  await page.locator('#f-epochs').dispatchEvent('change');
  await page.click('#train');
  await page.waitForFunction(() => Number(document.querySelector('#tp-batch')?.textContent || 0) >= 3, null, { timeout: 60000 });
  const tc = await page.evaluate(() => performance.now());
  await page.click('#cancel');
  await waitStatus('Training canceled', 10000);
  const cancelMS = (await page.evaluate(() => performance.now())) - tc;
  // 49 more epochs would take minutes: a few seconds means the cancel landed.
  check('cancel stops a run', cancelMS < 5000, `${cancelMS.toFixed(0)} ms from click to "canceled" shown`);
  check('train button usable again after cancel', await page.locator('#train').isEnabled());

  // --- compress: quantize and prune the trained model
  await page.click('#tab-compress');
  await page.waitForSelector('#c-source option[value=base]', { state: 'attached', timeout: 10000 });
  await page.click('#c-int8');
  await page.waitForFunction(() => document.querySelector('#compress-log')?.textContent.includes('Made base-int8'), null, { timeout: 60000 });
  await page.locator('#c-final').fill('0.8');
  await page.locator('#c-final').dispatchEvent('change');
  await page.click('#c-prune');
  await page.waitForFunction(() => document.querySelector('#compress-log')?.textContent.includes('Made base-prune'), null, { timeout: 120000 });
  const clog = await page.locator('#compress-log li').allInnerTexts();
  console.log('     ' + clog.join('\n     '));
  const nz = /(\d+) of (\d+) weights non-zero/.exec(clog[1]);
  check('pruning to 80% leaves ≤ 25% of the weights non-zero', nz && Number(nz[1]) / Number(nz[2]) <= 0.25, nz && `${nz[1]} of ${nz[2]}`);
  await page.waitForTimeout(300);
  check('compress step draws the sparsity schedule', (await drawn('chart-schedule')) >= 1);
  await page.screenshot({ path: join(results, '3-compress.png'), fullPage: true });

  // --- try: predict a typed review
  await page.click('#tab-try');
  const review = 'An absolutely wonderful film. The acting is brilliant and the story moved me; I loved every minute.';
  await page.locator('#review').fill(review);
  await page.click('#predict');
  await page.waitForSelector('#predictions tr[data-variant=base]', { timeout: 30000 });
  const prob = await num('#predictions tr[data-variant=base] td[data-k=prob]');
  const label = await text('#predictions tr[data-variant=base] td[data-k=label]');
  check('predict shows a probability and a consistent label', prob > 0 && prob < 1 && (label === 'positive') === (prob >= 0.5), `P(positive) ${prob}, ${label}`);
  await page.screenshot({ path: join(results, '5-try.png'), fullPage: true });

  // --- export and re-import
  await page.click('#tab-export');
  await page.waitForSelector('#export-base', { timeout: 10000 });
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export-base')]);
  const modelPath = join(results, 'base.safetensors');
  await dl.saveAs(modelPath);
  const bytes = readFileSync(modelPath);
  const hlen = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + hlen).toString('utf8'));
  check('exported model is a sentilab/1 safetensors file', header.__metadata__?.format === 'sentilab/1' && header['embedding.weight'] && statSync(modelPath).size > 100000,
    `${statSync(modelPath).size} bytes, tensors ${Object.keys(header).filter((k) => k !== '__metadata__').join(' ')}`);
  await page.setInputFiles('#import-file', modelPath);
  await page.waitForFunction(() => document.querySelector('#export-log')?.textContent.includes('Imported'), null, { timeout: 20000 });
  check('model re-imported', (await text('#export-log')).includes('"base-2"'), await text('#export-log li:last-child'));
  await page.click('#tab-try');
  await page.click('#predict');
  await page.waitForSelector('#predictions tr[data-variant=base-2]', { timeout: 30000 });
  const prob2 = await num('#predictions tr[data-variant=base-2] td[data-k=prob]');
  check('re-imported model gives the same probability', prob2 === prob, `${prob2} vs ${prob}`);
  await page.uncheck('#use-base-int8');
  await page.click('#predict');
  await page.waitForFunction(() => !document.querySelector('#predictions tr[data-variant=base-int8]'), null, { timeout: 30000 });
  const scored = await page.locator('#predictions tbody tr').count();
  const q = await page.evaluate(() => decodeURIComponent(location.search));
  check('chosen variants are scored and kept in the URL', scored === 3 && q.includes('variants=base,base-2,base-prune'), `${scored} rows, ${q.slice(q.indexOf('variants'))}`);
  await page.screenshot({ path: join(results, '5-try.png'), fullPage: true });

  // --- compare
  await page.click('#tab-compare');
  await page.waitForFunction(() => document.querySelectorAll('#compare-table tbody tr').length >= 10, null, { timeout: 10000 });
  const rows = (await page.locator('#compare-table tbody tr').allInnerTexts()).filter((r) => !r.startsWith('pre-trained'));
  const kb = (name) => Number(rows.find((r) => r.split('\t')[1] === name)?.split('\t')[3]);
  check('comparison lists the thesis variants and the 4 lab models', rows.length === 9 && rows.some((r) => r.includes('base-2')) && rows[0].includes('86.43%'), `${rows.length} rows`);
  check('int8 and pruned files are smaller than the base', kb('base-int8') < 0.4 * kb('base') && kb('base-prune') < 0.5 * kb('base'),
    `base ${kb('base')} KB, int8 ${kb('base-int8')} KB, pruned ${kb('base-prune')} KB`);
  // the server's pre-trained model: load it (SHA-256 checked) and score it
  // on the loaded data; the CLI scored the same model on the same split.
  await page.click('#load-cli-classroom');
  await page.waitForSelector('#eval-cli-classroom', { timeout: 30000 });
  await page.click('#eval-cli-classroom');
  await waitStatus('cli-classroom: accuracy', 30000);
  const preAcc = Number(/accuracy ([\d.]+)%/.exec(await text('#status'))[1]);
  check('pre-trained model from the manifest loads and scores as the CLI said', Math.abs(preAcc - 100 * pre.test_accuracy) <= 0.5,
    `browser ${preAcc}%, CLI ${(100 * pre.test_accuracy).toFixed(2)}% on the same 400 test reviews`);
  await page.waitForTimeout(300);
  check('accuracy-vs-size scatter drawn', (await drawn('chart-scatter')) >= 1);
  await page.getByRole('button', { name: 'Show weights of base-int8', exact: true }).click();
  await page.waitForSelector('#sparsity tbody tr', { timeout: 10000 });
  const tensors = await page.locator('#sparsity tbody tr').allInnerTexts();
  // int8 shows its steps: at most 255 distinct values per scale group; the
  // embedding has a scale per row, the LSTM kernel one per column.
  const distinct = Number(tensors.find((r) => r.startsWith('lstm.kernel')).split('\t')[4]);
  check('per-tensor table for 6 tensors of the int8 variant', tensors.length === 6, `${tensors.length} tensors, lstm.kernel distinct values ${distinct}`);
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(results, '4-compare-int8.png'), fullPage: true });
  await page.getByRole('button', { name: 'Show weights of base-prune', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('#sparsity caption')?.textContent.includes('base-prune'), null, { timeout: 10000 });
  const emb = (await page.locator('#sparsity tbody tr').first().innerText()).split('\t');
  check('pruned embedding shows its zeros', Number(emb[2]) / Number(emb[1]) >= 0.75, `embedding ${emb[2]} zeros of ${emb[1]} (${emb[3]})`);
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(results, '4-compare.png'), fullPage: true });


  // --- accessibility: axe-core's WCAG 2.1 A/AA and best-practice rules on
  // every step, with data, curves, variants and tables on the page.
  await page.evaluate(readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8'));
  const axeFound = [];
  for (const tab of ['data', 'train', 'compress', 'compare', 'try', 'export']) {
    await page.click('#tab-' + tab);
    await page.waitForTimeout(200);
    const r = await page.evaluate(() => axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
    for (const v of r.violations) axeFound.push(`${tab}: ${v.id} (${v.impact}) at ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
  }
  check('no accessibility violations on any step (axe-core, WCAG 2.1 AA)', axeFound.length === 0, axeFound.join(' | ') || 'labels, names, contrast, landmarks');

  // --- keyboard only: Tab to the Try step, type a review, predict; every
  // stop on the way shows a focus ring.
  await page.click('#tab-data');
  await page.evaluate(() => document.activeElement?.blur());
  const stops = [];
  let noRing = [];
  for (let i = 0; i < 40 && !stops.includes('tab-try'); i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement; const cs = getComputedStyle(el);
      return { id: el.id || el.tagName, ring: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 };
    });
    stops.push(f.id);
    if (!f.ring) noRing.push(f.id);
  }
  await page.keyboard.press('Enter');
  for (let i = 0; i < 20 && await page.evaluate(() => document.activeElement?.id) !== 'review'; i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('A tedious, badly written film.');
  for (let i = 0; i < 20 && await page.evaluate(() => document.activeElement?.id) !== 'predict'; i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  const kbOK = await page.waitForFunction(() => document.querySelector('#predictions')?.textContent.includes('negative'), null, { timeout: 20000 }).then(() => true, () => false);
  check('keyboard only: Tab to the Try step, type, predict', kbOK && noRing.length === 0,
    `${stops.length} Tab stops to the Try step (${stops.join(' ')}), without a focus ring: ${noRing.join(' ') || 'none'}`);


  // --- a shared link restores the state
  const p2 = (await guardedPage(browser, problems)).page;
  await p2.goto(srv.url + '?step=train&preset=thesis&epochs=7&seed=5&masking=true');
  await p2.waitForFunction(() => document.querySelector('#status')?.textContent.includes('Ready'), null, { timeout: 20000 });
  const restored = { preset: await p2.inputValue('#preset'), epochs: await p2.inputValue('#f-epochs'), seed: await p2.inputValue('#f-seed'), mask: await p2.isChecked('#f-masking') };
  check('a shared URL restores preset and hyperparameters', restored.preset === 'thesis' && restored.epochs === '7' && restored.seed === '5' && restored.mask,
    JSON.stringify(restored));

  // --- the server's dataset
  await p2.click('#tab-data');
  await p2.click('#load-server');
  await p2.waitForFunction(() => document.querySelector('#status')?.textContent.includes('EDA of 2000 reviews ready'), null, { timeout: 60000 });
  check("the server's dataset loads through /api/data", (await p2.innerText('#eda-rows')) === '2000');

  // --- offline after the first visit (service worker, network first): a
  // fresh context's one visit, the worker registered once the engine is
  // ready (main.js) and storing what the page loaded before it (sw.js)
  const p3 = (await guardedPage(browser, problems)).page;
  const wasmAsked = [];
  p3.context().on('request', (r) => { const f = new URL(r.url()).pathname.slice(1); if (/\.wasm/.test(f)) wasmAsked.push(f); });
  await p3.goto(srv.url);
  await p3.waitForFunction(() => document.querySelector('#status')?.textContent.includes('Ready'), null, { timeout: 30000 });
  // load_wasm.js: the gzip copies, inflated by the page and the worker (a
  // failure there falls back to the .wasm, which this would show).
  check('the page and its engine load the wasm from its gzip copies', wasmAsked.sort().join() === 'engine.wasm.gz,ui.wasm.gz', wasmAsked.join(', '));
  const early = await p3.evaluate(() => navigator.serviceWorker.getRegistrations().then((r) => r.length));
  const keys = await offlineFiles(p3, 11);
  check('one visit stores the page, its code and the model list', keys >= 11, `${keys} files`);
  await p3.context().setOffline(true);
  await p3.reload();
  const offline = await p3.waitForFunction(() => document.querySelector('#status')?.textContent.includes('Ready'), null, { timeout: 30000 }).then(() => true, () => false);
  check('the lab starts offline after one visit', offline);
  check('the service worker is registered after the engine is ready, not with the page', early === 0, `${early} registration(s) at "Ready"`);
  await p3.context().setOffline(false);
} catch (err) {
  fail('exception: ' + (err.stack || err));
} finally {
  await close();
  srv.stop();
  rmSync(slice.dir, { recursive: true, force: true });
}
check('no console errors and no request outside 127.0.0.1', problems.length === 0, problems.join(' | '));
console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in testresults/)`);
finish();
