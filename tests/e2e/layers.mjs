// layers.mjs: compression seen layer by layer (issue 13), in the page with
// the server's real pre-trained base and base.int8 and a slice of the real
// data (the first 1,500 reviews; the base's test split of it is 300): the
// sensitivity table, whose lstm.kernel row must equal a direct
// re-evaluation of the selective variant that quantizes only lstm.kernel on
// the same reviews; the overlaid histograms (counts sum to the tensor sizes
// and equal `lab layers`'s); the diff of base → base.int8 (equal to `lab
// layers --against`, computed natively from the two files); the Pareto front
// (exactly the non-dominated points). axe-core and a 390×844 viewport on
// both views. Run ./build.sh first (build/lab, build/server, assets/).
// Prints "N passed, M failed"; exits non-zero on any failure, console error or request not to 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { root, results, writeSlice, startServer, launch, guardedPage, tally } from './lib.mjs';

const started = Date.now();
const { check, fail, finish } = tally();
const problems = [];

const N = 200; // sensitivity reviews: the first 200 of the base's test split
const slice = writeSlice(1500);
const srv = await startServer(['--data', slice.file]);
const { browser, close } = await launch();
// The reference, computed natively from the two files.
const cli = JSON.parse(execFileSync(join(root, 'build', 'lab'), ['layers', '--model', 'assets/models/base.safetensors',
  '--against', 'assets/models/base.int8.safetensors', '--bins', '40', '--json'], { cwd: root, encoding: 'utf8' }));
try {
  const { page } = await guardedPage(browser, problems);
  page.on('dialog', (d) => d.accept());
  const waitStatus = (s, timeout = 60000) => page.waitForFunction((s) => document.querySelector('#status')?.textContent.includes(s), s, { timeout });
  const setInput = async (sel, v) => { await page.locator(sel).fill(String(v)); await page.locator(sel).dispatchEvent('change'); };
  const option = (id) => page.evaluate((id) => {
    const c = document.getElementById(id)?.sentilabChart;
    return c ? JSON.parse(JSON.stringify(c.getOption())) : null;
  }, id);
  const tableRows = (sel) => page.$$eval(sel + ' tbody tr', (rs) => rs.map((r) => ({ ...r.dataset, cells: [...r.children].map((c) => c.textContent) })));

  await page.goto(srv.url);
  await waitStatus('Ready', 30000);
  await page.click('#load-server');
  await waitStatus('EDA of 1500 reviews ready', 120000);
  await page.click('#tab-compare');
  await page.click('#load-base');
  await waitStatus('Loaded the pre-trained base as', 120000);
  await page.click('[id="load-base.int8"]');
  await waitStatus('Loaded the pre-trained base.int8 as', 120000);

  // --- 1. storage errors and sensitivity of the base
  await page.click('#tab-compress');
  await page.selectOption('#l-variant', 'base');
  const ts = Date.now();
  await page.click('#l-stats');
  await waitStatus('Per-tensor storage errors of base measured');
  const statsSeconds = (Date.now() - ts) / 1000;
  let rows = await tableRows('#layers-table');
  const stat = (name) => cli.stats.find((s) => s.name === name);
  check('storage errors: int8 RMS error per tensor equals lab layers\'s', rows.length === 6 && rows.every((r) => Number(r.int8Rms) === stat(r.tensor).int8_rms),
    rows.map((r) => `${r.tensor} ${r.cells[2]}`).join(' | ') + ` (${statsSeconds.toFixed(1)} s)`);
  check('biases stay float32 in the int8 file', rows.filter((r) => r.tensor.endsWith('bias')).every((r) => r.cells[2] === 'stays float32'));

  await setInput('#l-reviews', N);
  const t0 = Date.now();
  await page.click('#l-sens');
  await page.waitForSelector(`#layers-table[data-n="${N}"]`, { timeout: 120000 });
  const sensSeconds = (Date.now() - t0) / 1000;
  rows = await tableRows('#layers-table');
  const base = await page.$eval('#layers-table', (t) => ({ acc: Number(t.dataset.accuracy), loss: Number(t.dataset.loss), caption: t.querySelector('caption').textContent }));
  const kernel = rows.find((r) => r.tensor === 'lstm.kernel');
  check('sensitivity measured on the stated reviews', base.caption.includes(`the first ${N} reviews of the test split`) && base.acc > 0.7,
    `${base.caption} (${sensSeconds.toFixed(1)} s)`);
  const has = (v) => v !== undefined && v !== '';
  const matrices = rows.filter((r) => has(r.daccInt8) && has(r.daccPrune));
  check('every weight matrix has an int8 and a pruned change, biases none', matrices.length === 4 && matrices.every((r) => !r.tensor.endsWith('bias')),
    rows.map((r) => `${r.tensor}: ${r.cells[5]} / ${r.cells[6]}`).join(' | '));
  check('Δaccuracy = accuracy with only the tensor int8 − base', Math.abs(Number(kernel.daccInt8) - (Number(kernel.accInt8) - base.acc)) < 1e-12,
    `${kernel.accInt8} − ${base.acc} = ${kernel.daccInt8}`);
  const sens = await option('chart-layers-sens');
  const bars = sens?.series?.[0]?.data?.map((d) => (typeof d === 'object' ? d.value : d));
  check('the sensitivity bar chart draws the table\'s int8 changes', bars && bars.length === 4 &&
    bars.every((v, i) => Math.abs(v - 100 * Number(matrices[i].daccInt8)) < 1e-3), JSON.stringify(bars));
  await page.locator('#layers-panel').screenshot({ path: join(results, 'layers-sensitivity.png') });

  // --- 2. the direct re-evaluation: keep every other matrix in float32,
  // so only lstm.kernel is int8, and score that variant on the same reviews
  for (const t of ['embedding.weight', 'lstm.kernel', 'lstm.recurrent', 'dense.weight']) {
    await page.setChecked(`[id="l-keep-${t}"]`, t !== 'lstm.kernel');
  }
  const label = await page.innerText('#l-selective');
  check('the button names what stays float32', label === 'Quantize all but embedding.weight, lstm.recurrent, dense.weight', label);
  await page.click('#l-selective');
  await waitStatus('Made base-selective', 120000);
  const made = await page.innerText('#status');
  await page.selectOption('#l-variant', 'base-selective');
  await page.click('#l-sens');
  await page.waitForFunction((n) => document.querySelector(`#layers-table[data-n="${n}"] caption`)?.textContent.includes('base-selective'), N, { timeout: 120000 });
  const sel = await page.$eval('#layers-table', (t) => ({ acc: Number(t.dataset.accuracy), loss: Number(t.dataset.loss) }));
  check('lstm.kernel\'s int8 sensitivity equals the selective variant (only lstm.kernel int8) re-evaluated on the same reviews',
    sel.acc === Number(kernel.accInt8) && sel.loss === Number(kernel.lossInt8) && sel.loss !== base.loss,
    `table: accuracy ${kernel.accInt8}, loss ${kernel.lossInt8} (base ${base.loss}); re-evaluation ${sel.acc}, ${sel.loss}; ${made}`);
  const selRows = await tableRows('#layers-table');
  check('in the selective variant lstm.kernel is already int8 (no int8 error left), the kept tensors are still float32',
    Number(selRows.find((r) => r.tensor === 'lstm.kernel').int8Rms) < 1e-6 && Number(selRows.find((r) => r.tensor === 'lstm.recurrent').int8Rms) > 1e-3,
    selRows.map((r) => `${r.tensor} ${r.int8Rms}`).join(' | '));

  // --- 3. Compare: histograms and diff of base and base.int8
  await page.click('#tab-compare');
  await page.selectOption('#lc-a', 'base');
  await page.selectOption('#lc-b', 'base.int8');
  await page.click('#lc-run');
  await waitStatus('Compared the weights of base and base.int8');
  await page.waitForSelector('#diff-table tbody tr');
  const sizes = Object.fromEntries(cli.stats.map((s) => [s.name, s.size]));
  const histOK = [], histBad = [];
  for (const h of cli.histograms) {
    const o = await option('chart-lhist-' + h.name);
    const counts = o?.series?.map((s) => s.data.map((d) => (typeof d === 'object' ? d.value : d)));
    const sums = counts?.map((c) => c.reduce((a, b) => a + b, 0));
    const same = counts && counts.length === 2 && counts.every((c, v) => c.length === 40 && c.every((x, i) => x === h.counts[v][i]));
    (sums && sums[0] === sizes[h.name] && sums[1] === sizes[h.name] && same ? histOK : histBad).push(`${h.name}: ${sums} of ${sizes[h.name]}`);
  }
  check('each tensor\'s overlaid histograms count all its weights, bin for bin as lab layers does', histBad.length === 0 && histOK.length === 6,
    (histBad.length ? histBad : histOK).join(' | '));
  const diff = await tableRows('#diff-table');
  const dBad = diff.filter((r) => {
    const c = cli.diff.find((x) => x.name === r.tensor);
    return !c || Number(r.changed) !== c.changed || Number(r.max) !== c.max_abs || Math.abs(Number(r.rms) - c.rms) > 1e-15 * Math.max(1, c.rms);
  });
  check('the diff base → base.int8 equals lab layers --against on the two files', diff.length === 6 && dBad.length === 0,
    diff.map((r) => `${r.tensor}: ${r.cells[2]} changed, max ${r.cells[3]}`).join(' | '));
  check('int8 leaves the biases alone and moves almost every matrix weight',
    diff.filter((r) => r.tensor.endsWith('bias')).every((r) => r.changed === '0') && Number(diff[0].changed) > 0.9 * sizes['embedding.weight']);
  await page.locator('#layers-compare').screenshot({ path: join(results, 'layers-compare.png') });

  // --- 4. the Pareto front of the accuracy-vs-size scatter
  const sc = await option('chart-scatter');
  const pts = [];
  for (const s of sc.series) {
    if (s.name === "server's pre-trained" || s.name === 'this class') for (const d of s.data) pts.push({ name: d.name, x: d.value[0], y: d.value[1] });
  }
  const nd = pts.filter((p) => !pts.some((q) => q !== p && q.x <= p.x && q.y >= p.y && (q.x < p.x || q.y > p.y))).map((p) => p.name).sort();
  const front = sc.series.find((s) => s.name === 'Pareto front');
  const fn = (front?.data ?? []).map((d) => d.name).sort();
  check('the Pareto front is exactly the non-dominated measured models', front && fn.length > 0 && JSON.stringify(fn) === JSON.stringify(nd),
    `front ${fn.join(', ')} of ${pts.length} points`);
  check('the front is a line, sorted by size, with a legend entry', front?.type === 'line' &&
    front.data.every((d, i) => i === 0 || d.value[0] >= front.data[i - 1].value[0]) && (sc.legend?.[0]?.data ?? [front.name]).includes('Pareto front'));
  await page.locator('#chart-scatter').screenshot({ path: join(results, 'layers-pareto.png') });

  // --- 5. accessibility and a phone, with both views filled
  await page.evaluate(readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8'));
  const axeFound = [], over = [];
  for (const tab of ['compress', 'compare']) {
    await page.click('#tab-' + tab);
    await page.waitForTimeout(300);
    const r = await page.evaluate(() => axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
    for (const v of r.violations) axeFound.push(`${tab}: ${v.id} (${v.impact}) at ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
  }
  check('no accessibility violations with the layer views filled (axe-core)', axeFound.length === 0, axeFound.join(' | '));
  await page.setViewportSize({ width: 390, height: 844 });
  for (const tab of ['compress', 'compare']) {
    await page.click('#tab-' + tab);
    await page.waitForTimeout(400);
    const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    if (w[0] > w[1]) over.push(`${tab}: ${w[0]} > ${w[1]}`);
    await page.screenshot({ path: join(results, `layers-390-${tab}.png`), fullPage: true });
    await page.locator(tab === 'compress' ? '#layers-panel' : '#layers-compare').screenshot({ path: join(results, `layers-390-${tab}-view.png`) });
  }
  check('at 390×844 nothing overflows horizontally', over.length === 0, over.join(', '));
} catch (e) {
  fail(e.stack || e);
} finally {
  await close();
  srv.stop();
  rmSync(slice.dir, { recursive: true, force: true });
}
for (const p of problems) fail(p);
finish('', ` (${((Date.now() - started) / 1000).toFixed(0)} s)`);
