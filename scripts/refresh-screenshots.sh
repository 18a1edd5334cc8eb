#!/usr/bin/env bash
# Refreshes the committed pictures in docs/screenshots from a run of the browser suites (tests never write there).
set -euo pipefail
cd "$(dirname "$0")/.."
npx vitest run --project desktop --project e2e "$@"
for suite in desktop e2e; do
  mkdir -p "docs/screenshots/$suite"
  cp test-results/screenshots/"$suite"/*.png "docs/screenshots/$suite/"
done
echo "docs/screenshots refreshed from test-results/screenshots"
