// lib.mjs: shared harness of the browser tests and benchmark: the real lab
// server on a free 127.0.0.1 port (stopped by PID), Debian's Chromium driven
// by playwright-core, a guard that fails on any request not to 127.0.0.1 and
// on console errors.
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const results = join(root, 'testresults');
mkdirSync(results, { recursive: true });

export function dataPath() {
  const p = process.env.SENTILAB_DATA || join(root, '..', 'shared', 'data', 'imdb', 'imdb-50k.csv.gz');
  if (!existsSync(p)) throw new Error(`dataset not found: set SENTILAB_DATA (looked at ${p})`);
  return p;
}

// firstRows returns the header and the first n records of a CSV, splitting
// on newlines outside quotes (reviews contain quoted newlines).
export function firstRows(csv, n) {
  let q = false, rows = 0;
  for (let i = 0; i < csv.length; i++) {
    const ch = csv.charCodeAt(i);
    if (ch === 34) q = !q;
    else if (ch === 10 && !q) {
      if (rows++ === n) return csv.slice(0, i + 1);
    }
  }
  return csv;
}

export function writeSlice(n) {
  const dir = mkdtempSync(join(tmpdir(), 'sentilab-e2e-'));
  const file = join(dir, `imdb-first-${n}.csv`);
  writeFileSync(file, firstRows(gunzipSync(readFileSync(dataPath())).toString('utf8'), n));
  return { dir, file };
}

async function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
    s.on('error', rej);
  });
}

// startServer builds nothing: run ./build.sh first (build/server, assets/).
export async function startServer(extraArgs = []) {
  const bin = join(root, 'build', 'server');
  if (!existsSync(bin)) execFileSync('go', ['build', '-o', bin, './server'], { cwd: root, stdio: 'inherit' });
  const port = await freePort();
  // SENTILAB_E2E_ASSETS serves another build's assets (to check that a test
  // fails on older code).
  const assets = process.env.SENTILAB_E2E_ASSETS || join(root, 'assets');
  const proc = spawn(bin, ['--addr', `127.0.0.1:${port}`, '--root', assets, '--models', join(root, 'assets', 'models'), ...extraArgs],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(url + 'healthz')).ok) break; } catch { /* not yet */ }
    if (proc.exitCode !== null) throw new Error('server exited: ' + log);
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = () => { try { process.kill(proc.pid, 'SIGTERM'); } catch { /* gone */ } };
  // Whatever happens to the script (a failed browser launch, an uncaught
  // error), the server it started goes with it.
  process.on('exit', stop);
  return { url, proc, log: () => log, stop };
}

export async function launch(extraArgs = []) {
  // playwright gives every launch a fresh temporary profile (it refuses a
  // --user-data-dir argument), which is what STACK.md asks for.
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...extraArgs],
  });
  return { browser, close: () => browser.close() };
}

// guard fails the run on any request to a host other than 127.0.0.1 (the
// request is aborted) and on console errors / page errors.
// intercept: false skips the remote-request guard, which routes every request
// through Playwright and so slows page loads; the time-to-interactive
// benchmark measures without it.
export async function guardedPage(browser, problems, { intercept = true, viewport = { width: 1280, height: 900 } } = {}) {
  const ctx = await browser.newContext({ acceptDownloads: true, viewport });
  if (intercept) await ctx.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname !== '127.0.0.1' && u.protocol !== 'blob:' && u.protocol !== 'data:') {
      problems.push(`request to a remote host: ${u.href}`);
      return route.abort();
    }
    return route.continue();
  });
  const page = await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') problems.push(`worker console error: ${m.text()}`); }));
  return { ctx, page };
}

// modelHash hashes what a model file's model is: config, vocabulary and
// every tensor (name, dtype, shape, bytes). The file's provenance (a time
// stamped at each export) and its variant label are left out: they are
// not the model.
export function modelHash(bytes) {
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  const meta = header.__metadata__ || {};
  const tensors = Object.keys(header).filter((k) => k !== '__metadata__').sort()
    .map((k) => [k, header[k].dtype, header[k].shape, header[k].data_offsets]);
  return createHash('sha256').update(JSON.stringify({ config: meta.config, vocab: meta.vocab, tensors }))
    .update(bytes.subarray(8 + n)).digest('hex');
}

// offlineFiles is the page's service worker's copy once it has one:
// polled until the worker controls the page and its cache (assets/sw.js)
// holds want files, at most 30 s. It returns the count it last saw
// (polled from Node: waitForFunction takes an async predicate's promise as
// a truthy value at once).
export async function offlineFiles(page, want) {
  const stored = () => page.evaluate(async () => navigator.serviceWorker.controller !== null &&
    (await caches.open('sentilab-v1').then((c) => c.keys())).length);
  let n = 0;
  for (let i = 0; i < 60 && (n = await stored()) < want; i++) await page.waitForTimeout(500);
  return n;
}

// tally keeps an e2e script's account: check(name, ok, detail) prints "ok"
// or "FAIL" and the detail, fail(text) counts a failure found otherwise (an
// exception, a console error), and finish(prefix, suffix) prints "N passed,
// M failed" (what ./build.sh test reads) and exits non-zero on any failure.
export function tally() {
  let passed = 0, failed = 0;
  const line = (name, detail) => name + (detail ? ' — ' + detail : '');
  return {
    check(name, ok, detail = '') {
      if (ok) { passed++; console.log(`ok   ${line(name, detail)}`); }
      else { failed++; console.log(`FAIL ${line(name, detail)}`); }
    },
    fail(text) {
      failed++;
      console.log('FAIL ' + text);
    },
    finish(prefix = '', suffix = '') {
      console.log(`${prefix}${passed} passed, ${failed} failed${suffix}`);
      process.exit(failed ? 1 : 0);
    },
  };
}
