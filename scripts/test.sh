#!/usr/bin/env bash
# README's test command (and CI's, through .ci/run): every unit and end-to-end test. The
# browser test drives Debian's headless Chromium through chromedriver; when they are not on
# the machine they are installed first (Debian packages chromium and chromium-driver, with
# sudo unless run as root). Arguments go to cargo test, e.g. `scripts/test.sh --test browser`.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "scripts/test.sh: installing chromium and chromium-driver for the browser test" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
fi
cargo test --workspace "$@"
