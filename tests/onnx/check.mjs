// check.mjs runs an exported Sentilab ONNX model in ONNX Runtime
// (onnxruntime-node, CPU) on the test reviews of a reference file written by
// `lab export --reference` and asserts its probabilities equal Sentilab's:
//
//   node tests/onnx/check.mjs MODEL.onnx REF.json TOLERANCE [FLOAT_TOLERANCE]
//
// TOLERANCE bounds max |Δp| of ORT (default options) against the runtime
// `lab eval` uses for the variant (1e-5 float, 0.01 int8). For int8
// variants FLOAT_TOLERANCE also bounds max |Δp| of ORT with basic graph
// optimizations (no MatMulNBits fusion: exactly the graph's float32 arithmetic)
// against our float runtime on the same dequantized weights, so the graph
// itself is checked tightly and the int8 bar measures only how activations
// are rounded.
// It also checks the metadata_props a user needs and prints ORT's speed next
// to ours on the same reviews. Exit status 1 on any failure.
import fs from 'node:fs';
import ort from 'onnxruntime-node';
import { metadataProps } from './metadata.mjs';

const [modelPath, refPath, tolArg, floatTolArg] = process.argv.slice(2);
if (!modelPath || !refPath || !tolArg) {
  console.error('usage: node tests/onnx/check.mjs MODEL.onnx REF.json TOLERANCE [FLOAT_TOLERANCE]');
  process.exit(2);
}
const tol = Number(tolArg);
const ref = JSON.parse(fs.readFileSync(refPath, 'utf8'));
const failures = [];
const fail = (msg) => failures.push(msg);

// One thread, as our native number is one goroutine.
const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });

// Metadata: what a user needs to feed the model without our code. ORT's
// Node API does not expose metadata_props, so they are read from the file.
const md = metadataProps(fs.readFileSync(modelPath));
for (const key of ['sentilab.vocab', 'sentilab.max_len', 'sentilab.padding', 'sentilab.masking',
  'sentilab.preprocessing', 'sentilab.stopwords', 'sentilab.tokenizer_filters']) {
  if (!(key in md)) fail(`metadata_props has no ${key}`);
}
if (md['sentilab.max_len'] !== String(ref.max_len)) fail(`metadata max_len ${md['sentilab.max_len']}, want ${ref.max_len}`);
const vocab = JSON.parse(md['sentilab.vocab'] ?? '[]');
if (vocab[0] !== '' || vocab[1] !== '<OOV>') fail(`metadata vocab starts ${JSON.stringify(vocab.slice(0, 2))}, want ["", "<OOV>"]`);

const { n, max_len: T } = ref;
const tokens = new ort.Tensor('int64', BigInt64Array.from(ref.tokens, (v) => BigInt(v)), [n, T]);
const feeds = { tokens };
let out = await session.run(feeds); // warm-up (and the answer)
let best = Infinity;
for (let i = 0; i < 3; i++) {
  const t0 = process.hrtime.bigint();
  out = await session.run(feeds);
  best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
}
const p = out.probability.data;
if (p.length !== n) fail(`probability has ${p.length} values, want ${n}`);

function maxDiff(p, want) {
  let m = 0, at = -1;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(p[i] - want[i]);
    if (!(d <= m)) { m = d; at = i; } // NaN counts as the worst
  }
  return { m, at };
}
const d = maxDiff(p, ref.probabilities);
let agree = 0;
for (let i = 0; i < n; i++) if ((p[i] >= 0.5) === (ref.probabilities[i] >= 0.5)) agree++;
let correct = 0;
for (let i = 0; i < ref.reviews; i++) if ((p[i] >= 0.5) === (ref.labels[i] >= 0.5)) correct++;
if (!(d.m <= tol)) fail(`max |Δp| ${d.m.toExponential(3)} vs Sentilab ${ref.runtime} runtime at review ${d.at} (ORT ${p[d.at]}, Sentilab ${ref.probabilities[d.at]}), want ≤ ${tol}`);
let line = `${modelPath}: ${ref.variant}: max |Δp| vs Sentilab ${ref.runtime} = ${d.m.toExponential(3)} (≤ ${tol})`;
if (floatTolArg !== undefined) {
  // ORT's extended graph optimizations replace the dense layer's
  // DequantizeLinear → Gemm by com.microsoft MatMulNBits (seen in the
  // optimized graph), which moves p by up to ~4e-4; with basic
  // optimizations ORT computes exactly what the graph says: float32 on the
  // dequantized weights.
  const plain = await ort.InferenceSession.create(modelPath, { graphOptimizationLevel: 'basic', intraOpNumThreads: 1, interOpNumThreads: 1 });
  const pf = (await plain.run(feeds)).probability.data;
  const { m, at } = maxDiff(pf, ref.float_probabilities);
  const ftol = Number(floatTolArg);
  if (!(m <= ftol)) fail(`basic-optimized ORT: max |Δp| ${m.toExponential(3)} vs Sentilab float on the dequantized weights at review ${at}, want ≤ ${ftol}`);
  line += `; graph as written (ORT basic optimizations) vs Sentilab float on the dequantized weights = ${m.toExponential(3)} (≤ ${ftol})`;
}
const ortSpeed = n / best;
console.log(`${line}; same label ${agree}/${n}; ORT accuracy ${(correct / ref.reviews).toFixed(4)} on ${ref.reviews} test reviews (+${ref.edge_rows} edge rows); ` +
  `ORT ${ortSpeed.toFixed(0)} vs Sentilab ${ref.native_reviews_per_second.toFixed(0)} rows/s (1 thread, ${n} rows in one batch)`);
if (failures.length) {
  for (const f of failures) console.error(`FAIL ${modelPath}: ${f}`);
  process.exit(1);
}
