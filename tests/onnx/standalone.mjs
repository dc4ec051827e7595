// standalone.mjs uses an exported model as someone without Sentilab's code
// would: everything it needs (vocabulary, stopwords, tokenizer filters,
// max_len, padding) comes from the file's metadata_props, and the text
// pipeline is the one sentilab.preprocessing spells out (the README shows
// it in Python). It checks that raw review texts become exactly Sentilab's
// token ids and that ONNX Runtime's probabilities on them are Sentilab's:
//
//   node tests/onnx/standalone.mjs MODEL.onnx REF.json TOLERANCE
//
// REF.json is written by `lab export --reference` (raw texts, token ids and
// Sentilab's probabilities of the same reviews).
import fs from 'node:fs';
import ort from 'onnxruntime-node';
import { metadataProps } from './metadata.mjs';

const [modelPath, refPath, tolArg] = process.argv.slice(2);
if (!modelPath || !refPath || !tolArg) {
  console.error('usage: node tests/onnx/standalone.mjs MODEL.onnx REF.json TOLERANCE');
  process.exit(2);
}
const ref = JSON.parse(fs.readFileSync(refPath, 'utf8'));
const md = metadataProps(fs.readFileSync(modelPath));

const vocab = JSON.parse(md['sentilab.vocab']);
const index = new Map(vocab.map((w, i) => [w, i]));
const stopwords = new Set(JSON.parse(md['sentilab.stopwords']));
const filters = new Set(md['sentilab.tokenizer_filters']);
const maxLen = Number(md['sentilab.max_len']);
const padding = md['sentilab.padding'];
const truncating = md['sentilab.truncating'];
const OOV = Number(md['sentilab.oov_id']);

// Python's whitespace (str.split(), re \s) and \w (letters, digits, _).
const SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const spaces = new RegExp(`[${SPACE}]+`);
const notWordSpaceApostrophe = new RegExp(`[^\\p{L}\\p{N}_${SPACE}']`, 'gu');

// 1. clean (the thesis's Python).
function clean(s) {
  let t = '';
  for (const w of s.toLowerCase().split(spaces)) {
    if (w !== '' && !stopwords.has(w)) t += w + ' ';
  }
  t = t.replace(/[\n\t]/g, '').replace(/<[^>]+>/g, '');
  return t.replace(notWordSpaceApostrophe, ' ').replace(/ +/g, ' ');
}

// 2. tokenize (Keras Tokenizer) and 3. pad (Keras pad_sequences).
function tokens(s) {
  const mapped = Array.from(s, (c) => (filters.has(c) ? ' ' : c)).join('').toLowerCase();
  let ids = mapped.split(' ').filter((w) => w !== '').map((w) => index.get(w) ?? OOV);
  if (ids.length > maxLen) ids = truncating === 'pre' ? ids.slice(ids.length - maxLen) : ids.slice(0, maxLen);
  const row = new Array(maxLen).fill(0);
  const at = padding === 'pre' ? maxLen - ids.length : 0;
  ids.forEach((id, i) => { row[at + i] = id; });
  return row;
}

const n = ref.reviews;
const flat = new BigInt64Array(n * maxLen);
let differ = 0, firstDiff = -1;
for (let i = 0; i < n; i++) {
  const row = tokens(clean(ref.texts[i]));
  const want = ref.tokens.slice(i * maxLen, (i + 1) * maxLen);
  if (row.some((v, t) => v !== want[t])) {
    differ++;
    if (firstDiff < 0) firstDiff = i;
  }
  row.forEach((v, t) => { flat[i * maxLen + t] = BigInt(v); });
}

const session = await ort.InferenceSession.create(modelPath);
const p = (await session.run({ tokens: new ort.Tensor('int64', flat, [n, maxLen]) })).probability.data;
let maxd = 0;
for (let i = 0; i < n; i++) maxd = Math.max(maxd, Math.abs(p[i] - ref.probabilities[i]));

console.log(`${modelPath}: from metadata_props alone: ${n - differ}/${n} reviews tokenized exactly as Sentilab does ` +
  `(${padding} padding, max_len ${maxLen}); max |Δp| vs Sentilab ${maxd.toExponential(3)} (≤ ${tolArg})`);
let failed = false;
if (differ > 0) {
  console.error(`FAIL ${modelPath}: ${differ} reviews tokenized differently, the first is review ${firstDiff}`);
  failed = true;
}
if (!(maxd <= Number(tolArg))) {
  console.error(`FAIL ${modelPath}: max |Δp| ${maxd} > ${tolArg}`);
  failed = true;
}
process.exit(failed ? 1 : 0);
