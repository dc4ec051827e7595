// main.js: starts the Vugu page (ui.wasm), draws charts, caches for offline.
'use strict';

// Vugu's DOM renderer installs its helper with window.eval, which the CSP
// forbids. index.html already loaded that helper (vugu-helper.js, extracted
// by build.sh), so while ui.wasm starts, Vugu's one eval call is answered with
// a no-op; the real eval (which the CSP blocks) is put back right after.
function withVuguEvalShim(start) {
  const realEval = window.eval;
  window.eval = function (src) {
    if (typeof src === 'string' && src.startsWith('(function(){if(window.vuguRender)return;') && window.vuguRender) return undefined;
    return realEval(src);
  };
  try { start(); } finally { window.eval = realEval; }
}

// Charts: Go hands each chart's ECharts option to sentilabChart(id, json)
// after a render (web/browser_js.go), never through Vugu's 16 KB render
// buffer: a long run's curve once overflowed it and killed the page. The
// chart <div> only carries its id; the last option per id is kept here, so
// a chart whose element comes back (a step revisited) is drawn again.
const charts = new Map(); // element → ECharts instance
const chartOptions = new Map(); // element id → option JSON
// echarts.min.js (1.1 MB) is loaded on the first chart, not at start-up,
// where parsing it would compete with compiling ui.wasm.
let echartsLoading = false;
function loadEcharts() {
  if (echartsLoading) return;
  echartsLoading = true;
  const s = document.createElement('script');
  s.src = 'echarts.min.js';
  s.onload = sweep;
  document.head.appendChild(s);
}
function drawChart(el) {
  const json = chartOptions.get(el.id);
  if (!window.echarts) { if (json) loadEcharts(); return; }
  let chart = charts.get(el);
  el.sentilabChartId = el.id;
  if (!json) { if (chart) chart.clear(); return; }
  if (!chart) {
    chart = echarts.init(el, null, { renderer: 'canvas' });
    charts.set(el, chart);
    // For tests (echarts.getInstanceByDom needs an attribute Vugu removes).
    el.sentilabChart = chart;
  }
  try {
    chart.setOption(JSON.parse(json), true);
    // A JS property, not an attribute: Vugu removes attributes it did not set.
    el.sentilabDraws = (el.sentilabDraws || 0) + 1;
  } catch (err) {
    console.warn('chart', el.id, err);
  }
}
window.sentilabChart = (id, json) => {
  if (json) chartOptions.set(id, json); else chartOptions.delete(id);
  const el = document.getElementById(id);
  if (el) drawChart(el);
};
// sweep disposes of charts whose element left the page and draws the ones
// whose element is new, or that Vugu reused for another id.
function sweep() {
  for (const [el, chart] of charts) if (!el.isConnected) { chart.dispose(); charts.delete(el); }
  document.querySelectorAll('.chart[id]').forEach((el) => {
    if ((!charts.has(el) || el.sentilabChartId !== el.id) && chartOptions.has(el.id)) drawChart(el);
  });
}
let sweepQueued = false;
new MutationObserver(() => {
  if (!sweepQueued) { sweepQueued = true; requestAnimationFrame(() => { sweepQueued = false; sweep(); }); }
}).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['id'] });
window.addEventListener('resize', () => charts.forEach((c) => c.resize()));

// A long text field (a 50 KB review) is set through the DOM, not as Vugu
// content (the same 16 KB buffer).
window.sentilabSyncValue = (id, value) => {
  const el = document.getElementById(id);
  if (el && el.value !== value) el.value = value;
};

// Vugu renders while holding its state's read lock, and a DOM change it
// makes can fire an event synchronously (a focused input that Vugu moves
// or replaces fires "change"). Vugu's handler then takes the write lock on
// the same goroutine: "all goroutines are asleep - deadlock!" (issue 10:
// a failed import, then a change of α; the error banner disappearing moved
// every element after it). Events that fire during a render are copied and
// delivered right after it instead.
let rendering = 0;
const deferredEvents = [];
function deliverDeferred() {
  while (!rendering && deferredEvents.length) {
    const [handler, buf] = deferredEvents.shift();
    handler(buf);
  }
}
function guardVugu() {
  const render = window.vuguRender;
  window.vuguRender = function (...args) {
    rendering++;
    try { return render.apply(this, args); } finally {
      rendering--;
      if (!rendering && deferredEvents.length) setTimeout(deliverDeferred, 0);
    }
  };
  const setHandler = window.vuguSetEventHandler;
  window.vuguSetEventHandler = function (goHandler) {
    return setHandler.call(this, function (buf) {
      // The buffer is reused by the next event: keep a copy.
      if (rendering) { deferredEvents.push([goHandler, buf.slice()]); window.sentilabDeferredEvents = (window.sentilabDeferredEvents || 0) + 1; return undefined; }
      return goHandler(buf);
    });
  };
}

// If the page's Go program dies anyway (a panic, a deadlock), it must not
// look alive: a banner says so and offers a reload, the settings being in
// the URL. Go's own report of a recovered panic (web/browser_js.go) uses the
// same banner. goTail keeps the end of Go's output, where the reason is.
let goTail = '';
function keepGoOutput() {
  const fs = globalThis.fs;
  const write = fs.writeSync.bind(fs);
  const dec = new TextDecoder();
  fs.writeSync = (fd, buf) => {
    goTail = (goTail + dec.decode(buf)).slice(-4000);
    return write(fd, buf);
  };
}
window.sentilabCrash = (message, dead) => {
  let box = document.getElementById('crash');
  if (!box) {
    box = document.createElement('div');
    box.id = 'crash';
    box.className = 'crash';
    box.setAttribute('role', 'alert');
    const p = document.createElement('p');
    const b = document.createElement('button');
    b.type = 'button';
    b.id = 'crash-reload';
    b.textContent = 'Reload and restore';
    // The URL holds the step, the preset and every hyperparameter.
    b.onclick = () => location.reload();
    box.append(p, b);
    document.body.prepend(box);
  }
  box.querySelector('p').textContent = message;
  window.sentilabCrashed = (window.sentilabCrashed || 0) + 1;
  if (dead) {
    // Nothing on the page answers any more: make that visible, and keep
    // clicks from reaching the dead program's handlers.
    // (Vugu replaced #vugu_mount_point with its root element.)
    for (const el of document.body.children) if (el !== box && el.tagName !== 'SCRIPT') { el.inert = true; el.classList.add('dead'); }
    window.sentilabDead = true;
  }
};
function goExited(reason) {
  const why = (goTail.match(/(panic: [^\n]*|fatal error: [^\n]*)/) || [])[0] || reason;
  window.sentilabCrash(`The lab's page stopped (${why}). Your lab is saved in this browser (models, results, settings): reload to restore it.`, true);
}

// The engine's worker starts first, before ui.wasm is compiled: "Ready"
// waits for the engine, and the page's own start is the shorter path.
// Its start needs this thread for a moment, though (the worker's script is
// handed over here), and go.run below holds this thread for 0.3 s: started
// just before it, the worker ran its first line only after it. So the page
// waits, at most 1 s, for the worker's "starting" message before go.run
// (BENCHMARKS.md, session 18: settled cold visits, "Ready" median 1,440 →
// 1,247 ms with the .gz loading of load_wasm.js; 1,355 without the wait).
// Messages to the engine wait in a queue until the Go side
// (web/client_js.go) takes over; it ignores "starting".
window.sentilabEarly = [];
const engineStarting = startEngine();
function startEngine() {
  const w = new Worker('worker.js');
  window.sentilabWorker = w;
  w.onmessage = (e) => window.sentilabEarly.push(e);
  // For the benchmark (tests/e2e/bench.mjs): when the engine said ready,
  // whoever handles its messages by then.
  w.addEventListener('message', function ready(e) {
    if (e.data && e.data.type === 'ready') {
      performance.mark('engine-ready');
      w.removeEventListener('message', ready);
      keepOffline();
    }
  });
  return new Promise((resolve) => {
    w.addEventListener('message', function starting(e) {
      if (e.data && e.data.type === 'starting') {
        w.removeEventListener('message', starting);
        resolve();
      }
    });
    setTimeout(resolve, 1000);
  });
}

// The page itself.
(async () => {
  const go = new Go();
  try {
    const { instance } = await sentilabLoadWasm('ui.wasm', go.importObject);
    performance.mark('ui-compiled');
    await engineStarting;
    // go.run executes Go's main synchronously up to its first wait, which
    // is after domrender.New has made its eval call.
    // ui.wasm's memory, for the e2e test that checks it stays bounded.
    window.sentilabUIMemory = () => instance.exports.mem.buffer.byteLength;
    keepGoOutput();
    guardVugu();
    let done;
    withVuguEvalShim(() => { done = go.run(instance); });
    // go.run's promise settles when the Go program exits, which the page's
    // program never does on its own.
    done.then(() => goExited('it exited'), (err) => goExited(String(err)));
  } catch (err) {
    document.getElementById('vugu_mount_point').textContent = 'The lab failed to start: ' + err;
    console.error(err);
  }
})();

// Offline: a network-first service worker keeps a copy of every asset
// (sw.js). It is registered once the engine is ready and the page idle:
// registered with the page, on a first visit it started and took over while
// the engine's worker loaded, and every byte of worker.js and engine.wasm
// went through it: "Ready" 0.2–0.4 s later on a 2-core VM (BENCHMARKS.md,
// session 17). Installing, it stores the files this visit loaded without it.
function keepOffline() {
  if (!('serviceWorker' in navigator) || !(location.protocol === 'http:' || location.protocol === 'https:')) return;
  const register = () => navigator.serviceWorker.register('sw.js').catch((err) => console.warn('service worker:', err));
  // Not at once: installing writes ≈ 16 MB into the cache, and the page's
  // own first request to the engine is still under way.
  setTimeout(() => ('requestIdleCallback' in window ? requestIdleCallback(register, { timeout: 3000 }) : register()), 2000);
}
