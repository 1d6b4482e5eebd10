#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the missing Debian packages (as root), builds, and runs the
# hop-by-hop example with the uninstalled plugins: two pipelines on loopback
# joined by peertransport (ICE, DTLS-SRTP), VP8 and Opus both ways.
#   examples/hop-by-hop/run.sh [SECONDS]     (default 5)
# Build directory: $BUILD_DIR (default build), relative to the source directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/setup.sh
. "$here/../../tests/setup.sh"
cd "$E2EE_SOURCE_DIR"
dir="${BUILD_DIR:-build}"

ensure_packages
build_dir "$dir" -Dexamples=enabled -Dtransport=enabled
exec meson devenv -C "$dir" examples/hop-by-hop/hop-by-hop "$@"
