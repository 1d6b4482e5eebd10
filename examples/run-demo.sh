#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the missing Debian packages (as root), builds, and runs the demo with
# the uninstalled plugins: VP8 video encrypted end to end with SFrame, sent as
# RTP over 127.0.0.1, received, decrypted and decoded (examples/README.md).
#   examples/run-demo.sh [FRAMES]     (default 150: 5 s at 30 fps)
# Build directory: $BUILD_DIR (default build), relative to the source directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/setup.sh
. "$here/../tests/setup.sh"
cd "$E2EE_SOURCE_DIR"
dir="${BUILD_DIR:-build}"

ensure_packages
build_dir "$dir" -Dexamples=enabled -Dsframe=enabled
# meson devenv puts the build's plugin directories on GST_PLUGIN_PATH.
exec meson devenv -C "$dir" examples/sframe-rtp-demo "$@"
