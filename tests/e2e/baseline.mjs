// baseline.mjs: issue 13 in the page, on a real slice (the first 4,000
// reviews) with the shared rt-polarity set as the server's second dataset:
//   - the TF-IDF baseline trained in the page scores what `lab baseline`
//     scores on the same slice and split (accuracy and confusion), and its
//     confusion matrix in Compare sums to the test count and agrees;
//   - Try's box lists its top n-grams for an obviously positive review,
//     each signed as it pushes;
//   - the padding selector changes the trained model's config (Compare's
//     padding column, from the variant's info) and the link; the "other
//     end" lesson trains the same model with the other side;
//   - the second dataset scores every variant (LSTMs, a shipped model, the
//     baseline), and the shipped model's score equals `lab eval`'s on it;
//   - a reload brings every variant back from IndexedDB, the baseline with
//     its figures and out-of-domain score;
//   - axe-core finds nothing; nothing overflows at 390×844.
// `node tests/e2e/baseline.mjs --full` instead times the baseline's training
// in Chromium on the full data (40,000 training reviews): a measurement, not a test.
// Run ./build.sh first. Prints "N passed, M failed"; exits non-zero on any
// failure, console error or request not to 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { root, results, dataPath, writeSlice, startServer, launch, guardedPage, tally } from './lib.mjs';

const started = Date.now();
const { check, fail, finish } = tally();
const problems = [];
const lab = (args) => JSON.parse(execFileSync(join(root, 'build', 'lab'), args, { maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] }));
const full = process.argv.includes('--full');

// chromiumCPU is the CPU seconds (user + system) used so far by this
// script's Chromium processes: on a shared, loaded machine the wall time of
// a run says more about the others' jobs than about ours.
function chromiumCPU() {
  const procs = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(d), { comm, ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / 100 });
    } catch { /* gone */ }
  }
  let sum = 0;
  for (const [pid, p] of procs) {
    if (!/chrom/.test(p.comm)) continue;
    for (let q = p.ppid; q > 1 && procs.has(q); q = procs.get(q).ppid) {
      if (q === process.pid) { sum += p.cpu; break; }
    }
  }
  return sum;
}
const rt = process.env.SENTILAB_DATA_OOD || join(root, '..', 'shared', 'data', 'rt-polarity', 'rt-polarity-10k.csv.gz');
if (!existsSync(rt)) throw new Error(`second dataset not found: set SENTILAB_DATA_OOD (looked at ${rt})`);

const slice = full ? null : writeSlice(4000);
const data = full ? dataPath() : slice.file;
// The command line on the same data: the baseline (seed 42, 20% test, its
// split), and a shipped model on every review of the second dataset.
const shipped = 'base.distill';
const cli = full ? null : lab(['baseline', '--data', data, '--json']);
const cliOOD = full ? null : lab(['eval', '--model', join(root, 'assets', 'models', shipped + '.safetensors'), '--data', rt, '--json']);

const srv = await startServer(['--data', data, '--data-ood', rt]);
const { browser, close } = await launch();
try {
  const { page } = await guardedPage(browser, problems);
  page.on('dialog', (d) => d.accept()); // a leave warning on reload, if a save is pending
  const waitStatus = (s, timeout = 60000) => page.waitForFunction((s) => document.querySelector('#status')?.textContent.includes(s), s, { timeout });
  const setInput = async (sel, v) => { await page.locator(sel).fill(String(v)); await page.locator(sel).dispatchEvent('change'); };
  const compareRows = async () => (await page.click('#tab-compare'), await page.waitForTimeout(200),
  await page.locator('#compare-table tbody tr').allInnerTexts()).map((r) => r.split('\t')).filter((c) => c[0] === 'lab');
  const row = async (name) => (await compareRows()).find((c) => c[1] === name);

  await page.goto(srv.url);
  await waitStatus('Ready', 30000);
  await page.click('#load-server');
  await waitStatus('EDA of', full ? 300000 : 120000);

  // --- the baseline
  await page.click('#tab-train');
  const t0 = Date.now(), cpu0 = chromiumCPU();
  await page.click('#train-baseline');
  await waitStatus('Trained the baseline', full ? 600000 : 120000);
  const wall = (Date.now() - t0) / 1000, cpu = chromiumCPU() - cpu0;
  const acc = await page.innerText('#baseline-acc');
  const secs = await page.innerText('#baseline-seconds');
  const result = await page.innerText('#baseline-result');
  if (full) {
    console.log(`full data: baseline ${acc} on ${await page.innerText('#baseline-n')} test reviews; engine ${secs}, ${wall.toFixed(1)} s from click to result, ` +
      `Chromium CPU ${cpu.toFixed(1)} s; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    console.log(result.replace(/\s+/g, ' '));
    check('the baseline trains on the full data in the page', parseFloat(acc) > 90, `${acc}, ${secs}`);
    await page.screenshot({ path: join(results, 'baseline-full-train.png'), fullPage: true });
  } else {
    // The page prints Go's %.2f, Node's toFixed rounds a half up: equal
    // to the display's half-unit (the confusion below is compared exactly).
    const same = (pct, x) => Math.abs(parseFloat(pct) - 100 * x) <= 0.005 + 1e-9;
    check('the page\'s baseline test accuracy equals lab baseline\'s on the same slice and split', same(acc, cli.test_accuracy),
      `page ${acc} in ${secs} (${wall.toFixed(1)} s wall), lab baseline ${(100 * cli.test_accuracy).toFixed(2)}% on ${cli.test_n} test reviews`);
    check('the card shows the formula and the top n-grams', (await page.innerText('#baseline-formula')).includes('σ(w · tfidf(x) + b)') &&
      (await page.innerText('#baseline-top-pos')).length > 20, (await page.innerText('#baseline-top-pos')).slice(0, 120));
    await page.locator('#baseline').screenshot({ path: join(results, 'baseline-card.png') });

    // --- padding: the selector, the link, the trained model's config
    await page.selectOption('#preset', 'classroom');
    await setInput('#f-epochs', 1);
    await page.selectOption('#f-padding', 'post');
    const q = await page.evaluate(() => decodeURIComponent(location.search));
    check('the padding side is in the link', q.includes('padding=post'), q.slice(0, 200));
    await page.click('#train');
    await waitStatus('Trained base', 180000);
    await page.click('#train-other-side');
    await waitStatus('Trained base-pre', 180000);
    const rb = await row('base'), rp = await row('base-pre'), rbl = await row('baseline');
    check('the trained models carry the chosen padding (Compare, from each variant\'s info)', rb?.[8] === 'post 100' && rp?.[8] === 'pre 100' && rbl?.[8] === '',
      `base ${rb?.[8]}, base-pre ${rp?.[8]}, baseline "${rbl?.[8]}"`);
    check('the baseline is a variant in Compare with its accuracy, size and parameters', rbl?.[2] === acc && Number(rbl?.[3]) > 100 && Number(rbl?.[4]) > 1000,
      rbl?.slice(0, 6).join(' | '));

    // --- its confusion matrix
    const conf = await page.locator('table.confusion', { has: page.locator('caption', { hasText: /^baseline$/ }) }).locator('td').allInnerTexts();
    const [tn, fp, fn, tp] = conf.map(Number);
    check('the baseline\'s confusion matrix sums to the test count and agrees with its accuracy and lab baseline\'s',
      tn + fp + fn + tp === cli.test_n && same(acc, (tn + tp) / cli.test_n) &&
      JSON.stringify([[tn, fp], [fn, tp]]) === JSON.stringify(cli.test.confusion), `[[${tn} ${fp}] [${fn} ${tp}]], CLI ${JSON.stringify(cli.test.confusion)}`);

    // --- a shipped model, then the second dataset scores every variant
    await page.click(`[id="load-${shipped}"]`);
    await waitStatus(`Loaded the pre-trained ${shipped}`, 60000);
    await page.click('#tab-data');
    await page.click('#load-ood-server');
    await waitStatus('Out of domain:', 180000);
    await page.screenshot({ path: join(results, 'baseline-data.png'), fullPage: true });
    const rows = await compareRows();
    check('every variant has an out-of-domain score', rows.length === 4 && rows.every((c) => /% on 10662/.test(c[10] || '')),
      rows.map((c) => `${c[1]}: ${c[10]}`).join('; '));
    const sh = rows.find((c) => c[1] === shipped);
    const ood = Number(/([\d.]+)%/.exec(sh?.[10] || '')?.[1]);
    check(`${shipped} out of domain equals lab eval on the same file (±2 reviews)`, Math.abs(ood - 100 * cliOOD.accuracy) <= 200 / cliOOD.n + 0.005,
      `page ${ood}%, lab eval ${(100 * cliOOD.accuracy).toFixed(2)}% on ${cliOOD.n}`);
    check('reviews/s measured on the second dataset for every variant', rows.every((c) => Number(c[9]) > 0), rows.map((c) => `${c[1]} ${c[9]}`).join(', '));
    const oodConf = await page.locator('#ood-compare table.confusion').count();
    check('Compare shows the out-of-domain lesson and a confusion matrix per variant', oodConf === 4 && (await page.innerText('#ood-lesson')).length > 100, `${oodConf} matrices`);
    await page.screenshot({ path: join(results, 'baseline-compare.png'), fullPage: true });

    // --- Try: the baseline's top n-grams for an obviously positive review
    await page.click('#tab-try');
    await page.locator('#review').fill('A wonderful, moving film. The acting is superb and the story is beautiful. I loved it, one of the best films of the year. Highly recommended!');
    await page.locator('#review').dispatchEvent('change');
    await page.click('#explain-baseline');
    await waitStatus('The baseline\'s n-grams', 30000);
    const words = await page.locator('#baseline-words table[data-variant=baseline] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ sign: tr.dataset.sign, term: tr.cells[0].textContent, logit: Number(tr.cells[1].textContent) })));
    const pos = words.filter((w) => w.sign === '+'), neg = words.filter((w) => w.sign === '-');
    const caption = await page.innerText('#baseline-words caption');
    check('top n-grams for a positive review: positive words first, every one signed as it pushes',
      pos.length >= 5 && pos.every((w) => w.logit > 0) && neg.every((w) => w.logit < 0) && pos.some((w) => /wonderful|best|loved|superb|highly recommended|beautiful/.test(w.term)) &&
      Number(/P\(positive\) ([\d.]+)/.exec(caption)?.[1]) > 0.9, `${caption}; + ${pos.map((w) => w.term).join(', ')}; − ${neg.map((w) => w.term).join(', ')}`);
    await page.click('#predict');
    await page.waitForSelector('#predictions tr[data-variant=baseline]', { timeout: 30000 });
    check('Try scores with the baseline beside the LSTMs', Number(await page.locator('#predictions tr[data-variant=baseline] td[data-k=prob]').innerText()) > 0.9);
    await page.screenshot({ path: join(results, 'baseline-try.png'), fullPage: true });

    // --- accessible (before the reload: its "Restored" note sits outside
    // the landmarks, as in lessons.mjs), and fits a phone
    await page.evaluate(readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8'));
    const axeFound = [];
    for (const tab of ['data', 'train', 'compare', 'try']) {
      await page.click('#tab-' + tab);
      await page.waitForTimeout(300);
      const r = await page.evaluate(() => axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
      for (const v of r.violations) axeFound.push(`${tab}: ${v.id} (${v.impact}) at ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
    }
    check('no accessibility violations on Data, Train, Compare, Try with the baseline and the second dataset', axeFound.length === 0, axeFound.join(' | '));
    // --- a reload brings the baseline back from IndexedDB (its model file),
    // with its figures and its out-of-domain score
    // (A re-imported file's provenance is stamped anew: its size may differ
    // by a few bytes, so the size column is left out.)
    const noSize = (rows) => rows.map((c) => c.filter((_, k) => k !== 3).join('|'));
    const before = noSize(await compareRows());
    await page.waitForFunction(() => ['baseline', 'base-pre'].every((m) => window.sentilabSaved?.models?.includes(m)), null, { timeout: 60000 });
    await page.waitForTimeout(1500);
    await page.reload();
    await waitStatus('Restored your lab', 180000);
    const after = noSize(await compareRows());
    check('after a reload every variant is back as it was, the baseline and the out-of-domain column included',
      JSON.stringify(after) === JSON.stringify(before), after.filter((r, i) => r !== before[i]).join(' ≠ ').slice(0, 400) || `${after.length} rows`);
    await page.click('#tab-train');
    check('the baseline card keeps its run after a reload', (await page.innerText('#baseline-acc')) === acc);

    const over = [];
    await page.setViewportSize({ width: 390, height: 844 });
    for (const tab of ['data', 'train', 'compare', 'try']) {
      await page.click('#tab-' + tab);
      await page.waitForTimeout(400);
      const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      if (w[0] > w[1]) over.push(`${tab}: ${w[0]} > ${w[1]}`);
      await page.screenshot({ path: join(results, `baseline-390-${tab}.png`), fullPage: true });
    }
    check('at 390×844 nothing overflows horizontally', over.length === 0, over.join(', ') || 'data, train, compare, try');
  }
} catch (err) {
  fail('exception: ' + (err.stack || err));
} finally {
  await close();
  srv.stop();
  if (slice) rmSync(slice.dir, { recursive: true, force: true });
}
check('no console errors and no request outside 127.0.0.1', problems.length === 0, problems.slice(0, 5).join(' | '));
console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in testresults/)`);
finish();
