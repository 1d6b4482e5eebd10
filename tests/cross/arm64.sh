#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Cross-builds the whole project for Debian 12 arm64 and runs its test suite
# under qemu user-mode emulation, the way an appliance's SDK would build it.
#   tests/cross/arm64.sh              sysroot (cached), cross build, emulated tests
#   tests/cross/arm64.sh --build-only sysroot and cross build, no tests
# Needs root the first time (packages, and mmdebstrap --mode=root for the
# sysroot). Directories, relative to the source directory:
#   $ARM64_SYSROOT   (default build-arm64-sysroot) the Debian 12 arm64 sysroot
#   $ARM64_BUILD_DIR (default build-arm64)         the cross build
# The sysroot holds E2EE_PACKAGES minus the build-machine tools (tests/setup.sh),
# so it follows the native package list; it is remade when that list changes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/setup.sh
. "$here/../setup.sh"
cd "$E2EE_SOURCE_DIR"

run_tests=1
for arg in "$@"; do
  case "$arg" in
    --build-only) run_tests=0 ;;
    -h | --help)
      sed -n '3,12s/^# \{0,1\}//p' "$0"
      exit 0
      ;;
    *)
      echo "unknown argument: $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

sysroot="$E2EE_SOURCE_DIR/${ARM64_SYSROOT:-build-arm64-sysroot}"
builddir="${ARM64_BUILD_DIR:-build-arm64}"

ensure_packages
ensure_packages "${E2EE_CROSS_TOOLS[@]}"

# make_sysroot: a Debian 12 arm64 tree with the -dev packages and the
# GStreamer plugins the tests load, made like a Yocto SDK's sysroot rather than
# with multiarch (toolchain notes: some arm64 -dev packages cannot be
# co-installed with the amd64 ones). About 30 s and 1.5 GB.
make_sysroot() {
  local packages stamp
  packages="$(sysroot_packages | sort | paste -sd, -)"
  stamp="$sysroot/.gst-e2ee-packages"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$packages" ]; then
    echo "=== arm64 sysroot up to date: $sysroot"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "Making the arm64 sysroot needs root (mmdebstrap --mode=root). As root, run: $0" >&2
    exit 1
  fi
  local start=$SECONDS log="${TMPDIR:-/tmp}/gst-e2ee-mmdebstrap.log"
  echo "=== making the arm64 sysroot $sysroot (log: $log)"
  rm -rf "$sysroot"
  if ! mmdebstrap --mode=root --variant=extract --architectures=arm64 --include="$packages" \
    bookworm "$sysroot" \
    "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main" >"$log" 2>&1; then
    tail -30 "$log" >&2
    echo "=== mmdebstrap failed (full log: $log)" >&2
    exit 1
  fi
  echo "$packages" >"$stamp"
  echo "=== sysroot made in $((SECONDS - start)) s"
}

make_sysroot

cross_file="$E2EE_SOURCE_DIR/$builddir/arm64-cross.ini"
wanted_cross="$(sed "s#@SYSROOT@#$sysroot#" "$E2EE_SOURCE_DIR/tests/cross/arm64.ini.in")"
if [ ! -f "$cross_file" ] || [ "$(cat "$cross_file")" != "$wanted_cross" ]; then
  rm -rf "$builddir" # another sysroot or cross file: configure afresh
  mkdir -p "$builddir"
  printf '%s\n' "$wanted_cross" >"$cross_file"
fi
# Examples are programs for a desktop; the tests and benchmarks are what the
# emulated run checks.
# (meson configure does not take --cross-file: options only on first setup.)
if [ -f "$builddir/build.ninja" ]; then
  build_dir "$builddir"
else
  build_dir "$builddir" --cross-file "$cross_file" -Dtests=enabled -Dexamples=disabled
fi

if [ "$run_tests" -eq 0 ]; then
  exit 0
fi
# The `emulated` setup (tests/meson.build): exe_wrapper runs each test under
# qemu-aarch64-static -L sysroot; benchmarks run in their quick, correctness-
# only mode (no figure from emulation means anything).
start=$SECONDS
rm -f "$builddir/meson-logs/testlog-emulated.json"
echo "=== meson test -C $builddir --setup emulated (arm64 under qemu)"
meson test -C "$builddir" --setup emulated --print-errorlogs || status=$?
echo "=== $builddir: emulated tests ran in $((SECONDS - start)) s"
exit "${status:-0}"
