#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs our MLS core (mlsctl from a build) against ts-mls, an independent
# RFC 9420 implementation, for cipher suites 1-3, both directions (see
# ts-mls-interop.mjs). Needs Node.js 20+ and npm (the npm registry).
#   tests/interop/run-ts-mls.sh [BUILD_DIR]     (default build)
# Exit status 0 when every suite passes; 77 when Node.js 20+ is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "$here/../.." && pwd)"
build="$(cd "$src/${1:-build}" && pwd)"
mlsctl="$build/ext/mls/mlsctl"
[ -x "$mlsctl" ] || { echo "no mlsctl in $build (build first)" >&2; exit 1; }
if ! command -v node >/dev/null || ! command -v npm >/dev/null ||
   [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "ts-mls interop: skipped (needs Node.js 20+ and npm)" >&2
  exit 77
fi
work="$build/interop"
mkdir -p "$work"
cp "$here/package.json" "$here/ts-mls-interop.mjs" "$work/"
(cd "$work" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
for suite in 1 2 3; do
  rm -rf "$work/run-$suite"
  node "$work/ts-mls-interop.mjs" "$mlsctl" "$work/run-$suite" "$suite"
done
