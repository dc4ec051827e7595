// lesson_defaults.mjs: every lesson shows its point with the page's own
// defaults (issue 10: "an e2e test runs each lesson with its defaults and
// asserts its point"), in Debian's Chromium against the real server with
// its whole dataset (50,000 reviews) at classroom size: nothing is typed
// into a form, every number is read from the page.
//   - masking: "Train without masking" (the Compress step's button: the
//     same settings, 'post' padding, max length 170) reads an epoch-1
//     validation accuracy ≥ 20 points below the masked default run's;
//   - distillation with the form's defaults (α 0.85, T 1.5, student widths
//     0 = half, 3 epochs): the student has ≤ half the teacher's parameters
//     and scores within 1 point of it;
//   - pruning with the form's defaults (20% → 80% over 3 epochs) loses
//     ≤ 1.5 points.
// The train requests the page sends are recorded (the worker's
// postMessage) and printed, to compare with core/lab's preset resolution
// (core/lab TestLessonsWithDefaults asserts the same points natively).
// The page's request is the classroom preset as core/lab resolves it (the
// preset's grouped split and 'pre' padding, seed 42) with one worker (the
// tab's hardwareConcurrency − 1 on a 2-core machine): its masked run reads
// epoch-1 validation 85.3% and test 85.40%, exactly what
// `lab train --preset classroom --workers 1 --kernels portable` gives. The
// worker count and the split rule change that number (2 workers: 84.9%;
// the thesis's permutation split: 82.4% with 1 worker, 79.3% with 2). The
// page's 80.6% seen once was measured at a1a4eb6, before classroom used the
// grouped split and while the engine still trained with its own chunked fit
// loop instead of lab.Train.
// All three: ~5 minutes on the shared 2-core machine (./build.sh
// test-long). With --short (./build.sh test) the masking lesson is left
// out: main_path.mjs runs the same two trainings and asserts its point.
// Run ./build.sh first.
// Prints "N passed, M failed"; exits non-zero on any failure, console
// error or request not to 127.0.0.1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { results, dataPath, startServer, launch, guardedPage, tally } from './lib.mjs';

const started = Date.now();
const { check, fail, finish } = tally();
const problems = [];

// fileConfig is a model file's recorded config (safetensors' metadata).
function fileConfig(bytes) {
  const n = Number(bytes.readBigUInt64LE(0));
  const meta = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')).__metadata__ || {};
  return JSON.parse(meta.config || '{}');
}

const short = process.argv.includes('--short');
const srv = await startServer(['--data', dataPath()]);
const { browser, close } = await launch();
try {
  const { page } = await guardedPage(browser, problems);
  // The engine's requests as the page sends them.
  await page.addInitScript(() => {
    window.sentilabSent = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (msg, ...rest) {
      try {
        if (msg && msg.type === 'train') window.sentilabSent.push(JSON.parse(JSON.stringify(msg.payload)));
      } catch { /* not ours */ }
      return post.call(this, msg, ...rest);
    };
  });
  const text = (sel) => page.locator(sel).first().innerText();
  const pct = (s) => Number(String(s).replace('%', ''));
  const waitStatus = (s, timeout = 60000) => page.waitForFunction((s) => document.querySelector('#status')?.textContent.includes(s), s, { timeout });
  const epoch1Val = async () => pct(await page.locator('#history tbody tr').first().locator('td').nth(4).innerText());
  // compareRow is this lab's row of variant name in Compare, as cells.
  const compareRow = async (name) => {
    await page.click('#tab-compare');
    const rows = (await page.locator('#compare-table tbody tr').allInnerTexts()).map((r) => r.split('\t'));
    const c = rows.find((c) => c[0] === 'lab' && c[1] === name);
    return c && { acc: pct(c[2]), params: Number(c[4]), nonzero: Number(c[5]) };
  };
  const trainToEnd = async () => {
    await page.waitForFunction(() => !document.querySelector('#test-acc'), null, { timeout: 10000 }).catch(() => {});
    await page.click('#tab-train');
    await page.waitForSelector('#test-acc', { timeout: 600000 });
  };

  await page.goto(srv.url);
  await waitStatus('Ready', 30000);
  const tLoad = Date.now();
  await page.click('#load-server');
  await waitStatus('EDA of 50000 reviews ready', 240000);
  console.log(`     the server's 50,000 reviews loaded with their EDA in ${((Date.now() - tLoad) / 1000).toFixed(1)} s`);

  // --- the default run: the page's classroom preset as it comes
  await page.click('#tab-train');
  check('the page\'s defaults: classroom, 3 epochs, seed 42, max length 100, masking on',
    (await page.inputValue('#preset')) === 'classroom' && (await page.inputValue('#f-epochs')) === '3' && (await page.inputValue('#f-seed')) === '42' &&
    (await page.inputValue('#f-maxlen')) === '100' && await page.isChecked('#f-masking'));
  const t0 = Date.now();
  await page.click('#train');
  await trainToEnd();
  const trainS = (Date.now() - t0) / 1000;
  const masked1 = await epoch1Val();
  const base = await compareRow('base');
  console.log(`     teacher: ${base.params} parameters, test accuracy ${base.acc}%, epoch-1 validation ${masked1}% (${trainS.toFixed(1)} s)`);

  // --- the Compress step's defaults, as the form shows them
  await page.click('#tab-compress');
  await page.waitForSelector('#c-source option[value=base]', { state: 'attached', timeout: 10000 });
  const form = await Promise.all(['#c-source', '#c-epochs', '#c-initial', '#c-final', '#c-alpha', '#c-t', '#c-embed', '#c-hidden'].map((s) => page.inputValue(s)));
  check('the Compress step\'s defaults: base, 3 epochs, sparsity 0.2 → 0.8, α 0.85, T 1.5, student half size',
    form.join() === 'base,3,0.20,0.80,0.85,1.50,0,0', form.join());

  // --- distillation
  const tDistill = Date.now();
  await page.click('#c-distill');
  await waitStatus('Made base-distill', 600000);
  const distillS = (Date.now() - tDistill) / 1000;
  const student = await compareRow('base-distill');
  check('the distilled student has at most half the teacher\'s parameters', student && 2 * student.params <= base.params,
    `${student?.params} against ${base.params}`);
  check('the distilled student scores within 1 point of its teacher', student && student.acc - base.acc >= -1,
    `${student?.acc}% against ${base.acc}% (${(student?.acc - base.acc).toFixed(2)} points; ${distillS.toFixed(1)} s)`);

  // --- pruning
  await page.click('#tab-compress');
  const tPrune = Date.now();
  await page.click('#c-prune');
  await waitStatus('Made base-prune', 600000);
  const pruneS = (Date.now() - tPrune) / 1000;
  const pruned = await compareRow('base-prune');
  check('pruning 20% → 80% keeps at most 25% of the weights and loses at most 1.5 points',
    pruned && pruned.nonzero <= 0.25 * pruned.params && pruned.acc - base.acc >= -1.5,
    `${pruned?.nonzero} of ${pruned?.params} non-zero, ${pruned?.acc}% against ${base.acc}% (${(pruned?.acc - base.acc).toFixed(2)} points; ${pruneS.toFixed(1)} s)`);

  // --- masking: the Compress step's experiment
  if (!short) {
    await page.click('#tab-compress');
    const t1 = Date.now();
    await page.click('#train-unmasked');
    await trainToEnd();
    const unmaskedS = (Date.now() - t1) / 1000;
    const unmasked1 = await epoch1Val();
    await page.screenshot({ path: join(results, 'lesson-defaults-unmasked.png'), fullPage: true });
    await page.click('#tab-export');
    await page.waitForSelector('#export-no-masking', { timeout: 20000 });
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export-no-masking')]);
    const cfg = fileConfig(readFileSync(await dl.path()));
    check('the unmasked model is the thesis\'s mistake: no mask, \'post\' padding, max length 170',
      cfg.masking === false && cfg.padding === 'post' && cfg.max_len === 170, JSON.stringify(cfg));
    check('without masking, epoch-1 validation accuracy is ≥ 20 points below the masked run\'s', masked1 - unmasked1 >= 20,
      `${unmasked1}% unmasked against ${masked1}% masked (${(masked1 - unmasked1).toFixed(1)} points; ${unmaskedS.toFixed(1)} s)`);
  }

  const sent = await page.evaluate(() => window.sentilabSent);
  for (const r of sent) console.log(`     train request: ${JSON.stringify(r)}`);
  check('the page\'s train requests carry the form\'s seed and split, the preset\'s split rule and padding', sent.length === (short ? 1 : 2) &&
    sent.every((r) => r.preset === 'classroom' && r.seed === 42 && r.test_frac === 0.2 && r.val_split === 0.1 && r.train_limit === 10000 &&
      r.split_rule === undefined) && sent[0].padding === 'pre' && sent[0].max_len === 100, // the form sends the preset's padding side
    `${sent.length} request(s)`);
  await page.click('#tab-compare');
  await page.screenshot({ path: join(results, 'lesson-defaults-compare.png'), fullPage: true });
} catch (err) {
  fail('exception: ' + (err.stack || err));
} finally {
  await close();
  srv.stop();
}
check('no console errors and no request outside 127.0.0.1', problems.length === 0, problems.slice(0, 5).join(' | '));
console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in testresults/lesson-defaults-*.png)`);
finish();
