#!/usr/bin/env bash
# Rebuild the web page's stylesheet (crates/serve/assets/peerscope.css) from the GOV.UK
# Design System (govuk-frontend, MIT) and peerscope's own rules, both in
# crates/serve/web/peerscope.scss, with the versions pinned in crates/serve/web/package.json
# and package-lock.json. Run after changing either; the binary embeds the result, so nothing
# here runs at run time. Also refreshes the accessibility checker the browser test injects
# (tests/browser/axe.min.js, axe-core, MPL-2.0).
set -euo pipefail
cd "$(dirname "$0")/../crates/serve/web"
npm ci --ignore-scripts --no-audit --no-fund
npx sass --no-source-map --style=compressed --quiet-deps --silence-deprecation=import peerscope.scss ../assets/peerscope.css
# govuk-frontend ships no licence file in its npm package: its licence is recorded in
# crates/serve/assets/NOTICE.md.
mkdir -p ../../../tests/browser
cp node_modules/axe-core/axe.min.js ../../../tests/browser/axe.min.js
cp node_modules/axe-core/LICENSE ../../../tests/browser/axe-core-LICENCE.txt
sha256sum ../assets/peerscope.css ../../../tests/browser/axe.min.js
