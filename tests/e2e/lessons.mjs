// lessons.mjs: the lessons of issue 10 item 6, run in the page on a small
// slice of the real data (the server's first 5,000 reviews, the classroom
// preset for two epochs, one fine-tuning epoch): structured pruning of LSTM
// units, the one-click pipeline prune → distill → prune → int8, the α×T
// distillation grid (cancel, resume, reload), the ONNX download and the
// link to /report, and the grid's students deleted with one confirmation.
// Values are asserted, not only elements. Run ./build.sh first.
// Prints "N passed, M failed"; exits non-zero on any failure, console error or request not to 127.0.0.1.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { root, results, writeSlice, startServer, launch, guardedPage, tally } from './lib.mjs';

const started = Date.now();
const { check, fail, finish } = tally();
const problems = [];

const slice = writeSlice(5000);
const srv = await startServer(['--data', slice.file]);
const { browser, close } = await launch();
try {
  const { page } = await guardedPage(browser, problems);
  page.on('dialog', (d) => d.accept()); // a leave warning on reload, if a save is pending
  const waitStatus = (s, timeout = 60000) => page.waitForFunction((s) => document.querySelector('#status')?.textContent.includes(s), s, { timeout });
  const setInput = async (sel, v) => { await page.locator(sel).fill(String(v)); await page.locator(sel).dispatchEvent('change'); };
  // compareRows are the Compare table's rows of this lab's variants, as cells.
  const compareRows = async () => (await page.click('#tab-compare'), await page.locator('#compare-table tbody tr').allInnerTexts()).map((r) => r.split('\t'))
    .filter((c) => c[0] === 'lab');
  const kb = (s) => Number(String(s).replace(/[^\d.]/g, ''));

  await page.goto(srv.url);
  await waitStatus('Ready', 30000);
  await page.click('#load-server');
  await waitStatus('EDA of 5000 reviews ready', 120000);
  await page.click('#tab-train');
  await page.selectOption('#preset', 'classroom');
  await setInput('#f-epochs', 2);
  await page.click('#train');
  await page.waitForSelector('#test-acc', { timeout: 180000 });

  // --- 1. structured pruning: 32 units → 12, a really smaller file
  await page.click('#tab-compress');
  await page.waitForSelector('#c-source option[value=base]', { state: 'attached', timeout: 10000 });
  await setInput('#c-epochs', 1);
  await setInput('#c-keep', 12);
  await page.click('#c-prune-units');
  await page.waitForSelector('#c-units-result', { timeout: 120000 });
  const units = await page.innerText('#c-units-result');
  const um = /^(\S+): (\d+) → (\d+) LSTM units, ([\d,]+) → ([\d,]+) parameters, file ([\d.,]+) KB → ([\d.,]+) KB/.exec(units);
  const n = (s) => Number(String(s).replace(/,/g, ''));
  // classroom: embed 32; an LSTM of H units over E inputs has 4H(E+H+1)
  // weights, the dense layer H+1: removing 20 units removes exactly the
  // difference.
  const lstm = (E, H) => 4 * H * (E + H + 1) + H + 1;
  check('structured pruning keeps 12 of 32 units and removes their weights', um && um[1] === 'base-prune-units' && n(um[2]) === 32 &&
    n(um[3]) === 12 && n(um[4]) - n(um[5]) === lstm(32, 32) - lstm(32, 12), units);
  check('structured pruning shrinks the file', um && kb(um[7]) < kb(um[6]), um ? `${um[6]} KB → ${um[7]} KB` : units);
  const pu = (await compareRows()).find((c) => c[1] === 'base-prune-units');
  check('the pruned model has its row in Compare', pu && /^\d+\.\d+%$/.test(pu[2]), pu?.join(' | '));
  await page.screenshot({ path: join(results, 'lessons-1-units.png'), fullPage: true });

  // --- 2. the one-click pipeline: four stages, four variants, each from the last
  const before = (await compareRows()).map((c) => c[1]);
  await page.click('#tab-compress');
  await page.click('#c-pipeline');
  await page.waitForFunction(() => [...document.querySelectorAll('#c-pipeline-stages li')].map((l) => l.dataset.state).join() === 'done,done,done,done',
    null, { timeout: 300000 });
  const stages = await page.locator('#c-pipeline-stages li').allInnerTexts();
  const names = ['base-prune', 'base-prune-distill', 'base-prune-distill-prune', 'base-prune-distill-prune-int8'];
  check('each stage starts from the previous one\'s model', stages.every((s, i) => s.includes(`done, ${names[i]} (from ${i ? names[i - 1] : 'base'})`)),
    stages.join(' | '));
  const rows = (await compareRows()).filter((c) => !before.includes(c[1]));
  const row = (name) => rows.find((c) => c[1] === name);
  check('4 new rows in Compare, one per stage', rows.length === 4 && names.every(row), rows.map((c) => c[1]).join(', '));
  const size = (name) => Number(row(name)?.[3]), params = (name) => Number(row(name)?.[4]), nonzero = (name) => Number(row(name)?.[5]);
  const baseRow = (await compareRows()).find((c) => c[1] === 'base');
  // Pruning and int8 shrink the file of the model they start from; the
  // distilled student starts dense, so it is smaller than its teacher in
  // parameters (half the widths), not necessarily in file size (the
  // teacher stores 80% zeros as a mask).
  check('pruning, pruning again and int8 each shrink the file; the pipeline ends smallest',
    size(names[0]) < Number(baseRow[3]) && size(names[2]) < size(names[1]) && size(names[3]) < size(names[2]) &&
    names.slice(0, 3).every((n) => size(names[3]) < size(n)), names.map((n) => `${n} ${size(n)} KB`).join(', ') + `; base ${baseRow[3]} KB`);
  check('the student has fewer parameters than its teacher; each pruning leaves 80% of the weights zero (±2%)',
    params(names[1]) < params(names[0]) && [0, 2].every((i) => Math.abs(nonzero(names[i]) / params(names[i]) - 0.2) < 0.02),
    names.map((n) => `${n} ${nonzero(n)}/${params(n)}`).join(', '));
  await page.click('#tab-compress');
  await page.screenshot({ path: join(results, 'lessons-2-pipeline.png'), fullPage: true });
  // A cancel during stage 1 stops the pipeline: no stage after it runs.
  const count = (await compareRows()).length;
  await page.click('#tab-compress');
  await page.click('#c-pipeline');
  await page.waitForFunction(() => document.querySelector('#c-pipeline-stages li')?.dataset.state === 'running' &&
    !document.querySelector('#c-cancel').disabled, null, { timeout: 30000 });
  await page.click('#c-cancel');
  await page.waitForFunction(() => [...document.querySelectorAll('#c-pipeline-stages li')].map((l) => l.dataset.state).join() === 'canceled,not run,not run,not run',
    null, { timeout: 30000 });
  check('a cancel stops the pipeline and makes no model', (await compareRows()).length === count, `${count} rows before and after`);

  // --- 3. the α×T grid: 2×2 from base; a cancel keeps finished cells, a
  // second run computes only the missing ones.
  await page.click('#tab-compress');
  await setInput('#g-alphas', '0.5, 0.85');
  await setInput('#g-ts', '1.5, 3');
  const gridCells = () => page.evaluate(() => document.querySelector('#chart-grid')?.sentilabChart?.getOption().series[0].data ?? null);
  const idle = () => page.waitForFunction(() => !document.querySelector('#g-run').disabled, null, { timeout: 300000 });
  await page.click('#g-run');
  await page.waitForFunction(() => /^[1-3] of 4 cells done/.test(document.querySelector('#g-status')?.textContent ?? ''), null, { timeout: 120000 });
  await page.waitForFunction(() => !document.querySelector('#c-cancel').disabled, null, { timeout: 30000 });
  await page.click('#c-cancel');
  await idle();
  const kept = Number(/^(\d) of 4/.exec(await page.innerText('#g-status'))?.[1]);
  await page.waitForTimeout(300);
  const afterCancel = await gridCells();
  check('a cancel keeps the finished cells, on the heatmap too', kept >= 1 && kept < 4 && afterCancel?.length === kept,
    `${kept} kept, heatmap ${JSON.stringify(afterCancel)}`);
  await page.screenshot({ path: join(results, 'lessons-3-grid-canceled.png'), fullPage: true });
  await page.click('#g-run');
  await page.waitForFunction(() => /^4 of 4 cells done/.test(document.querySelector('#g-status')?.textContent ?? ''), null, { timeout: 300000 });
  await idle();
  await page.waitForTimeout(300);
  const cells = await gridCells();
  const gridRows = (await compareRows()).filter((c) => /^base-grid-/.test(c[1]));
  check('the second run computed only the missing cells: 4 cells, 4 grid models', cells?.length === 4 && gridRows.length === 4,
    `heatmap ${JSON.stringify(cells)}; models ${gridRows.map((c) => c[1]).join(', ')}`);
  // The cell α 0.85, T 1.5 (x 0, y 1) against the same distillation alone.
  const cell = cells?.find((d) => d[0] === 0 && d[1] === 1)?.[2];
  await page.click('#tab-compress');
  await setInput('#c-alpha', 0.85);
  await setInput('#c-t', 1.5);
  await page.click('#c-distill');
  await waitStatus('Made base-distill', 120000);
  const alone = Number(/Made base-distill\S*: test accuracy ([\d.]+)%/.exec(await page.innerText('#status'))?.[1]);
  check('a grid cell equals the same distillation run alone (same seed)', cell !== undefined && Math.abs(cell - alone) < 1e-9,
    `cell α 0.85, T 1.5: ${cell}%, alone ${alone}%`);
  await page.click('#tab-compress');
  await page.screenshot({ path: join(results, 'lessons-3-grid.png'), fullPage: true });

  // --- 4. ONNX download of the pipeline's int8 model
  await page.click('#tab-export');
  const final = 'base-prune-distill-prune-int8';
  await page.waitForSelector('#onnx-' + final, { timeout: 20000 });
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#onnx-' + final)]);
  await waitStatus('Exported sentilab-' + final + '.onnx', 60000);
  const onnx = readFileSync(await dl.path());
  const said = /\(.*?, (\w+) weights, (\d+) bytes\)/.exec(await page.innerText('#status'));
  // ModelProto: field 1 ir_version 8 (08 08), field 2 producer_name "sentilab" (12 08 ...).
  check('the ONNX download is an ONNX model of the reply\'s size, with int8 weights', dl.suggestedFilename() === `sentilab-${final}.onnx` &&
    onnx.subarray(0, 4).equals(Buffer.from([0x08, 0x08, 0x12, 0x08])) && onnx.subarray(4, 12).toString() === 'sentilab' &&
    said && Number(said[2]) === onnx.length && said[1] === 'int8', `${dl.suggestedFilename()}: ${onnx.length} bytes, starts ${onnx.subarray(0, 12).toString('hex')}; status ${said?.[0]}`);
  await page.screenshot({ path: join(results, 'lessons-4-export.png'), fullPage: true });

  // --- 5. Compare links to the server's report
  await page.click('#tab-compare');
  const href = await page.locator('#report-link a').evaluate((a) => a.href);
  const rep = await fetch(href);
  check('Compare links to /report, which the server serves', new URL(href).pathname === '/report' && rep.ok &&
    (await rep.text()).includes('echarts'), `${href} → ${rep.status}`);

  // --- what this adds is accessible (axe-core's rules, as run.mjs)
  await page.evaluate(readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8'));
  const axeFound = [];
  for (const tab of ['compress', 'compare', 'export']) {
    await page.click('#tab-' + tab);
    await page.waitForTimeout(300);
    const r = await page.evaluate(() => axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
    for (const v of r.violations) axeFound.push(`${tab}: ${v.id} (${v.impact}) at ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
  }
  check('no accessibility violations on Compress, Compare, Export with every lesson shown', axeFound.length === 0, axeFound.join(' | '));

  // --- the grid survives a reload (LabRecord): its cells and heatmap come back
  await page.waitForFunction(() => window.sentilabSaved?.models?.includes('base-distill'), null, { timeout: 30000 });
  await page.waitForTimeout(1000);
  await page.reload();
  await waitStatus('Restored your lab', 120000);
  await page.click('#tab-compress');
  await page.waitForSelector('#chart-grid', { timeout: 20000 });
  await page.waitForFunction(() => document.querySelector('#chart-grid')?.sentilabChart, null, { timeout: 20000 });
  const restored = await gridCells();
  check('after a reload the grid is back, cell for cell', /^4 of 4 cells done/.test(await page.innerText('#g-status')) &&
    JSON.stringify(restored) === JSON.stringify(cells), JSON.stringify(restored));

  // --- the grid's students go with one confirmation; its cells stay
  // measured (the heatmap keeps them)
  await page.click('#tab-compare');
  const label = await page.innerText('#delete-grid');
  await page.click('#delete-grid');
  const question = await page.innerText('#delete-confirm');
  await page.click('#delete-yes');
  await waitStatus('Deleted 4 model(s)', 30000);
  const leftRows = (await compareRows()).map((c) => c[1]);
  await page.click('#tab-compress');
  await page.waitForTimeout(300);
  const cellsLeft = await gridCells();
  check('"Delete the α×T grid\'s 4 students" asks once, then deletes the 4; the heatmap keeps its cells',
    label === 'Delete the α×T grid\'s 4 students' && question.includes('these 4 models') && !leftRows.some((n) => /-grid-/.test(n)) &&
    leftRows.includes('base-distill') && JSON.stringify(cellsLeft) === JSON.stringify(cells), `${question.replace(/\s+/g, ' ')} → ${leftRows.join(', ')}`);

  // --- what this adds fits a phone
  const over = [];
  await page.setViewportSize({ width: 390, height: 844 });
  for (const tab of ['compress', 'compare', 'export']) {
    await page.click('#tab-' + tab);
    await page.waitForTimeout(400);
    const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    if (w[0] > w[1]) over.push(`${tab}: ${w[0]} > ${w[1]}`);
    await page.screenshot({ path: join(results, `lessons-390-${tab}.png`), fullPage: true });
  }
  check('at 390×844 nothing overflows horizontally', over.length === 0, over.join(', ') || 'compress, compare, export');
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
