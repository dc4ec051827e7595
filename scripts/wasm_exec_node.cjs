// wasm_exec_node.cjs: Go's lib/wasm/wasm_exec_node.js plus one line: it hands
// Go's memory to the SIMD kernel (core/kernels/kernels_wasm.go) as
// globalThis.sentilabGoMemory, as assets/worker.js does in the browser.
// Used by scripts/go_js_wasm_exec (go test -exec) and lab bench's wasm rows.
"use strict";

if (process.argv.length < 3) {
	console.error("usage: go_js_wasm_exec [wasm binary] [arguments]");
	process.exit(1);
}

globalThis.require = require;
globalThis.fs = require("fs");
globalThis.path = require("path");
globalThis.TextEncoder = require("util").TextEncoder;
globalThis.TextDecoder = require("util").TextDecoder;
globalThis.performance ??= require("performance");
globalThis.crypto ??= require("crypto");

const goroot = process.env.GOROOT || require("child_process").execFileSync("go", ["env", "GOROOT"]).toString().trim();
require(path.join(goroot, "lib", "wasm", "wasm_exec.js"));

const go = new Go();
go.argv = process.argv.slice(2);
go.env = Object.assign({ TMPDIR: require("os").tmpdir() }, process.env);
go.exit = process.exit;
WebAssembly.instantiate(fs.readFileSync(process.argv[2]), go.importObject).then((result) => {
	if (process.env.SENTILAB_WASM_MEMORY === "1") { // for tests/badinput: Go's memory at exit, however it exits
		process.on("exit", () => console.error(`wasm memory: ${result.instance.exports.mem.buffer.byteLength} bytes`));
	}
	process.on("exit", (code) => { // Node.js exits if no event handler is pending
		if (code === 0 && !go.exited) {
			// deadlock, make Go print error and stack traces
			go._pendingEvent = { id: 0 };
			go._resume();
		}
	});
	if (process.env.SENTILAB_SIMD !== "0") globalThis.sentilabGoMemory = result.instance.exports.mem;
	return go.run(result.instance);
}).catch((err) => {
	console.error(err);
	process.exit(1);
});
