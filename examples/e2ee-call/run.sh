#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the missing Debian packages (as root), builds, and runs the
# end-to-end encrypted call: three participants, the MLS delivery service and
# sfuforward on loopback; join, join, leave, kick.
#   examples/e2ee-call/run.sh [SECONDS]     seconds between the steps (default 3)
# Build directory: $BUILD_DIR (default build), relative to the source directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/setup.sh
. "$here/../../tests/setup.sh"
cd "$E2EE_SOURCE_DIR"
dir="${BUILD_DIR:-build}"

ensure_packages
build_dir "$dir" -Dexamples=enabled -Dsframe=enabled -Dmls=enabled -Dsfu=enabled
exec meson devenv -C "$dir" examples/e2ee-call/e2ee-call "$@"
