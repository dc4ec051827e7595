// sw.js: network first, cache as fallback, so the lab works offline after
// one visit and never serves a stale build while online. The dataset
// (/api/data, tens of MB) is not cached.
'use strict';
const CACHE = 'sentilab-v1';
// The page registers this once its engine is ready (main.js), after the
// files it started with were fetched without it: installing stores them, so
// that one visit is enough (from the HTTP cache, revalidated by ETag). A
// file that fails is left to the fetch handler.
// The wasm files as the page loads them: their gzip copies (load_wasm.js).
const SHELL = ['./', 'lab.css', 'wasm_exec.js', 'load_wasm.js', 'vugu-helper.js', 'main.js', 'ui.wasm.gz', 'worker.js',
  'engine.wasm.gz', 'api/models', 'api/datasets'];
self.addEventListener('install', (e) => {
  self.skipWaiting();
  e.waitUntil(caches.open(CACHE).then((c) => Promise.all(SHELL.map((u) => c.add(u).catch(() => {})))));
});
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== location.origin || url.pathname === '/api/data') return;
  e.respondWith((async () => {
    try {
      const resp = await fetch(e.request);
      if (resp.ok && resp.status === 200) {
        // Store only what changed (by ETag): rewriting 5 MB of wasm into
        // the cache on every visit measurably slowed the second load.
        const copy = resp.clone();
        e.waitUntil(caches.open(CACHE).then(async (c) => {
          const old = await c.match(e.request);
          const tag = copy.headers.get('ETag');
          if (!old || !tag || old.headers.get('ETag') !== tag) await c.put(e.request, copy);
        }));
      }
      return resp;
    } catch (err) {
      const hit = await caches.match(e.request, { ignoreSearch: true });
      if (hit) return hit;
      throw err;
    }
  })());
});
