#!/usr/bin/env bash
# build.sh: one script builds, serves and tests Sentilab.
#
#   ./build.sh          build everything into build/ and assets/
#   ./build.sh serve    build, then serve the lab on http://127.0.0.1:8080
#   ./build.sh test     build, then run every test (Go native + wasm, ONNX Runtime, browser end-to-end)
#   ./build.sh test-long  the runs too long for CI: full-size input bombs, class mode with 300 students,
#                         the three lessons with the page's defaults in a browser, a mixed browser + native class
#   ./build.sh bench    lab bench --json (native and wasm under Node)
#   ./build.sh workers [build|check]   the Cloudflare Workers build, run in workerd locally with class mode on local D1 (server/workers.sh)
#
# Needs Go 1.26 and Node/npm. The dataset is found through $SENTILAB_DATA or at
# ../shared/data/imdb/imdb-50k.csv.gz; the lab itself starts without it.
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
GOROOT_DIR=$(go env GOROOT)
# Go's go_js_wasm_exec, plus Go's memory handed to the SIMD kernel (core/kernels/kernels_wasm.go).
WASM_EXEC="$root/scripts/go_js_wasm_exec"

default_data="$root/../shared/data/imdb/imdb-50k.csv.gz"
if [[ -z "${SENTILAB_DATA:-}" && -f "$default_data" ]]; then
  export SENTILAB_DATA="$default_data"
fi

# Each step's line says when it began (minutes:seconds since the start), so
# a log shows where CI's time goes.
log() { printf '==> [%d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*" >&2; }

build_native() {
  mkdir -p build
  log "go build: build/lab, build/server"
  go build -o build/lab ./cmd/lab
  if [[ -d server ]]; then go build -o build/server ./server; fi
}

build_wasm() {
  mkdir -p build assets
  log "wasm: build/lab.wasm (for lab bench under Node)"
  GOOS=js GOARCH=wasm go build -o build/lab.wasm ./cmd/lab
  cp "$GOROOT_DIR/lib/wasm/wasm_exec.js" assets/wasm_exec.js
  if [[ -d wasm/engine ]]; then
    log "wasm: assets/engine.wasm"
    GOOS=js GOARCH=wasm go build -trimpath -ldflags=-s -o assets/engine.wasm ./wasm/engine
  fi
  if [[ -d wasm/ui ]]; then
    log "vugugen + wasm: assets/ui.wasm"
    go generate ./web/...
    # No inlining in the page's own package (its Vugu components): ui.wasm
    # is the first screen's critical path, and its size is compile time
    # (gzip 1.65 → 1.52 MB); the page's code is not where time is spent.
    GOOS=js GOARCH=wasm go build -trimpath -ldflags=-s -gcflags=sentilab/web=-l -o assets/ui.wasm ./wasm/ui
    # The page shell, and Vugu's renderer helper as a file (the CSP forbids
    # the eval Vugu would install it with; see web/tools/vuguhelper).
    cp index.html assets/index.html
    go run ./web/tools/vuguhelper > assets/vugu-helper.js
    # Precompressed siblings: the server sends a fresh .gz as is instead of
    # gzipping 5 MB per first request (≈1 s on these machines).
    for f in engine ui; do
      gzip -9 -n -c assets/$f.wasm > assets/$f.wasm.gz
      log "$f.wasm: $(wc -c < assets/$f.wasm) bytes raw, $(wc -c < assets/$f.wasm.gz) gzip -9"
    done
  fi
}

npm_deps() {
  if [[ -f package.json ]]; then
    # npm writes node_modules/.package-lock.json last: without it the
    # folder is missing, empty or half installed.
    if [[ ! -f node_modules/.package-lock.json ]] || [[ package-lock.json -nt node_modules ]]; then
      log "npm ci"
      npm ci --ignore-scripts --no-audit --no-fund --loglevel=error  # onnxruntime-node's postinstall only fetches GPU binaries
    fi
    if [[ -f node_modules/echarts/dist/echarts.min.js ]]; then
      cp node_modules/echarts/dist/echarts.min.js assets/echarts.min.js
      gzip -9 -n -c assets/echarts.min.js > assets/echarts.min.js.gz
    fi
    # ONNX Runtime Web for the peer benchmark (tests/e2e/peer.mjs), served
    # from our own origin (cross-origin isolated: its threads need it).
    if [[ -d node_modules/onnxruntime-web/dist ]]; then
      mkdir -p assets/ort
      cp node_modules/onnxruntime-web/dist/{ort.wasm.min.mjs,ort-wasm-simd-threaded.mjs,ort-wasm-simd-threaded.wasm} assets/ort/
    fi
  fi
}

build_all() {
  build_native
  build_wasm
  npm_deps
}

go_tests() {
  log "gofmt / go vet"
  unformatted=$(gofmt -l $(git ls-files '*.go') 2>/dev/null || true)
  if [[ -n "$unformatted" ]]; then echo "gofmt needed:"; echo "$unformatted"; return 1; fi
  go vet ./...
  log "go test ./... (native)"
  go test -count=1 ./...
  log "go test ./core/... ./protocol/... ./wasm/engine/... (js/wasm under Node)"
  SENTILAB_REQUIRE_SIMD=1 GOOS=js GOARCH=wasm go test -count=1 -exec="$WASM_EXEC" ./core/... ./protocol/... ./wasm/engine/...
}

e2e_tests() {
  if [[ -f tests/e2e/run.mjs ]]; then
    if [[ ! -x /usr/bin/chromium ]]; then
      echo "e2e: /usr/bin/chromium is missing: apt-get install -y chromium" >&2
      return 1
    fi
    log "go test ./core/compress (js/wasm in Chromium: relaxed SIMD, which Node 20 gets wrong)"
    SENTILAB_REQUIRE_SIMD=1 SENTILAB_REQUIRE_RELAXED=1 GOOS=js GOARCH=wasm go test -count=1 -exec="node $root/scripts/go_js_wasm_chromium.mjs" \
      -run 'QSteps7|Act7|QLogitsSameOnEveryPath|QMatmulPaths|QDotIsUsed' ./core/compress
    log "browser end-to-end tests (Chromium + playwright-core; screenshots in testresults/)"
    node tests/e2e/run.mjs
    node tests/e2e/reload.mjs
    node tests/e2e/lesson_url.mjs
    node tests/e2e/leakage.mjs
    node tests/e2e/act7.mjs # issue 12: the int8 models' 7-bit hidden state (relaxed SIMD) equals lab eval --act7; Try's option (~10 s)
    node tests/e2e/read.mjs # issue 13: watch the LSTM read (IG completeness, last step = prediction, two models side by side; ~45 s)
    node tests/e2e/layers.mjs # issue 13: compression layer by layer, selective int8, histograms, diff, the Pareto front (~90 s)
    node tests/e2e/lessons.mjs # issue 10 item 6: structured pruning, the pipeline, the α×T grid, ONNX (~1 min)
    node tests/e2e/baseline.mjs # issue 13: the TF-IDF baseline, the second dataset (rt-polarity), the padding side (~2 min)
    node tests/e2e/class.mjs # issue 14: a teacher and two students run a 2×2 grid; each point equals a single-browser run (~1.5 min)
    # issue 10: the newcomer's path at full size (50,000 reviews, ≥ 2,000 progress messages, a reload, ~4 min)
    node tests/e2e/main_path.mjs
    # issue 10: the distillation and pruning lessons with the page's defaults on the 50,000 reviews (~3 min;
    # the masking lesson is main_path's, and all three run in test-long)
    node tests/e2e/lesson_defaults.mjs --short
  fi
}

case "${1:-build}" in
  build) build_all ;;
  serve)
    build_all
    shift || true
    # The shared rt-polarity set, when it is there, is the page's second
    # dataset (out of domain, /api/data-ood) unless the command line names one.
    ood="$root/../shared/data/rt-polarity/rt-polarity-10k.csv.gz"
    extra=()
    if [[ -f "$ood" && " $* " != *" --data-ood"* ]]; then extra=(--data-ood "$ood"); fi
    exec ./build/server --addr 127.0.0.1:8080 "${extra[@]}" "$@"
    ;;
  test)
    build_all
    go_tests
    log "ONNX export, checked in ONNX Runtime (tests/onnx/run.sh)"
    tests/onnx/run.sh
    log "Cloudflare Workers build in workerd, and class mode on its local D1 (server/workers.sh)"
    server/workers.sh
    e2e_tests
    ;;
  test-long)
    build_all
    log "bad-input catalogue at full size (tests/badinput, ~2 min)"
    SENTILAB_LONG=1 go test -count=1 -timeout 30m -run Catalogue ./tests/badinput
    log "the lessons with their defaults in js/wasm under Node (core/lab, ~2 min; natively in ./build.sh test)"
    SENTILAB_LONG=1 SENTILAB_REQUIRE_SIMD=1 GOOS=js GOARCH=wasm go test -count=1 -timeout 20m -run LessonsWithDefaults -exec="$WASM_EXEC" ./core/lab
    log "class mode: 300 simulated students (server/class, ~90 s)"
    SENTILAB_LONG=1 go test -count=1 -timeout 10m -run Load300 -v ./server/class
    log "the three lessons with the page's defaults on the 50,000 reviews (tests/e2e/lesson_defaults.mjs, ~5 min)"
    node tests/e2e/lesson_defaults.mjs
    log "class mode, mixed: 2 Chromium + 30 simulated native students, 49 jobs, 5 vanish, SIGKILL + restart (tests/e2e/class_mixed.mjs, ~3 min)"
    node tests/e2e/class_mixed.mjs
    ;;
  bench)
    build_native
    GOOS=js GOARCH=wasm go build -o build/lab.wasm ./cmd/lab
    ./build/lab bench --json
    ;;
  workers)
    # server/workers.sh serves the built lab (assets/) if there is one, and
    # a stand-in of realistic sizes otherwise.
    shift || true
    exec server/workers.sh "$@"
    ;;
  *) echo "usage: $0 [build|serve|test|test-long|bench|workers]" >&2; exit 2 ;;
esac
