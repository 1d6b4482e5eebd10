#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared set-up of the two README commands (examples/run-demo.sh,
# tests/run-tests.sh): the one Debian 12 package list, installing what is
# missing (as root), and configuring + building a build directory.
# Source it, then call: ensure_packages; build_dir DIR [meson options...]

# The one package list: build, tests, sanitizers (gcc's libasan/libubsan come
# with build-essential) and the demo's runtime elements.
E2EE_PACKAGES=(
  build-essential meson ninja-build pkg-config python3
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libssl-dev libsrtp2-dev libnice-dev check
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-nice
)

# Of those, the ones that run on the build machine only. Everything else in
# E2EE_PACKAGES is what the project builds against or loads at run time, so it
# is also what an arm64 sysroot holds (tests/cross/arm64.sh): one list, and a
# plugin's new dependency reaches the cross build without a second edit.
E2EE_HOST_ONLY_PACKAGES=(build-essential meson ninja-build pkg-config python3 gstreamer1.0-tools)

# The arm64 cross build and its emulated test run (tests/cross/arm64.sh),
# installed only when that run is asked for.
E2EE_CROSS_TOOLS=(mmdebstrap qemu-user-static crossbuild-essential-arm64)

# E2EE_PACKAGES without the build-machine tools, plus the C/C++ runtime
# headers a sysroot needs: the sysroot's package list, one per line.
sysroot_packages() {
  local p h skip
  for p in "${E2EE_PACKAGES[@]}"; do
    skip=0
    for h in "${E2EE_HOST_ONLY_PACKAGES[@]}"; do
      [ "$p" = "$h" ] && skip=1
    done
    [ "$skip" -eq 0 ] && echo "$p"
  done
  echo libc6-dev
  echo libstdc++-12-dev
}

E2EE_SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# ensure_packages [PACKAGE...]: installs those (default: E2EE_PACKAGES) that
# are missing; does nothing (and needs no network) when all are installed.
# Not root: prints the command and exits 1.
ensure_packages() {
  local wanted=("$@")
  [ "${#wanted[@]}" -eq 0 ] && wanted=("${E2EE_PACKAGES[@]}")
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "=== not a Debian system (no dpkg-query): not checking packages; needed: ${wanted[*]}" >&2
    return 0
  fi
  local missing=() p
  for p in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  local install=(apt-get install -y --no-install-recommends "${missing[@]}")
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "Install them as root, then run this command again:" >&2
    echo "  apt-get update && DEBIAN_FRONTEND=noninteractive ${install[*]}" >&2
    exit 1
  fi
  local log="${TMPDIR:-/tmp}/gst-e2ee-apt.log" start=$SECONDS
  echo "=== installing ${#missing[@]} Debian packages (log: $log): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update && "${install[@]}"; } >"$log" 2>&1; then
    tail -30 "$log" >&2
    echo "=== apt-get failed (full log: $log)" >&2
    exit 1
  fi
  echo "=== installed in $((SECONDS - start)) s"
}

# build_dir DIR [meson options...]: configures DIR (or applies the options to
# an existing DIR), then builds it. Logs go to DIR/e2ee-*.log; on failure
# their end is printed and the function returns 1.
build_dir() {
  local dir="$1" start=$SECONDS
  shift
  mkdir -p "$dir"
  if [ ! -f "$dir/build.ninja" ]; then
    echo "=== meson setup $dir $*"
    meson setup "$dir" "$E2EE_SOURCE_DIR" "$@" >"$dir/e2ee-setup.log" 2>&1 || {
      tail -40 "$dir/e2ee-setup.log" >&2
      return 1
    }
  elif [ "$#" -gt 0 ]; then
    meson configure "$dir" "$@" >"$dir/e2ee-setup.log" 2>&1 || {
      tail -40 "$dir/e2ee-setup.log" >&2
      return 1
    }
  fi
  echo "=== building $dir (log: $dir/e2ee-build.log)"
  ninja -C "$dir" >"$dir/e2ee-build.log" 2>&1 || {
    tail -50 "$dir/e2ee-build.log" >&2
    return 1
  }
  echo "=== built $dir in $((SECONDS - start)) s"
}
