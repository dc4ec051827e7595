// echo.js: a worker that answers each predict-shaped message with a reply
// of a prediction's shape (the text back as "cleaned"), at once or after
// spinning payload.spin_ms (standing in for an engine's own time). peer.js
// times it at batch 1: the cost of a worker's round trip alone, which any
// engine placed in a worker pays on top of its own time, and which grows
// when the worker has worked first (BENCHMARKS.md, "Session 14").
'use strict';
self.onmessage = (e) => {
  const { id, payload } = e.data;
  const until = performance.now() + (payload.spin_ms || 0);
  while (performance.now() < until) { /* the stand-in's work */ }
  postMessage({ id, type: 'result', payload: { cleaned: payload.text, results: [{ variant: payload.variants[0], probability: 0.5, label: 'positive', ms: 0 }] } });
};
