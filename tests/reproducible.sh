#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds the checked-out commit twice, in two build directories, with
# SOURCE_DATE_EPOCH set to the commit's time, and compares the installed
# binaries (plugins, libraries, headers, pkg-config files) byte for byte. Prints each file's SHA-256;
# exits non-zero if any differs. How an integrator uses it to check a release:
# docs/deployment.md.
#   tests/reproducible.sh [meson options...]   (e.g. --cross-file for arm64)
# Build directories: build-repro-a and build-repro-b (made afresh each run).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/setup.sh
. "$here/setup.sh"
cd "$E2EE_SOURCE_DIR"

ensure_packages
SOURCE_DATE_EPOCH="$(git log -1 --format=%ct 2>/dev/null || echo 1700000000)"
export SOURCE_DATE_EPOCH
echo "=== reproducible build check, SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"

# What a release ships: everything `meson install` puts under lib/.
for side in a b; do
  dir="build-repro-$side"
  rm -rf "$dir"
  build_dir "$dir" -Dtests=disabled -Dexamples=disabled -Dbenchmarks=disabled --prefix=/usr "$@"
  DESTDIR="$E2EE_SOURCE_DIR/$dir/staged" meson install -C "$dir" --no-rebuild >"$dir/e2ee-install.log" 2>&1
done

status=0
count=0
while IFS= read -r rel; do
  a="build-repro-a/staged/$rel" b="build-repro-b/staged/$rel"
  sum_a="$(sha256sum <"$a" | cut -d' ' -f1)"
  sum_b="$(sha256sum <"$b" 2>/dev/null | cut -d' ' -f1 || true)"
  if [ "$sum_a" = "$sum_b" ]; then
    echo "$sum_a  $rel"
  else
    echo "DIFFERS: $rel ($sum_a vs ${sum_b:-missing})"
    status=1
  fi
  count=$((count + 1))
done < <(cd build-repro-a/staged && find . -type f | sort)

if [ "$count" -eq 0 ]; then
  echo "FAILED: nothing installed" >&2
  exit 1
fi
if [ "$status" -eq 0 ]; then
  echo "=== reproducible: $count installed files identical in both builds"
else
  echo "=== NOT reproducible: see DIFFERS above" >&2
fi
exit "$status"
