// echo.js: a worker that answers each predict-shaped message at once with a
// reply of a prediction's shape (the text back as "cleaned"). peer.js times
// it at batch 1: the cost of a worker's round trip alone, which any engine
// placed in a worker pays on top of its own time (BENCHMARKS.md).
'use strict';
self.onmessage = (e) => {
  const { id, payload } = e.data;
  postMessage({ id, type: 'result', payload: { cleaned: payload.text, results: [{ variant: payload.variants[0], probability: 0.5, label: 'positive', ms: 0 }] } });
};
