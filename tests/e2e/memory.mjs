// memory.mjs: the page's memory budget (issue 11), a benchmark, not a test:
// the real server with the shared data, the lab in Chromium, "Load the
// server's dataset" (50,000 reviews; the page runs its EDA), then the fast
// preset for 1 epoch with 2 Web Workers on all 40,000 training reviews, to
// the test result. Every ~500 ms it sums PSS (and RSS, for comparison) over
// all of the launched Chromium's processes, from /proc/PID/smaps_rollup;
// every ~2 s it reads each worker's WebAssembly.Memory size (the engine
// and its helpers: Go's heap lives there and a wasm memory never shrinks)
// and the page's. Prints JSON: the peaks, the peak per phase (fetch, read,
// clean, eda, tokenize, train, evaluate, from the engine's progress
// messages), the wasm memories, the test accuracy, the load average.
// The budget: a peak summed PSS within 1 GB (1e9 bytes). Exits 1 if the run
// fails (not on the budget: a benchmark on a shared machine).
//
//   node tests/e2e/memory.mjs [--workers 2] [--epochs 1] [--limit 0] [--evaluate-first] [--out FILE]
//
// --limit N trains on N reviews instead of all (a quick check of the script).
// --evaluate-first scores the shipped base model in Compare (2 workers: a
// helper gets its file) before training, as a teacher might.
// --breakdown also asks Chromium, every ~10 s, where the renderer's memory is
// (performance.measureUserAgentSpecificMemory: JS heaps and array buffers
// per realm, the page's and each worker's), printed as "ua_memory".
// Run ./build.sh first (assets/, build/server).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dataPath, startServer, launch, guardedPage } from './lib.mjs';

const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf('--' + name);
  return i >= 0 ? args[i + 1] : def;
};
const workers = Number(arg('workers', 2)), epochs = Number(arg('epochs', 1)), limit = Number(arg('limit', 0));
const outFile = arg('out', '');
const breakdown = args.includes('--breakdown');
const evaluateFirst = args.includes('--evaluate-first');
const ua = []; // measureUserAgentSpecificMemory results, summarised
const MB = (b) => Math.round(b / (1 << 20));

// --- the browser's processes, from /proc

// children maps every PID to its children's PIDs (field 4 of /proc/PID/stat
// is the parent; the command name before it may hold spaces and brackets).
function children() {
  const kids = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try { stat = readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; } // gone
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!kids.has(ppid)) kids.set(ppid, []);
    kids.get(ppid).push(Number(d));
  }
  return kids;
}

// browserPIDs is every descendant of this node process that runs Chromium
// (playwright spawns it; its zygotes, renderers and utilities are its
// descendants), not the lab server, which this process started too; with
// each its kind (Chromium's --type=, "browser" for the main process).
function browserPIDs() {
  const kids = children(), out = [];
  const walk = (pid) => {
    for (const c of kids.get(pid) || []) {
      let argv = [];
      // Chromium rewrites its children's titles: spaces where NULs were.
      try { argv = readFileSync(`/proc/${c}/cmdline`, 'utf8').split(/[\0 ]/); } catch { continue; }
      if (argv[0].includes('chrom')) {
        const t = argv.find((a) => a.startsWith('--type='));
        out.push({ pid: c, kind: t ? t.slice(7) : 'browser' });
      }
      walk(c);
    }
  };
  walk(process.pid);
  return out;
}

// field returns a "Name:   123 kB" line's value in bytes (0 if absent).
function field(text, name) {
  const m = text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) * 1024 : 0;
}

// sample sums Pss and Rss over the browser's processes, and Pss by kind;
// and USS (private pages): a process's PSS includes its share of pages it
// shares (Chromium's code) with every process that maps them, other
// users' browsers on a shared machine included, so it moves by tens of MB
// when those start or exit; USS does not.
function sample() {
  let pss = 0, rss = 0, uss = 0, n = 0;
  const kinds = {};
  for (const { pid, kind } of browserPIDs()) {
    let t;
    try { t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'); } catch { continue; } // exited meanwhile
    const p = field(t, 'Pss');
    pss += p;
    rss += field(t, 'Rss');
    uss += field(t, 'Private_Clean') + field(t, 'Private_Dirty');
    kinds[kind] = (kinds[kind] || 0) + p;
    n++;
  }
  return { t: Date.now(), pss, rss, uss, procs: n, kinds };
}

// --- the run

const srv = await startServer(['--data', dataPath()]);
const { browser, close } = await launch();
const problems = [];
const samples = [];
const wasm = []; // {t, page, workers: [bytes...]}
let out, failed = '', sampling = false;
const timer = setInterval(() => samples.push(sample()), 500);
try {
  const { page } = await guardedPage(browser, problems);
  const allWorkers = new Set();
  page.on('worker', (w) => { allWorkers.add(w); w.on('close', () => allWorkers.delete(w)); });
  // Each worker's Go memory (worker.js keeps it as self.sentilabGoMemory)
  // and ui.wasm's; a busy worker answers between its yields (~100 ms).
  const wasmSample = async () => {
    const ws = await Promise.all([...allWorkers].map((w) => Promise.race([
      w.evaluate(() => self.sentilabGoMemory ? self.sentilabGoMemory.buffer.byteLength : 0).catch(() => 0),
      new Promise((r) => setTimeout(() => r(-1), 3000)),
    ])));
    const ui = await page.evaluate(() => window.sentilabUIMemory ? window.sentilabUIMemory() : 0).catch(() => 0);
    wasm.push({ t: Date.now(), ui, workers: ws });
  };
  // The engine's progress phases, as the page receives them: a listener on
  // the engine worker beside the page's own onmessage (the page's program
  // keeps no global handle on the worker, so the constructor is wrapped).
  await page.addInitScript(() => {
    window.memPhases = [];
    const W = window.Worker;
    window.Worker = class extends W {
      constructor(...a) {
        super(...a);
        if (!String(a[0]).startsWith('worker.js')) return;
        this.addEventListener('message', (e) => {
          const m = e.data || {};
          const phase = m.type === 'progress' ? m.payload && m.payload.phase : m.type;
          const last = window.memPhases[window.memPhases.length - 1];
          if (last && last.phase === phase) last.end = Date.now();
          else window.memPhases.push({ phase, start: Date.now(), end: Date.now() });
        });
      }
    };
  });
  const q = new URLSearchParams({ preset: 'fast', epochs: String(epochs), workers: String(workers), limit: String(limit) });
  await page.goto(`${srv.url}?${q}`);
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.includes('Ready'), null, { timeout: 120000 });
  // Sample the wasm memories in the background for the whole run.
  sampling = true;
  const wasmLoop = (async () => {
    while (sampling) {
      await wasmSample();
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  const uaLoop = breakdown && (async () => {
    while (sampling) {
      const r = await page.evaluate(async () => {
        if (!self.crossOriginIsolated || !performance.measureUserAgentSpecificMemory) return null;
        const m = await performance.measureUserAgentSpecificMemory();
        const by = {};
        for (const b of m.breakdown) {
          const scope = b.attribution.map((a) => a.scope + (a.url ? ' ' + a.url.replace(/^.*\//, '') : '')).join('+') || 'shared';
          const k = scope + ' [' + b.types.join(',') + ']';
          by[k] = (by[k] || 0) + b.bytes;
        }
        return { bytes: m.bytes, by };
      }).catch((e) => ({ error: String(e) }));
      const phase = await page.evaluate(() => window.memPhases.length ? window.memPhases[window.memPhases.length - 1].phase : '').catch(() => '');
      if (r) ua.push({ t: Date.now(), phase, total_mb: MB(r.bytes || 0), by_mb: r.by && Object.fromEntries(Object.entries(r.by).map(([k, v]) => [k, MB(v)])), error: r.error });
      await new Promise((res) => setTimeout(res, 10000));
    }
  })();
  const t0 = Date.now();
  await page.click('#tab-data');
  await page.click('#load-server');
  await page.waitForFunction(() => /EDA of \d+ reviews ready/.test(document.querySelector('#status')?.textContent || ''), null, { timeout: 900000 });
  const loadSeconds = (Date.now() - t0) / 1000;
  if (evaluateFirst) {
    // A teacher's way in: the shipped model scored in Compare (a helper
    // worker gets its file), then a training run.
    await page.click('#tab-compare');
    await page.click('#load-base');
    await page.waitForSelector('#eval-base', { timeout: 60000 });
    await page.click('#eval-base');
    await page.waitForFunction(() => /base: accuracy/.test(document.querySelector('#status')?.textContent || ''), null, { timeout: 300000 });
  }
  await page.click('#tab-train');
  const form = await page.evaluate(() => Object.fromEntries(['preset', 'f-epochs', 'f-workers', 'f-hidden', 'f-maxlen', 'f-vocab', 'f-limit']
    .map((id) => [id, document.getElementById(id)?.value])));
  if (form.preset !== 'fast' || Number(form['f-epochs']) !== epochs || Number(form['f-workers']) !== workers) {
    throw new Error('the URL did not set the form: ' + JSON.stringify(form));
  }
  const t1 = Date.now();
  await page.click('#train');
  let lastLog = 0;
  for (;;) {
    if (await page.locator('#test-acc').count()) break;
    const s = await page.evaluate(() => ({
      dead: !!(window.sentilabDead || document.getElementById('crash')),
      error: document.querySelector('#error')?.textContent || '',
      at: `epoch ${document.querySelector('#tp-epoch')?.textContent} batch ${document.querySelector('#tp-batch')?.textContent}`,
      status: document.querySelector('#status')?.textContent,
    }));
    if (s.dead || s.error) throw new Error(`training failed: ${s.error || 'the page died'} (${s.status})`);
    if (Date.now() - t1 > 3600000) throw new Error('training took over an hour');
    const last = samples[samples.length - 1];
    if (Date.now() - lastLog > 30000 && last) {
      lastLog = Date.now();
      console.error(`${((Date.now() - t0) / 1000).toFixed(0)} s: ${s.at}; ${s.status}; PSS ${MB(last.pss)} MB, RSS ${MB(last.rss)} MB; wasm ${JSON.stringify(wasm[wasm.length - 1])}`);
    }
    await page.waitForTimeout(2000);
  }
  sampling = false;
  await wasmLoop;
  if (uaLoop) await uaLoop;
  await wasmSample();
  const trainSeconds = (Date.now() - t1) / 1000;
  const acc = Number((await page.locator('#test-acc').first().innerText()).replace(/[^0-9.]/g, '')) / 100;
  const phases = await page.evaluate(() => window.memPhases);
  out = { form, load_seconds: loadSeconds, train_seconds: trainSeconds, test_accuracy: acc, phases };
} catch (err) {
  failed = String(err && err.stack || err);
} finally {
  clearInterval(timer);
  sampling = false;
  samples.push(sample());
  await close();
  srv.stop();
}

// Peaks over the run and per phase (a sample belongs to the phase whose
// span, from its first progress message to the next phase's, holds it).
const peak = (xs, k) => xs.reduce((m, s) => Math.max(m, s[k]), 0);
const at = (xs, k) => xs.find((s) => s[k] === peak(xs, k));
const report = { workers, epochs, limit, evaluate_first: evaluateFirst, failed: failed || undefined, problems, loadavg_end: loadavg() };
if (out) {
  const ps = out.phases.filter((p) => p.phase !== 'result' && p.phase !== 'error' && p.phase !== 'ready');
  report.phases = ps.map((p, i) => {
    const end = i + 1 < ps.length ? ps[i + 1].start : p.end;
    const in_ = samples.filter((s) => s.t >= p.start && s.t < end);
    const w = wasm.filter((s) => s.t >= p.start && s.t < end);
    return { phase: p.phase, seconds: (end - p.start) / 1000, peak_pss_mb: MB(peak(in_, 'pss')), peak_rss_mb: MB(peak(in_, 'rss')), peak_uss_mb: MB(peak(in_, 'uss')),
      wasm_mb: w.length ? { ui: MB(w[w.length - 1].ui), workers: w[w.length - 1].workers.map(MB) } : undefined };
  });
  Object.assign(report, { test_accuracy: out.test_accuracy, load_seconds: out.load_seconds, train_seconds: out.train_seconds, form: out.form });
}
const top = at(samples, 'pss');
const pssSorted = samples.map((s) => s.pss).sort((a, b) => a - b);
report.peak = { pss_mb: MB(peak(samples, 'pss')), rss_mb: MB(peak(samples, 'rss')), uss_mb: MB(peak(samples, 'uss')),
  pss_median_mb: MB(pssSorted[Math.floor(pssSorted.length / 2)] || 0), procs_at_peak: top ? top.procs : 0,
  pss_mb_by_kind_at_peak: top ? Object.fromEntries(Object.entries(top.kinds).map(([k, v]) => [k, MB(v)])) : undefined,
  within_1GB: peak(samples, 'pss') <= 1e9 };
const lastW = wasm[wasm.length - 1];
report.wasm_final_mb = lastW ? { ui: MB(lastW.ui), workers: lastW.workers.map(MB) } : undefined;
report.wasm_peak_mb = { ui: MB(peak(wasm, 'ui')), workers_sum: MB(wasm.reduce((m, s) => Math.max(m, s.workers.reduce((a, b) => a + Math.max(b, 0), 0)), 0)) };
report.samples = samples.length;
if (breakdown) report.ua_memory = ua;
if (outFile) writeFileSync(outFile, JSON.stringify({ report, samples, wasm }, null, 1));
console.log(JSON.stringify(report, null, 2));
process.exit(failed || problems.length ? 1 : 0);
