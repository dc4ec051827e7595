// metadata.mjs reads an ONNX file's metadata_props without any protobuf library.

// metadataProps decodes ModelProto.metadata_props (field 14, a
// StringStringEntryProto{key 1, value 2}) with a minimal protobuf reader.
export function metadataProps(buf) {
  const fields = (b) => {
    const out = [];
    let i = 0;
    const varint = () => {
      let v = 0n, shift = 0n;
      for (;;) {
        const c = b[i++];
        v |= BigInt(c & 0x7f) << shift;
        if (c < 0x80) return v;
        shift += 7n;
      }
    };
    while (i < b.length) {
      const key = Number(varint());
      const field = key >> 3, wire = key & 7;
      if (wire === 0) out.push([field, varint()]);
      else if (wire === 5) { out.push([field, b.subarray(i, i + 4)]); i += 4; }
      else if (wire === 1) { out.push([field, b.subarray(i, i + 8)]); i += 8; }
      else if (wire === 2) { const n = Number(varint()); out.push([field, b.subarray(i, i + n)]); i += n; }
      else throw new Error(`not an ONNX file: wire type ${wire} at byte ${i}`);
    }
    return out;
  };
  const dec = new TextDecoder();
  const md = {};
  for (const [f, v] of fields(buf)) {
    if (f !== 14) continue;
    const e = Object.fromEntries(fields(v).map(([k, x]) => [k, dec.decode(x)]));
    md[e[1]] = e[2] ?? '';
  }
  return md;
}
