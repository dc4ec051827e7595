// Package protocol is the typed contract between Sentilab's programs: the
// messages the page (web/) and the browser engine (wasm/engine) exchange,
// the model manifest that `lab manifest` writes and the server serves at
// /api/models, and the rows of the results table (`lab report`).
//
// It depends on the standard library only, so every program can import it:
// the engine and the page (both WebAssembly), the server (also built for
// Cloudflare Workers) and the command line. The JSON keys are the wire
// format; protocol_test.go pins them with golden literals, so a renamed key
// fails a test instead of silently reading as zero in another program.
//
// # Envelope
//
// The page posts {id, type, payload, buffer?} to the engine's Web Worker;
// the engine answers with zero or more {id, type: "progress", payload},
// then one {id, type: "result", payload, buffer?} or {id, type: "error",
// payload: Error}. At start-up it posts {type: "ready", payload: Ready}.
// Each request type (the Type constants) names its payload type and its
// result type in the constant's comment. Bulk bytes (a dataset, a model
// file, a gradient) travel in buffer and are transferred, not copied.
//
// Decoding is strict where a program reads what another wrote: Decode
// refuses unknown keys and trailing data and names the message type.
package protocol
