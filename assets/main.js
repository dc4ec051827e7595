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

// Charts: Go renders <div class="chart" data-option="{...ECharts option JSON...}">;
// whenever that attribute changes, draw it. Charts whose element left the
// page are disposed.
const charts = new Map();
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
  if (!window.echarts) { if (el.getAttribute('data-option')) loadEcharts(); return; }
  const json = el.getAttribute('data-option');
  let chart = charts.get(el);
  if (!json) { if (chart) chart.clear(); return; }
  if (!chart) { chart = echarts.init(el, null, { renderer: 'canvas' }); charts.set(el, chart); }
  try {
    chart.setOption(JSON.parse(json), true);
    // A JS property, not an attribute: Vugu removes attributes it did not set.
    el.sentilabDraws = (el.sentilabDraws || 0) + 1;
  } catch (err) {
    console.warn('chart', el.id, err);
  }
}
function sweep() {
  for (const [el, chart] of charts) if (!el.isConnected) { chart.dispose(); charts.delete(el); }
  document.querySelectorAll('.chart[data-option]').forEach((el) => { if (!charts.has(el) && el.getAttribute('data-option')) drawChart(el); });
}
let sweepQueued = false;
new MutationObserver((records) => {
  for (const r of records) {
    if (r.type === 'attributes' && r.target.classList && r.target.classList.contains('chart')) drawChart(r.target);
    else if (r.type === 'childList') sweepQueued = true;
  }
  if (sweepQueued) { sweepQueued = false; requestAnimationFrame(sweep); }
}).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-option'] });
window.addEventListener('resize', () => charts.forEach((c) => c.resize()));
window.addEventListener('load', sweep);
document.addEventListener('DOMContentLoaded', () => requestAnimationFrame(sweep));

// engine.wasm is compiled here, in parallel with ui.wasm, and the module is
// posted to the engine worker: a worker only starts running once the page's
// main thread is free (≈1.2 s in, after Go has rendered), so compiling inside
// it made the engine ready ≈1 s later. Messages to the engine wait in a queue
// until the Go side (web/client_js.go) takes over.
window.sentilabEarly = [];
const engineWorker = new Worker('worker.js?module=posted');
window.sentilabWorker = engineWorker;
engineWorker.onmessage = (e) => window.sentilabEarly.push(e);
WebAssembly.compileStreaming(fetch('engine.wasm')).then(
  (module) => { performance.mark('engine-compiled'); engineWorker.postMessage({ type: 'engineModule', module }); },
  (err) => engineWorker.postMessage({ type: 'engineModule', module: null, error: 'engine.wasm: ' + err }));

// The page itself.
(async () => {
  const go = new Go();
  try {
    const { instance } = await WebAssembly.instantiateStreaming(fetch('ui.wasm'), go.importObject);
    performance.mark('ui-compiled');
    // go.run executes Go's main synchronously up to its first wait, which
    // is after domrender.New has made its eval call.
    withVuguEvalShim(() => go.run(instance));
  } catch (err) {
    document.getElementById('vugu_mount_point').textContent = 'The lab failed to start: ' + err;
    console.error(err);
  }
})();

// Offline: a network-first service worker keeps a copy of every asset.
if ('serviceWorker' in navigator && (location.protocol === 'http:' || location.protocol === 'https:')) {
  navigator.serviceWorker.register('sw.js').catch((err) => console.warn('service worker:', err));
}
