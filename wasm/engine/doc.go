// Command engine is Sentilab's compute engine for the browser: the core
// (data, text, eda, nn, train, modelfile) compiled to WebAssembly and run in
// a Web Worker (assets/worker.js), so the page's main thread never computes.
//
// The handlers live in engine.go and friends and are plain Go (tested
// natively); main_js.go only translates between JS messages and them.
//
// # PROTOCOL
//
// Every message is a plain JS object. The page sends requests:
//
//	{id: number, type: string, payload: object, buffer?: ArrayBuffer}
//
// and the worker answers each request with zero or more progress replies and
// then exactly one result or error reply, all carrying the request's id:
//
//	{id, type: "progress", payload}
//	{id, type: "result",   payload, buffer?}
//	{id, type: "error",    payload: {message: string}}
//
// Once, at start-up, the worker posts {type: "ready", payload: {version}}.
// Started as worker.js?module=posted, it first waits for the compiled
// engine.wasm: {type: "engineModule", module: WebAssembly.Module} (the page
// compiles it while ui.wasm compiles; a training engine passes its own module
// to its helpers). Plain worker.js fetches and compiles engine.wasm itself.
// Payloads are JSON-compatible objects (the worker JSON-encodes them in Go);
// bulk bytes (a dataset file, a model file) travel in buffer and are
// transferred, not copied: the sender's ArrayBuffer is detached.
//
// Requests run one at a time in arrival order, except cancel, presets and
// variants, which are answered at once (even during a training run).
//
// Requests (payload fields in parentheses; all optional unless marked *):
//
//	loadData   buffer = the bytes of a Kaggle CSV (plain or .gz) or an aclImdb
//	           .tar.gz (name); or (url) to fetch, e.g. "/api/data"; (limit)
//	           keeps the first N reviews. progress {phase:"read", bytes, total}.
//	           result {name, rows, positive, negative}
//	eda        → core/eda Report of the loaded data (the thesis's EDA), with
//	           progress {phase:"clean"|"eda", done, total}
//	train      (preset*, name, epochs, batch_size, lr, val_split, seed,
//	           train_limit, test_frac, vocab, embed, hidden, max_len, masking, padding,
//	           dropout, workers: Web Workers sharing each batch, this one
//	           included; it starts workers−1 helpers, see shard.go). progress per batch {phase:"train", epoch, epochs,
//	           batch, batches, done, total, loss, accuracy, batch_loss,
//	           examples_per_sec, eta_sec} and per epoch {phase:"epoch",
//	           history}; result {variant, history, test: Metrics, seconds}.
//	presets    → {presets: [{name, about, epochs, batch_size, lr, val_split,
//	           test_frac, train_limit, vocab, embed, hidden, max_len,
//	           padding, masking, dropout}], kernel}: core/train's presets, and
//	           the matmul kernel ("simd128" or "portable")
//	cancel     (target*): the id of a running request; it ends with an error
//	           reply "canceled" within about 100-200 ms.
//	evaluate   (variant*, seed, test_frac) → Metrics on the test split
//	predict    (text*, variants, explain) → {results: [{variant,
//	           probability, label, ms, words: [{word, delta}]}]}
//	variants   → {variants: [Info]}: every model in the worker
//	inspect    (variant*) → per-tensor size, zeros and weight histogram
//	exportModel (variant*) → result {name, filename, size} + buffer: the
//	           safetensors model file (core/modelfile)
//	importModel buffer = a model file, or (url) to fetch one (a pre-trained
//	           model: "models/<file>"), (name, sha256 to check) → Info
//	shardInit  (config, n, chunk, seed, lr) + buffer = training set, then the
//	           initial weights: sent by a training engine to its helpers
//	           (data parallelism, shard.go)
//	shardStep  (step, rows, chunk_base, scale, update, weights_hash) + buffer
//	           = the previous step's summed gradient when update (the helper
//	           applies it with its own Adam first) → result {loss, right} +
//	           buffer = the shard's gradient (sparse rows)
//	compress   (variant*, method*: "int8" | "f16" | "prune" | "distill", name,
//	           initial_sparsity, final_sparsity, epochs, alpha, t, embed,
//	           hidden, thesis) → {info, fit, sparsity}: a new variant made with
//	           core/compress, scored on its source's test split; prune and
//	           distill fine-tune (progress as train)
//
// Long loops give JS a turn (a channel closed by setTimeout) about every
// 100 ms, so a cancel message is seen while a request computes: Go's js/wasm
// has no preemption. A panic in a handler becomes an error reply; the worker
// lives on.
package main
