#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the missing Debian packages (as root), builds, and runs the whole
# meson test suite: in a plain build, in one built with
# -Db_sanitize=address,undefined, cross-built for arm64 under qemu
# (tests/cross/arm64.sh), and checks that two builds are byte-identical
# (tests/reproducible.sh, counted as one test). Ends with one line
# "N passed, N failed" summed over all of them; the exit code is non-zero if
# anything failed.
#   tests/run-tests.sh           everything (what CI runs)
#   tests/run-tests.sh --native  plain and sanitized runs only
#   tests/run-tests.sh --quick   the plain run only
# Build directories: $BUILD_DIR (default build) and $ASAN_BUILD_DIR (default
# build-asan), relative to the source directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/setup.sh
. "$here/setup.sh"
cd "$E2EE_SOURCE_DIR"

quick=0
native=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 native=1 ;;
    --native) native=1 ;;
    -h | --help)
      sed -n '3,15s/^# \{0,1\}//p' "$0"
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
checks=() # "name=OK" or "name=FAIL" of checks that are not meson tests

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
  # Unoptimised: the sanitizers find the same, and on a 2-core machine the
  # build took 202 s instead of 875-1103 s at -O2, its tests 312 s instead
  # of 329 s (the tests' time is mostly waiting on the network and clocks).
  if build_dir "$asan" -Dtests=enabled -Dsframe=enabled -Db_sanitize=address,undefined \
    -Dbenchmarks=disabled -Dexamples=disabled -Doptimization=0; then
    test_run "$asan" \
      GST_REGISTRY_FORK=no G_SLICE=always-malloc \
      ASAN_OPTIONS=fast_unwind_on_malloc=0:detect_leaks=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      LSAN_OPTIONS="suppressions=$E2EE_SOURCE_DIR/tests/lsan.supp:print_suppressions=0"
  else
    broken+=("$asan")
  fi
fi

# MLS interoperability with ts-mls (an independent RFC 9420 implementation),
# when Node.js 20+ is there: counted as one test, or reported as skipped.
if [ "${#broken[@]}" -eq 0 ] || [ "${broken[0]}" != "$plain" ]; then
  set +e
  tests/interop/run-ts-mls.sh "$plain"
  interop=$?
  set -e
  case "$interop" in
    0) checks+=("ts-mls-interop=OK") ;;
    77) echo "=== ts-mls interop skipped (Node.js 20+ not installed)" ;;
    *) checks+=("ts-mls-interop=FAIL") ;;
  esac
fi

if [ "$native" -eq 0 ]; then
  # The appliance path (docs/deployment.md): arm64 cross build, its tests
  # under qemu. A failed sysroot or build counts as one failure.
  arm64="${ARM64_BUILD_DIR:-build-arm64}"
  rm -f "$arm64/meson-logs/testlog-emulated.json"
  if tests/cross/arm64.sh; then :; fi
  if [ -f "$arm64/meson-logs/testlog-emulated.json" ]; then
    logs+=("$arm64/meson-logs/testlog-emulated.json")
  else
    broken+=("$arm64")
  fi
  if tests/reproducible.sh; then
    checks+=("reproducible-build=OK")
  else
    checks+=("reproducible-build=FAIL")
  fi
fi

# One line over all runs; a build that failed counts as one failure.
python3 - "${#broken[@]}" "${broken[@]}" "${#checks[@]}" "${checks[@]}" "${logs[@]}" <<'PY'
import json, os, sys
args = sys.argv[1:]
n_broken = int(args[0])
broken, args = args[1:1 + n_broken], args[1 + n_broken:]
n_checks = int(args[0])
checks, logs = args[1:1 + n_checks], args[1 + n_checks:]
passed = failed = skipped = 0
for d in broken:
    print(f"FAILED: {d}: build")
    failed += 1
for c in checks:
    name, result = c.split("=", 1)
    if result == "OK":
        passed += 1
    else:
        print(f"FAILED: {name}")
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
                # The reason, so that a CI log's tail says why (a crash's
                # backtrace is on stderr).
                for out in (r.get("stdout") or "").splitlines()[-8:]:
                    print(f"    {out}")
                err = (r.get("stderr") or "").splitlines()
                crash = [i for i, l in enumerate(err) if l.startswith("*** crashed")]
                for out in (err[crash[0]:crash[0] + 30] if crash else err[-12:]):
                    print(f"    stderr: {out}")
if skipped:
    print(f"({skipped} skipped)")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or passed == 0 else 0)
PY
