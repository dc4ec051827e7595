// read.mjs: "watch the LSTM read" in the Try step (issue 13), in Debian's
// Chromium against the real server and its shipped models (assets/models).
// Run ./build.sh first (build/server, assets/).
//
// base and the smallest compressed variant (prune → distill → prune →
// int8; READ_SECOND names another) are loaded from the first screen and
// read side by side; from the page's own data (the charts' options, the
// word spans' data attributes, the check lines):
// - each float model's running sentiment after its last word equals the
//   probability the Try table shows (engine predict) within 1e-6; an int8
//   model, read through its dequantized weights, says so and lands within
//   0.02 of its int8 prediction;
// - integrated gradients: the words' attributions (the spans the page drew)
//   sum to F(x) − F(x′) within 1%;
// - the divergence marks are exactly the steps where the two overlaid lines
//   differ by more than 0.1, non-empty, and outlined in the words;
// - the gates chart has 4 series of one value per step, the cell heatmap
//   steps × hidden cells;
// - an unmasked model (thesis) reads its padding as "(pad)" steps and its
//   last step is still its prediction;
// - at 390×844 nothing overflows horizontally; axe-core finds nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, results, startServer, launch, guardedPage, tally } from './lib.mjs';

const started = Date.now();
const { check, fail, finish } = tally();
const problems = [];

const review = 'I wanted to love this film. The first hour is clever, warm and often very funny, and the two leads are wonderful together. ' +
  'Then the script falls apart: the ending is lazy, predictable and far too long, and the villain is a cartoon. A waste of a great cast.';
const second = process.env.READ_SECOND || 'base.prune-distill-prune-int8'; // int8: read through its dequantized weights

const srv = await startServer();
const { browser, close } = await launch();
try {
  const { page } = await guardedPage(browser, problems);
  await page.goto(srv.url);
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.includes('Ready'), null, { timeout: 20000 });
  const waitStatus = (s, timeout = 60000) => page.waitForFunction((s) => document.querySelector('#status')?.textContent.includes(s), s, { timeout });
  const load = async (name) => {
    await page.click('#tab-data');
    await page.waitForSelector(`[id="try-${name}"]`, { timeout: 10000 });
    await page.click(`[id="try-${name}"]`);
    await waitStatus(`Loaded the pre-trained ${name}`);
  };
  await load('base');
  await load(second);
  await page.locator('#review').fill(review);
  await page.click('#predict');
  await waitStatus('Scored the review with 2 model(s)', 30000);
  const t0 = Date.now();
  await page.click('#read-review');
  await waitStatus('Read the review with', 60000);
  await page.waitForFunction(() => document.querySelectorAll('.read-words span.rw').length > 0 && document.getElementById('chart-read-sentiment')?.sentilabChart,
    null, { timeout: 20000 });
  const readMS = Date.now() - t0;

  // Everything the view shows, read back from the page.
  const view = await page.evaluate(() => {
    const opt = (id) => document.getElementById('chart-' + id)?.sentilabChart?.getOption();
    const models = [...document.querySelectorAll('.read-check')].map((p, i) => {
      const spans = [...document.querySelectorAll(`#read-words-${i} span[data-attr]`)];
      return {
        variant: p.dataset.variant, last: Number(p.dataset.last), prediction: Number(p.dataset.prediction), igDiff: Number(p.dataset.igDiff),
        text: p.textContent, attrSum: spans.reduce((s, e) => s + Number(e.dataset.attr), 0),
        steps: spans.reduce((s, e) => s + Number(e.dataset.steps), 0), outlined: spans.filter((e) => e.classList.contains('rw-diverge')).map((e) => Number(e.dataset.step)),
        shown: Number(document.querySelector(`#predictions tr[data-variant="${p.dataset.variant}"] td[data-k=prob]`)?.dataset.value),
        gates: opt('read-gates-' + i)?.series.map((s) => s.data), cells: opt('read-cell-' + i)?.series[0].data.length,
        hidden: opt('read-cell-' + i)?.yAxis[0].data.length,
      };
    });
    const s = opt('read-sentiment');
    return { models, lines: s.series.slice(0, 2).map((x) => x.data.map((v) => (v === '-' ? null : Number(v)))), marks: s.series[2]?.data.map((d) => d[0]) ?? [],
      diverge: document.getElementById('read-diverge')?.textContent ?? '' };
  });
  check('the view reads the review with both models in one request', view.models.length === 2 && view.models[0].variant === 'base' && view.models[1].variant === second,
    `${view.models.map((m) => m.variant).join(' and ')} in ${readMS} ms (click to drawn)`);
  for (const [i, m] of view.models.entries()) {
    const float = !/dequantized/.test(m.text);
    if (float) {
      check(`${m.variant}: the running sentiment after the last word equals the prediction shown in Try (1e-6)`,
        Math.abs(m.last - m.shown) <= 1e-6 && Math.abs(m.last - view.lines[0 + (i ? 1 : 0)].filter((v) => v !== null).at(-1)) <= 1e-6,
        `last step ${m.last}, Try ${m.shown}`);
    } else {
      check(`${m.variant}: an int8 model is read through its dequantized weights, and the view says so`, Math.abs(m.last - m.shown) < 0.02, `${m.last} vs int8 ${m.shown}`);
    }
    const off = Math.abs(m.attrSum - m.igDiff) / Math.abs(m.igDiff);
    check(`${m.variant}: the words' integrated gradients sum to F(x) − F(x′) within 1%`, off <= 0.01, `Σ ${m.attrSum.toFixed(5)}, F(x) − F(x′) ${m.igDiff.toFixed(5)}, off ${(100 * off).toFixed(4)}%`);
    check(`${m.variant}: 4 gate-mean lines of one value per step, in range; the heatmap is steps × hidden`,
      m.gates?.length === 4 && m.gates.every((g) => g.length === m.steps && g.every((v) => v >= -1 && v <= 1)) && m.cells === m.steps * m.hidden,
      `${m.steps} steps, ${m.hidden} units, ${m.cells} cells`);
  }
  // The divergence: exactly the steps where the lines differ by > 0.1.
  const [a, b] = view.lines;
  const want = a.map((v, t) => (b[t] !== null && Math.abs(v - b[t]) > 0.1 ? t : -1)).filter((t) => t >= 0);
  check('the divergence marks are exactly the words where the two lines differ by more than 0.1, and there are some',
    want.length > 0 && want.join() === view.marks.join() && want.join() === view.models[0].outlined.join(),
    `${want.length} of ${a.length} words; ${view.diverge.slice(0, 160)}`);
  await page.waitForTimeout(1500); // ECharts paints a large heatmap over several frames
  await page.locator('#read').screenshot({ path: join(results, 'read-1-side-by-side.png') });

  // The phone: nothing overflows; the words wrap.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(400);
  const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  for (const [k, sel] of [['words', '.read-model'], ['lines', '#chart-read-sentiment']]) {
    await page.evaluate((sel) => { const el = document.querySelector(sel); window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 60); }, sel);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(results, `read-2-phone-${k}.png`) });
  }
  check('at 390×844 the Try step with the reading does not overflow horizontally', w[0] <= w[1], `${w[0]} ≤ ${w[1]}`);
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.evaluate(readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8'));
  const r = await page.evaluate(() => axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
  const axeFound = r.violations.map((v) => `${v.id} (${v.impact}) at ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
  check('no accessibility violations with the reading shown (axe-core, WCAG 2.1 AA)', axeFound.length === 0, axeFound.join(' | ') || 'none');

  // An unmasked model reads its padding, and that changes its answer.
  await load('thesis');
  for (const n of ['base', second]) await page.uncheck(`[id="use-${n}"]`);
  await page.click('#predict');
  await waitStatus('Scored the review with 1 model(s)', 30000);
  await page.click('#read-review');
  await waitStatus('Read the review with thesis', 60000);
  await page.waitForFunction(() => document.querySelector('.read-check')?.dataset.variant === 'thesis' && document.querySelectorAll('.read-check').length === 1 &&
    document.querySelector('#read-words-0 .rw-pad'), null, { timeout: 20000 });
  const th = await page.evaluate(() => {
    const p = document.querySelector('.read-check');
    const spans = [...document.querySelectorAll('#read-words-0 span[data-attr]')];
    return { last: Number(p.dataset.last), shown: Number(document.querySelector('#predictions tr[data-variant=thesis] td[data-k=prob]').dataset.value),
      igDiff: Number(p.dataset.igDiff), attrSum: spans.reduce((s, e) => s + Number(e.dataset.attr), 0),
      pads: Number(document.querySelector('#read-words-0 .rw-pad').dataset.steps), steps: spans.reduce((s, e) => s + Number(e.dataset.steps), 0) };
  });
  check('thesis (no masking) reads its padding as "(pad)" steps, all max_len of them, and its last step is its prediction (1e-6)',
    th.pads > 0 && th.steps === 170 && Math.abs(th.last - th.shown) <= 1e-6, `${th.pads} padding steps of ${th.steps}; ${th.last} vs ${th.shown}`);
  const off = Math.abs(th.attrSum - th.igDiff) / Math.abs(th.igDiff);
  check('thesis: integrated gradients complete within 1%', off <= 0.01, `Σ ${th.attrSum.toFixed(5)}, F(x) − F(x′) ${th.igDiff.toFixed(5)}`);
    const cells = await page.evaluate(() => document.getElementById('chart-read-cell-0').sentilabChart.getOption().series[0].data.length);
  check('thesis: the heatmap holds a cell per unit and step, padding included', cells === 170 * 128, `${cells} cells`);
  await page.locator('#read').screenshot({ path: join(results, 'read-3-thesis-padding.png') });
  // The heatmap on its own, in view: a tall element's screenshot can catch
  // ECharts still painting its 21,760 cells.
  await page.locator('#chart-read-cell-0').scrollIntoViewIfNeeded();
  await page.waitForTimeout(1000);
  await page.locator('#chart-read-cell-0').screenshot({ path: join(results, 'read-4-thesis-cells.png') });
} catch (e) {
  fail(e.stack || e);
} finally {
  await close();
  srv.stop();
}
check('no console errors and no request outside 127.0.0.1', problems.length === 0, problems.join(' | '));
finish('read.mjs: ', ` in ${((Date.now() - started) / 1000).toFixed(1)} s`);
