// leakage.mjs: honest evaluation in the page (issue 10). A model trained by
// the CLI on the first 3,000 reviews is scored in the page on the first
// 12,000: that data's test split holds reviews the model trained on. The
// page must say how many (the model's fingerprints recognise them), give
// the score on the unseen rest, and agree with `lab eval` on the same data;
// the model's own test figure must stay as it was. The 12,000 reviews' test
// split (2,400) is large enough that the page's evaluate shares it with a
// helper Web Worker (the page's default 2 workers): the same numbers.
// Run ./build.sh first. Prints "N passed, M failed"; exits non-zero on any
// failure, any console error, or any request not to 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, results, writeSlice, startServer, launch, guardedPage, tally } from './lib.mjs';

const started = Date.now();
const { check, fail, finish } = tally();
const problems = [];
const lab = (args) => JSON.parse(execFileSync(join(root, 'build', 'lab'), args, { maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] }));

const small = writeSlice(3000);
const big = writeSlice(12000);
const modelDir = join(small.dir, 'models');
mkdirSync(modelDir);
const modelFile = join(modelDir, 'm3k.safetensors');
const trained = lab(['train', '--preset', 'classroom', '--epochs', '1', '--data', small.file, '--out', modelFile, '--json']);
const bytes = readFileSync(modelFile);
writeFileSync(join(modelDir, 'manifest.json'), JSON.stringify({ models: [{ name: 'm3k', file: 'm3k.safetensors', bytes: bytes.length,
  sha256: createHash('sha256').update(bytes).digest('hex'), metrics: { test_accuracy: trained.test_accuracy } }] }));
// The CLI's view of the same question: the 12,000's test split, by the
// model's own seed and test share.
const cli = lab(['eval', '--model', modelFile, '--data', big.file, '--split', 'test', '--json']);

const srv = await startServer(['--data', big.file, '--models', modelDir]);
const { browser, close } = await launch();
try {
  const { page } = await guardedPage(browser, problems);
  const workers = [];
  page.on('worker', (w) => workers.push(w.url()));
  // The Compare row of the lab's own copy of m3k (source "lab").
  const labRow = () => page.locator('#compare-table tbody tr').filter({ has: page.locator('td:nth-child(1)', { hasText: /^lab$/ }) })
    .filter({ has: page.locator('td:nth-child(2)', { hasText: /^m3k$/ }) });
  const waitStatus = (s, timeout = 60000) => page.waitForFunction((s) => document.querySelector('#status')?.textContent.includes(s), s, { timeout });
  await page.goto(srv.url);
  await waitStatus('Ready', 30000);
  await page.click('#load-server');
  await waitStatus('EDA of 12000 reviews ready', 120000);
  await page.click('#tab-compare');
  await page.click('#load-m3k');
  await page.waitForSelector('#eval-m3k', { timeout: 30000 });
  const before = await labRow().innerText();
  await page.click('#eval-m3k');
  await waitStatus('m3k: accuracy', 60000);
  const status = await page.innerText('#status');
  const m = /accuracy ([\d.]+)% on (\d+) test reviews.*?([\d,]+) of ([\d,]+) reviews were in this model's training set.*?([\d.]+)%/.exec(status);
  const n = (s) => Number(String(s).replace(/,/g, ''));
  const helpers = workers.filter((u) => u.includes('module=posted')).length;
  check('the evaluation of the 2,400 test reviews ran in 2 Web Workers (a helper started for it)', helpers === 1 && cli.n === 2400,
    `${helpers} helper worker(s); ${cli.n} test reviews`);
  check('the CLI finds training reviews in the 12,000\'s test split', cli.seen > 0 && cli.unseen > 0 && cli.training === 'fingerprints',
    `${cli.seen} of ${cli.n} seen (${cli.training}); unseen ${(100 * cli.unseen_metrics.accuracy).toFixed(2)}%`);
  check('the page says how many of the scored reviews the model trained on', m && n(m[3]) === cli.seen && n(m[4]) === cli.n,
    status.slice(0, 240));
  check('the page\'s score and its unseen score equal lab eval\'s', m && Math.abs(Number(m[1]) - 100 * cli.accuracy) < 0.006 &&
    Math.abs(Number(m[5]) - 100 * cli.unseen_metrics.accuracy) < 0.006,
    m ? `page ${m[1]}% / unseen ${m[5]}%, CLI ${(100 * cli.accuracy).toFixed(2)}% / ${(100 * cli.unseen_metrics.accuracy).toFixed(2)}%` : 'no numbers in the status');
  await page.waitForTimeout(300);
  const row = await labRow().innerText();
  const cells = row.split('\t');
  check('the model\'s own figure is kept; the new score sits beside it, with its overlap', cells[2] === before.split('\t')[2] &&
    cells[7]?.includes(`${cli.seen} seen in training`), row.replace(/\s+/g, ' '));
  await page.screenshot({ path: join(results, 'leakage-compare.png'), fullPage: true });
} catch (err) {
  fail('exception: ' + (err.stack || err));
} finally {
  await close();
  srv.stop();
  rmSync(small.dir, { recursive: true, force: true });
  rmSync(big.dir, { recursive: true, force: true });
}
check('no console errors and no request outside 127.0.0.1', problems.length === 0, problems.slice(0, 5).join(' | '));
console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in testresults/)`);
finish();
