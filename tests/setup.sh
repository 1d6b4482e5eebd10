#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by examples/run-demo.sh and tests/run-tests.sh: installs the Debian 12
# packages that are missing (as root) and configures + builds a build dir.
# Source it, then call: ensure_packages; build_dir <dir> [meson options...]

# The one package list (build, tests, demo).
E2EE_PACKAGES=(
  build-essential meson ninja-build pkg-config python3
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libssl-dev libsrtp2-dev libnice-dev check
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-nice
)

E2EE_SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

ensure_packages() {
  local missing=() p
  for p in "${E2EE_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  local cmd="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages. As root, run:" >&2
    echo "  apt-get update && $cmd" >&2
    exit 1
  fi
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# build_dir DIR [meson options]: configures DIR once, then builds it.
build_dir() {
  local dir="$1"
  shift
  mkdir -p "$dir"
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$E2EE_SOURCE_DIR" "$@" >"$dir/e2ee-setup.log" 2>&1 || {
      cat "$dir/e2ee-setup.log" >&2
      return 1
    }
  fi
  echo "=== building $dir"
  ninja -C "$dir" >"$dir/e2ee-build.log" 2>&1 || {
    tail -50 "$dir/e2ee-build.log" >&2
    return 1
  }
}
