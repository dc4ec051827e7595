// peerlib.mjs: what the peer benchmark shares between Node
// (tests/e2e/peercheck.mjs, tests/e2e/peer.mjs) and its page in Chromium
// (assets/peer/peer.js, which the server sends as /peer/peerlib.mjs).

// batches cuts ref's longest-first reviews (reviews.json of
// tests/e2e/peerprep) into batches of size b, each padded (post, id 0) to
// its own longest review (or to padTo): tokens BigInt64Array [n, len], lens
// Int32Array [n].
export function batches(ref, size, padTo = 0) {
  const out = [];
  for (let lo = 0; lo < ref.n; lo += size) {
    const hi = Math.min(lo + size, ref.n);
    const len = padTo || Math.max(...ref.lengths.slice(lo, hi));
    const tokens = new BigInt64Array((hi - lo) * len);
    const lens = new Int32Array(hi - lo);
    for (let i = lo; i < hi; i++) {
      const ids = ref.ids[i];
      for (let t = 0; t < ids.length; t++) tokens[(i - lo) * len + t] = BigInt(ids[t]);
      lens[i - lo] = ids.length;
    }
    out.push({ lo, n: hi - lo, len, tokens, lens });
  }
  return out;
}

// maxDiff is max |p − want| (NaN counts as the worst), where, and how many
// labels (p ≥ 0.5) agree.
export function maxDiff(p, want) {
  let max = 0, at = -1, sameLabel = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(p[i] - want[i]);
    if (!(d <= max)) { max = d; at = i; }
    if ((p[i] >= 0.5) === (want[i] >= 0.5)) sameLabel++;
  }
  return { max, at, sameLabel };
}
