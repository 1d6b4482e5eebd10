#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what is missing, builds, and runs the whole test suite twice: a
# plain build and one with AddressSanitizer + UndefinedBehaviorSanitizer.
# Ends with one line "N passed, N failed" over both runs.
#   tests/run-tests.sh           both runs
#   tests/run-tests.sh --quick   plain run only
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/setup.sh
. "$here/setup.sh"
cd "$E2EE_SOURCE_DIR"

quick=0
[ "${1:-}" = "--quick" ] && quick=1
plain="${BUILD_DIR:-build}"
asan="${ASAN_BUILD_DIR:-build-asan}"

ensure_packages

run_suite() {  # run_suite DIR [env...]
  local dir="$1"
  shift
  echo "=== meson test -C $dir"
  env "$@" meson test -C "$dir" --print-errorlogs --num-processes 2 || true
}

build_dir "$plain"
run_suite "$plain"
logs=("$plain/meson-logs/testlog.json")

if [ "$quick" -eq 0 ]; then
  # Environment the sanitized gstcheck tests need (docs: toolchain notes):
  # no registry fork (the scanner cannot dlopen ASan plugins), no GSlice, full
  # stacks, and GLib's deliberately leaked first quark table suppressed.
  build_dir "$asan" -Db_sanitize=address,undefined -Dbenchmarks=disabled -Dexamples=disabled
  run_suite "$asan" \
    GST_REGISTRY_FORK=no G_SLICE=always-malloc \
    ASAN_OPTIONS=fast_unwind_on_malloc=0:detect_leaks=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS="suppressions=$E2EE_SOURCE_DIR/tests/lsan.supp:print_suppressions=0"
  logs+=("$asan/meson-logs/testlog.json")
fi

python3 - "${logs[@]}" <<'PY'
import json, sys
passed = failed = 0
for path in sys.argv[1:]:
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            if r.get("result") in ("OK", "EXPECTEDFAIL", "SKIP"):
                passed += r.get("result") != "SKIP"
            else:
                failed += 1
                print("FAILED:", path.split("/")[0], r.get("name"), r.get("result"))
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or passed == 0 else 0)
PY
