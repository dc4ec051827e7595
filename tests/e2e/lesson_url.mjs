// lesson_url.mjs: the first screen, the link as a lesson, and the reader's
// limits in the page (issues 10 and 11), in Debian's Chromium against the
// real server. Run ./build.sh first (build/lab, build/server, assets/).
//
// 1. A fresh visit without data lists the server's pre-trained models in
//    the Data step (a models folder made here: two LSTMs and the TF-IDF
//    baseline, which the engine loads too since issue 13);
//    "Load and try" imports one and opens Try, where it scores a review.
// 2. The data slice, the compression settings, the review, the chosen
//    models, the step and the α×T grid's values (its teacher is the model to
//    compress, "from") go into the URL; the URL opened in a fresh browser
//    context (no saved lab) brings them all back; a bad value is reported
//    in "Ignored link settings"; a review over 500 characters stays out.
// 3. A 113 KB gzip that expands 400 times, loaded through the file input,
//    gives the reader's error in the page, and the worker lives on: a good
//    slice loads next; duplicates, a text labelled both ways and one-class
//    data are reported as warnings.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { root, results, writeSlice, startServer, launch, guardedPage, tally } from './lib.mjs';

const started = Date.now();
const { check, fail, finish } = tally();
const problems = [];

// A models folder: two of the repo's LSTMs and a TF-IDF baseline trained
// here on 2,000 reviews (half a second), with its manifest.
const slice = writeSlice(2000);
const tmp = mkdtempSync(join(tmpdir(), 'sentilab-lesson-'));
const models = join(tmp, 'models');
mkdirSync(models);
for (const f of ['base.int8.safetensors', 'base.prune-distill-prune-int8.safetensors']) {
  copyFileSync(join(root, 'assets', 'models', f), join(models, f));
}
const lab = join(root, 'build', 'lab');
execFileSync(lab, ['baseline', '--data', slice.file, '--out', join(models, 'baseline.safetensors')], { stdio: 'ignore' });
execFileSync(lab, ['manifest', '--models', models], { stdio: 'ignore' });

// A ratio bomb: 46 MB of one CSV row, 113 KB gzipped.
const bomb = join(tmp, 'bomb.csv.gz');
writeFileSync(bomb, gzipSync(Buffer.from('review,sentiment\n' + '"a fine film, really",positive\n'.repeat(1500000)), { level: 9 }));
// Dirty data: 3 copies of one review, 2 of another labelled both ways.
const dirty = join(tmp, 'dirty.csv');
const rows = ['review,sentiment'];
for (let i = 0; i < 20; i++) rows.push(`"review number ${i}, ${i % 2 ? 'great' : 'awful'}",${i % 2 ? 'positive' : 'negative'}`);
rows.push('"review number 1, great",positive', '"review number 1, great",positive', '"review number 2, awful",positive');
writeFileSync(dirty, rows.join('\n') + '\n');
const oneClass = join(tmp, 'positive.csv');
writeFileSync(oneClass, 'review,sentiment\n' + Array.from({ length: 12 }, (_, i) => `"good film ${i}",positive`).join('\n') + '\n');

const srv = await startServer(['--models', models]);
const { browser, close } = await launch();
try {
  const open = async (url) => {
    const { ctx, page } = await guardedPage(browser, problems);
    await page.goto(url);
    await page.waitForFunction(() => document.querySelector('#status')?.textContent.includes('Ready'), null, { timeout: 20000 });
    return { ctx, page };
  };
  const waitStatus = (page, s, timeout = 60000) => page.waitForFunction((s) => document.querySelector('#status')?.textContent.includes(s), s, { timeout });
  const setInput = async (page, sel, v) => { await page.locator(sel).fill(String(v)); await page.locator(sel).dispatchEvent('change'); };
  const row = (page, name) => page.locator(`#first-pretrained tr[data-model="${name}"]`);

  // --- 1. the first screen
  const { ctx, page } = await open(srv.url);
  await page.waitForSelector('#first-pretrained tbody tr', { timeout: 10000 });
  await page.screenshot({ path: join(results, 'lesson-1-first-screen.png'), fullPage: true });
  const listed = await page.locator('#first-pretrained tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.model));
  check('a fresh visit without data lists the server\'s pre-trained models in the Data step',
    (await page.getAttribute('[aria-current=step]', 'id')) === 'tab-data' && listed.join() === 'base.int8,base.prune-distill-prune-int8,baseline', listed.join());
  const int8 = row(page, 'base.int8');
  const int8Acc = await int8.locator('td[data-k=acc]').innerText();
  const int8What = await int8.locator('td[data-k=what]').innerText();
  check('each with what it is, its size and test accuracy', /int8/.test(int8What) && /hidden \d+/.test(int8What) && /^\d+\.\d\d%$/.test(int8Acc) &&
    /KB|MB/.test(await int8.locator('td[data-k=size]').innerText()), `${int8What} · ${int8Acc} · ${await int8.locator('td[data-k=size]').innerText()}`);
  const base = row(page, 'baseline');
  check('the TF-IDF baseline is listed with its own Load and try button',
    (await base.locator('button').count()) === 1 && (await base.locator('td[data-k=what]').innerText()) === 'TF-IDF + logistic regression, the yardstick',
    await base.locator('td[data-k=what]').innerText());
  const reportHref = await page.locator('#report-link').evaluate((a) => a.href);
  const report = await fetch(reportHref);
  check('a link to /report, which the server serves', reportHref === srv.url + 'report' && report.ok && (await report.text()).includes('base.int8'), `${reportHref}: ${report.status}`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  await page.screenshot({ path: join(results, 'lesson-1-first-screen-390.png'), fullPage: true });
  check('at 390×844 the first screen does not overflow horizontally', w[0] <= w[1], `${w[0]} ≤ ${w[1]}`);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.click('[id="try-base.prune-distill-prune-int8"]');
  await waitStatus(page, 'Loaded the pre-trained base.prune-distill-prune-int8');
  check('"Load and try" imports the model and opens Try', (await page.getAttribute('[aria-current=step]', 'id')) === 'tab-try' &&
    await page.locator('[id="use-base.prune-distill-prune-int8"]').isChecked() && page.url().includes('step=try'), page.url());
  await page.click('#predict');
  await waitStatus(page, 'Scored the review with 1 model(s)', 30000);
  const prob = await page.locator('#predictions tr[data-variant="base.prune-distill-prune-int8"] td[data-k=prob]').innerText();
  check('and scores the default review with it', Number(prob) > 0.5, `P(positive) ${prob}`);

  // --- 2. the link is the lesson
  await page.click('#tab-data');
  await page.click('[id="try-base.int8"]');
  await waitStatus(page, 'Loaded the pre-trained base.int8');
  await page.uncheck('[id="use-base.int8"]'); // chosen: the small one only
  const review = 'Slow & talky, but the last act? Wonderful — 8/10 "really".\nSecond line.';
  await page.locator('#review').fill(review);
  await page.click('#tab-data');
  await setInput(page, '#data-limit', 1234);
  await page.click('#tab-compress');
  await setInput(page, '#c-initial', 0.3);
  await setInput(page, '#c-final', 0.9);
  await setInput(page, '#c-epochs', 2);
  await setInput(page, '#c-alpha', 0.6);
  await setInput(page, '#c-t', 4);
  await setInput(page, '#c-embed', 24);
  await setInput(page, '#c-hidden', 48);
  await setInput(page, '#g-alphas', '0.3, 0.6,0.9');
  await setInput(page, '#g-ts', '2, 5');
  await page.waitForTimeout(300);
  const url = page.url();
  const q = new URL(url).searchParams;
  check('the URL holds the lesson', q.get('rows') === '1234' && q.get('sp0') === '0.3' && q.get('sp1') === '0.9' && q.get('ftepochs') === '2' &&
    q.get('alpha') === '0.6' && q.get('temp') === '4' && q.get('sembed') === '24' && q.get('shidden') === '48' && q.get('review') === review &&
    q.get('variants') === 'base.prune-distill-prune-int8' && q.get('step') === 'compress' &&
    q.get('galphas') === '0.3,0.6,0.9' && q.get('gts') === '2,5' && q.get('from') === 'base', url);
  const fresh = await open(url);
  const p2 = fresh.page;
  const got = {
    step: await p2.getAttribute('[aria-current=step]', 'id'),
    compress: await Promise.all(['#c-initial', '#c-final', '#c-epochs', '#c-alpha', '#c-t', '#c-embed', '#c-hidden', '#g-alphas', '#g-ts'].map((s) => p2.inputValue(s))),
  };
  await p2.screenshot({ path: join(results, 'lesson-2-compress-restored.png'), fullPage: true });
  await p2.click('#tab-data');
  got.limit = await p2.inputValue('#data-limit');
  got.models = await p2.locator('#first-pretrained tbody tr').count();
  await p2.click('#tab-try');
  got.review = await p2.inputValue('#review');
  const q2 = new URL(p2.url()).searchParams;
  check('a fresh browser context opening the URL gets the step, the compression settings, the α×T grid\'s values, the data slice and the review back',
    got.step === 'tab-compress' && got.compress.join('|') === '0.30|0.90|2|0.60|4.00|24|48|0.3, 0.6, 0.9|2, 5' && got.limit === '1234' && got.review === review,
    JSON.stringify(got));
  check('the chosen models stay in its link (the models themselves are not in it)', q2.get('variants') === 'base.prune-distill-prune-int8' && got.models === 3, p2.url());
  check('no link setting ignored', !(await p2.locator('text=Ignored link settings').count()));
  await fresh.ctx.close();

  const badURL = new URL(url);
  badURL.searchParams.set('sp1', '7');
  badURL.searchParams.set('rows', '-3');
  badURL.searchParams.set('review', 'x'.repeat(501));
  badURL.searchParams.set('gts', '0,3');
  const bad = await open(badURL.href);
  const ignored = await bad.page.locator('p.error', { hasText: 'Ignored link settings' }).innerText();
  await bad.page.click('#tab-compress');
  const finalKept = await bad.page.inputValue('#c-final');
  await bad.page.click('#tab-data');
  check('bad values in a link are reported and the defaults kept, the good ones applied',
    ignored.includes('rows=-3') && ignored.includes('sp1=7') && ignored.includes('review (501 characters, at most 500)') && ignored.includes('gts=0,3') &&
    finalKept === '0.80' && (await bad.page.inputValue('#data-limit')) === '0', ignored);
  await bad.ctx.close();

  await page.click('#tab-try');
  const long = 'A long review. '.repeat(40); // 600 characters
  await page.locator('#review').fill(long);
  await page.waitForTimeout(300);
  check('a review over 500 characters stays out of the link, with a note', !new URL(page.url()).searchParams.has('review') &&
    (await page.locator('#review-link-note').isVisible()), await page.locator('#review-link-note').innerText());
  await page.screenshot({ path: join(results, 'lesson-3-long-review.png'), fullPage: true });
  await ctx.close();

  // --- 3. limits and warnings
  const d = await open(srv.url);
  const p3 = d.page;
  await p3.setInputFiles('#data-file', bomb);
  await p3.waitForFunction(() => document.querySelector('#error')?.textContent.trim() !== '', null, { timeout: 60000 });
  const err = await p3.innerText('#error');
  check('a gzip bomb through the file input gives the reader\'s error in the page', /expands more than 100 times/.test(err) && /bomb\.csv\.gz/.test(err), err);
  await p3.waitForFunction(() => !document.querySelector('#data-file').disabled, null, { timeout: 10000 });
  await p3.setInputFiles('#data-file', slice.file);
  await waitStatus(p3, 'EDA of 2000 reviews ready');
  check('the worker lives on: a good slice loads next', (await p3.innerText('#data-summary')).includes('2000 reviews') && (await p3.innerText('#error')).trim() === '',
    await p3.innerText('#data-summary'));
  await p3.setInputFiles('#data-file', dirty);
  await waitStatus(p3, 'EDA of 23 reviews ready');
  const dups = await p3.innerText('#data-dups');
  const warns = await p3.locator('#data-warnings li').allInnerTexts();
  check('duplicates and a text labelled both ways are reported', dups.includes('3 review(s) repeat an earlier text') && dups.includes('1 text(s) are labelled both') &&
    warns.some((w) => w.includes('with both labels')) && warns.some((w) => w.includes('repeat an earlier one')), `${dups} | ${warns.join(' | ')}`);
  await p3.screenshot({ path: join(results, 'lesson-4-warnings.png'), fullPage: true });
  await p3.setInputFiles('#data-file', oneClass);
  await p3.waitForFunction(() => document.querySelector('#data-summary')?.textContent.includes('12 reviews'), null, { timeout: 30000 });
  await waitStatus(p3, 'EDA of 12 reviews ready');
  const warns1 = await p3.locator('#data-warnings li').allInnerTexts();
  check('one-class data gets a warning (and only that one)', warns1.length === 1 && warns1[0].includes('all 12 reviews are positive'), warns1.join(' | '));
  await d.ctx.close();
} finally {
  await close();
  srv.stop();
  rmSync(slice.dir, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
}
check('no console errors, no remote requests', problems.length === 0, problems.slice(0, 5).join('; '));
console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s)`);
finish();
