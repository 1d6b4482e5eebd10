#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what is missing, builds, and runs the SFrame RTP loopback demo with
# the uninstalled plugins.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/setup.sh
. "$here/../tests/setup.sh"
cd "$E2EE_SOURCE_DIR"
dir="${BUILD_DIR:-build}"
ensure_packages
build_dir "$dir"
meson devenv -C "$dir" examples/sframe-rtp-demo "$@"
