#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the missing Debian packages (as root), builds, and runs the whole
# meson test suite twice: a plain build, and one built with
# -Db_sanitize=address,undefined. Ends with one line "N passed, N failed"
# summed over both runs; the exit code is non-zero if anything failed.
#   tests/run-tests.sh           both runs (what CI runs)
#   tests/run-tests.sh --quick   the plain run only
# Build directories: $BUILD_DIR (default build) and $ASAN_BUILD_DIR (default
# build-asan), relative to the source directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/setup.sh
. "$here/setup.sh"
cd "$E2EE_SOURCE_DIR"

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h | --help)
      sed -n '3,10s/^# \{0,1\}//p' "$0"
      exit 0
      ;;
    *)
      echo "unknown argument: $arg (try --help)" >&2
      exit 2
      ;;
  esac
done
plain="${BUILD_DIR:-build}"
asan="${ASAN_BUILD_DIR:-build-asan}"

ensure_packages

logs=()   # testlog.json of every run
broken=() # build directories that did not build

# test_run DIR [VAR=value...]: meson test in DIR with that environment; the
# per-test results go to the terminal, the summary comes from testlog.json.
test_run() {
  local dir="$1" start=$SECONDS
  shift
  rm -f "$dir/meson-logs/testlog.json"
  echo "=== meson test -C $dir"
  env "$@" meson test -C "$dir" --print-errorlogs || true
  echo "=== $dir: tests ran in $((SECONDS - start)) s"
  logs+=("$dir/meson-logs/testlog.json")
}

# -Dtests=enabled: a missing test dependency is an error, not a silent skip.
if build_dir "$plain" -Dtests=enabled -Dsframe=enabled; then
  test_run "$plain"
else
  broken+=("$plain")
fi

if [ "$quick" -eq 0 ]; then
  # What gstcheck tests need under the sanitizers (toolchain notes): the
  # registry scan in-process (the scanner cannot dlopen ASan plugins), no
  # GSlice, full allocation stacks, UBSan fatal, and LSan suppressions for
  # one-time allocations owned by GLib and OpenSSL (tests/lsan.supp).
  if build_dir "$asan" -Dtests=enabled -Dsframe=enabled -Db_sanitize=address,undefined \
    -Dbenchmarks=disabled -Dexamples=disabled; then
    test_run "$asan" \
      GST_REGISTRY_FORK=no G_SLICE=always-malloc \
      ASAN_OPTIONS=fast_unwind_on_malloc=0:detect_leaks=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      LSAN_OPTIONS="suppressions=$E2EE_SOURCE_DIR/tests/lsan.supp:print_suppressions=0"
  else
    broken+=("$asan")
  fi
fi

# One line over both runs; a build that failed counts as one failure.
python3 - "${#broken[@]}" "${broken[@]}" "${logs[@]}" <<'PY'
import json, os, sys
n_broken = int(sys.argv[1])
broken, logs = sys.argv[2:2 + n_broken], sys.argv[2 + n_broken:]
passed = failed = skipped = 0
for d in broken:
    print(f"FAILED: {d}: build")
    failed += 1
for path in logs:
    run = os.path.dirname(os.path.dirname(path))
    if not os.path.exists(path):
        print(f"FAILED: {run}: meson test wrote no results")
        failed += 1
        continue
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            result = r.get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
                print(f"FAILED: {run}: {r.get('name')} ({result})")
if skipped:
    print(f"({skipped} skipped)")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or passed == 0 else 0)
PY
