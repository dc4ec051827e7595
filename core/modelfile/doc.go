// Package modelfile writes and reads Sentilab's one model format: a
// safetensors file (8-byte little-endian header length, JSON header, raw
// little-endian tensor bytes) whose __metadata__ carries everything needed
// to use the model: format "sentilab/1", the config, the vocabulary, the
// variant, its metrics and its provenance (laid out below).
//
// The package has two layers. The container (File, Tensor, Write, Parse,
// Read) knows nothing of Sentilab: any safetensors file with the standard
// dtypes parses, and every file it writes opens in any safetensors reader.
// Parse checks the whole header against the file's real size before it
// trusts a number in it, so a hostile or truncated file costs at most a
// small multiple of its own size in memory (a sparse mask byte decodes to
// eight float32s) and gets an error that names the tensor, the field and
// what was expected. It never panics.
//
// The model layer (Encode, NewFile, Save, Decode, Load) maps nn.Model to
// tensors and back. Each weight NAME (embedding.weight, lstm.kernel, ...)
// may be stored in any of these encodings, all decoded to dense float32:
//
//	NAME         F32, F16 or BF16: the weights themselves.
//	NAME         I8, with NAME.scale (F32) broadcast against it: w = q·scale.
//	             The scale's shape gives its axis: [V,1] one per embedding
//	             row, [1,4H] one per kernel output column, [1] one for all.
//	NAME.mask    U8 [ceil(n/8)]: bit i (LSB first) is set when element i of
//	             the n weights is non-zero; padding bits are zero; and
//	NAME.values  the non-zero weights in order, [nnz], itself in any dense
//	             encoding above (I8 with NAME.values.scale).
//
// so the compression package only has to produce tensors. One tensor is
// not a weight: train.fingerprints (U8), the fingerprint set of the
// reviews the model was trained on (Meta.Fingerprints, core/fingerprint),
// checked value by value when the file is decoded. Decode refuses a
// config over nn.DefaultBudget before it decodes any weight: a header is
// only a claim, and max_len 100000 or embed = hidden = 4096 over a nearly
// empty sparse file would otherwise cost gigabytes at the first batch.
//
// A file holds one of two kinds of model, named by the config's "kind" key
// (Kind reads it; LoadAnyFile decodes either). An LSTM file's config has no
// kind. A "tfidf-logreg" file is the baseline lesson's TF-IDF logistic
// regression (core/baseline; EncodeBaseline, DecodeBaseline):
//
//	config   {"kind": "tfidf-logreg", "tokens": "sklearn" | "thesis",
//	          "ngram_min": 1, "ngram_max": 2, "sublinear_tf": true,
//	          "idf": "smooth", "norm": "l2", "vocab": V,
//	          "preprocessing": the tokenization in words}
//	vocab    the V n-grams, JSON array in index order (a bigram is its two
//	         words joined by one space)
//	tfidf.idf      F32 [V]  ln((1+n)/(1+df)) + 1 over the n training reviews
//	logreg.weight  [V]      one weight per n-gram, in any encoding above
//	logreg.bias    [1]
//
// A review's row is x_j = tf_j·idf_j (tf the count, or 1+ln count with
// sublinear_tf) scaled to unit L2 norm; P(positive) = σ(bias + Σ_j w_j·x_j).
// Everything needed to recompute it in another language is in the file.
// DecodeBaseline checks the config (unknown keys refused, V ≤ 2,000,000
// before any tensor is decoded), that the vocabulary has V distinct
// well-formed n-grams, every tensor's shape, finite weights and positive
// idf values, and refuses leftover tensors, as Decode does for an LSTM;
// each decoder refuses the other kind by name.
//
// Files are written through a Target: OpenTarget checks the path (not a
// folder, its folder exists, an existing file is writable by its owner: a
// read-only model is refused, never replaced) and creates the temp file
// .NAME.sentilab-tmp-PID-RANDOM beside it before the work starts; Commit
// writes, syncs and renames it into place, keeping the old file's mode. A
// temp file whose writing process is gone (kill -9, power cut) is removed
// by the next OpenTarget of the same path; Recover saves a finished model
// under a recovery name when the target can no longer take it.
package modelfile
