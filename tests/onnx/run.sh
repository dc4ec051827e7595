#!/usr/bin/env bash
# tests/onnx/run.sh: the ONNX equality check. Exports shipped and freshly
# trained models with `lab export --format onnx`, runs each in ONNX Runtime
# (onnxruntime-node, CPU) on the first 1,000 reviews of the seeded test split
# plus 3 edge rows, and asserts max |Δp| against Sentilab's own runtime:
# ≤ 1e-5 for float variants, ≤ 0.01 for int8 ones (and ≤ 1e-5 for the int8
# graph's own float arithmetic). See tests/onnx/check.mjs. For a post- and
# a pre-padded model it also tokenizes the raw reviews from the file's
# metadata alone (tests/onnx/standalone.mjs) and gets the same answers.
#
#   tests/onnx/run.sh            (after ./build.sh: uses build/lab)
#
# Needs the dataset ($SENTILAB_DATA); without it the check is skipped, or
# fails with SENTILAB_REQUIRE_DATA=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
lab=${LAB:-build/lab}

if [[ -z "${SENTILAB_DATA:-}" || ! -e "$SENTILAB_DATA" ]]; then
  if [[ "${SENTILAB_REQUIRE_DATA:-}" == 1 ]]; then
    echo "FAIL tests/onnx: SENTILAB_REQUIRE_DATA=1 but \$SENTILAB_DATA (${SENTILAB_DATA:-unset}) is not a file" >&2
    exit 1
  fi
  echo "skip tests/onnx: no dataset (set SENTILAB_DATA)" >&2
  exit 0
fi
[[ -x "$lab" ]] || { echo "FAIL tests/onnx: $lab not built (./build.sh)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# check NAME MODEL TOLERANCE [FLOAT_TOLERANCE]
check() {
  local name=$1 model=$2
  shift 2
  if ! "$lab" export --model "$model" --format onnx --out "$tmp/$name.onnx" \
      --reference "$tmp/$name.json" --n 1000 2>"$tmp/$name.log"; then
    cat "$tmp/$name.log" >&2
    echo "FAIL tests/onnx: lab export $model" >&2
    failed=1
    return
  fi
  node tests/onnx/check.mjs "$tmp/$name.onnx" "$tmp/$name.json" "$@" || failed=1
}

# standalone NAME: raw texts → tokens from the file's metadata alone
# (tests/onnx/standalone.mjs), then ORT; after check NAME.
standalone() {
  [[ -f "$tmp/$1.json" ]] || return 0 # its export failed, already reported
  node tests/onnx/standalone.mjs "$tmp/$1.onnx" "$tmp/$1.json" 1e-5 || failed=1
}

m=assets/models
check base "$m/base.safetensors" 1e-5                    # float, post padding, masked
standalone base
check thesis "$m/thesis.safetensors" 1e-5                # float, no masking
check base.int8 "$m/base.int8.safetensors" 0.01 1e-5     # int8
check base.prune-distill-prune-int8 "$m/base.prune-distill-prune-int8.safetensors" 0.01 1e-5  # sparse int8

# No shipped model is pre-padded: train a small classroom one (pre padding,
# masking) and its int8 and int8-weights versions.
if "$lab" train --preset classroom --epochs 2 --train-size 5000 --out "$tmp/classroom.safetensors" >"$tmp/train.log" 2>&1 &&
  "$lab" compress --model "$tmp/classroom.safetensors" --method int8 --out "$tmp/classroom.int8.safetensors" >>"$tmp/train.log" 2>&1 &&
  "$lab" compress --model "$tmp/classroom.safetensors" --method int8-weights --out "$tmp/classroom.int8w.safetensors" >>"$tmp/train.log" 2>&1; then
  check classroom "$tmp/classroom.safetensors" 1e-5
  standalone classroom
  check classroom.int8 "$tmp/classroom.int8.safetensors" 0.01 1e-5
  # int8-weights: int8 in the file, run on our float runtime.
  check classroom.int8-weights "$tmp/classroom.int8w.safetensors" 0.01 1e-5
else
  cat "$tmp/train.log" >&2
  echo "FAIL tests/onnx: training the classroom model" >&2
  failed=1
fi

if [[ $failed != 0 ]]; then
  echo "FAIL tests/onnx" >&2
  exit 1
fi
echo "ok tests/onnx: every exported model matches Sentilab in ONNX Runtime"
