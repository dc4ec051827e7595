// go_js_wasm_chromium.mjs: go test -exec for GOOS=js GOARCH=wasm that runs
// the test binary in headless Chromium (a page, Go's wasm_exec.js, Go's
// memory handed to the SIMD kernels as assets/worker.js does), for what
// only the browser runs as users get it: relaxed SIMD (Node 20 has it
// behind a flag, and there i32x4.relaxed_dot_i8x16_i7x16_add_s gives wrong
// sums, BENCHMARKS.md "Session 9"). No server: Playwright answers the
// page's requests from disk. Tests that read files do not run here.
//
//	GOOS=js GOARCH=wasm go test -exec="node $PWD/scripts/go_js_wasm_chromium.mjs" -run TestQSteps7 ./core/compress
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { launch } = await import(join(root, 'tests', 'e2e', 'lib.mjs'));
const [bin, ...args] = process.argv.slice(2);
if (!bin) {
  console.error('usage: go_js_wasm_chromium.mjs test.wasm [test flags]');
  process.exit(2);
}
const goroot = process.env.GOROOT || execFileSync('go', ['env', 'GOROOT']).toString().trim();
const files = {
  '/': ['text/html', '<!doctype html><script src="wasm_exec.js"></script>'],
  '/wasm_exec.js': ['text/javascript', readFileSync(join(goroot, 'lib', 'wasm', 'wasm_exec.js'))],
  '/test.wasm': ['application/wasm', readFileSync(bin)],
};
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('SENTILAB_')));

const { browser, close } = await launch();
let code = 1;
try {
  const page = await browser.newPage();
  await page.route('http://wasmtest.invalid/**', (route) => {
    const f = files[new URL(route.request().url()).pathname];
    return f ? route.fulfill({ contentType: f[0], body: f[1] }) : route.fulfill({ status: 404 });
  });
  page.on('console', (m) => console.log(m.text()));
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto('http://wasmtest.invalid/');
  code = await page.evaluate(async ({ args, env }) => {
    const go = new Go();
    go.argv = ['test.wasm', ...args];
    go.env = env;
    const done = new Promise((resolve) => { go.exit = resolve; });
    const { instance } = await WebAssembly.instantiateStreaming(fetch('test.wasm'), go.importObject);
    self.sentilabGoMemory = instance.exports.mem;
    go.run(instance);
    return done;
  }, { args, env });
} finally {
  await close();
}
process.exit(code);
