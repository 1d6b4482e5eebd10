#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A room on loopback, with the commands an operator and two appliances use:
# a certificate and a token key, the server with an **end-to-end** room, a
# camera (roomsink: test pattern and tone, SFrame-encrypted under the room's
# MLS keys) and a viewer (roomsrc: decrypts and decodes the camera's streams).
# Prints the server's room listing and what the viewer decoded; exits
# non-zero if the viewer decoded no video.
#   examples/room/run.sh [SECONDS]      (default 5; MODE=hop-by-hop for the other mode)
# Build directory: $BUILD_DIR (default build), relative to the source directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/setup.sh
. "$here/../../tests/setup.sh"
cd "$E2EE_SOURCE_DIR"
dir="${BUILD_DIR:-build}"
seconds="${1:-5}"
mode="${MODE:-e2ee}"

ensure_packages
build_dir "$dir" -Droom=enabled -Dtransport=enabled -Dsfu=enabled -Dmls=enabled -Dsframe=enabled
bin="$(cd "$dir" && pwd)/ext/room"
work="$(mktemp -d)"
server_pid=""
camera_pid=""
cleanup() {
  [ -n "$camera_pid" ] && kill "$camera_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  # meson devenv does not pass the signal on: what runs under it names $work.
  pkill -f -- "$work" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
dev() { meson devenv -C "$dir" "$@"; }

echo "== operator: certificate, token key, server with one $mode room"
"$bin/gst-e2ee-room" make-cert --name 127.0.0.1 --cert "$work/server.pem" --key "$work/server.key"
"$bin/gst-e2ee-room-token" keygen --kid ops-1 --private "$work/ops-1.jwk" --public-set "$work/keys.jwks"
dev "$bin/gst-e2ee-room" serve --cert "$work/server.pem" --key "$work/server.key" --keys "$work/keys.jwks" \
  --port 0 --admin-socket "$work/admin.sock" --create-room "$mode" > "$work/server.out" 2> "$work/server.log" &
server_pid=$!
for _ in $(seq 100); do [ "$(wc -l < "$work/server.out")" -ge 2 ] && break; sleep 0.1; done
cat "$work/server.out"
port="$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/server.out")"
room="$(sed -n 's/^room \([^ ]*\) .*/\1/p' "$work/server.out")"
[ -n "$port" ] && [ -n "$room" ] || { echo "the server did not start:"; cat "$work/server.log"; exit 1; }
camera_token="$("$bin/gst-e2ee-room-token" mint --key "$work/ops-1.jwk" --room "$room" --identity camera \
  --permissions publish-audio,publish-video)"
viewer_token="$("$bin/gst-e2ee-room-token" mint --key "$work/ops-1.jwk" --room "$room" --identity viewer)"
common="server=127.0.0.1:$port ca-file=$work/server.pem room=$room mode=$mode local-address=127.0.0.1"

echo "== camera: roomsink (test pattern and tone)"
dev gst-launch-1.0 -q roomsink name=room $common token="$camera_token" \
  videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! room.video_0 \
  audiotestsrc is-live=true ! room.audio_0 > "$work/camera.log" 2>&1 &
camera_pid=$!
sleep 1

echo "== viewer: roomsrc for $seconds s"
dev timeout -s INT "$seconds" gst-launch-1.0 -v roomsrc name=room $common token="$viewer_token" \
  room.video_camera ! fakesink name=video silent=false sync=false \
  room.audio_camera ! fakesink name=audio silent=false sync=false > "$work/viewer.log" 2>&1 || true
echo "== server's room listing"
"$bin/gst-e2ee-room" admin --admin-socket "$work/admin.sock" list
video="$(grep -c 'video: last-message = chain' "$work/viewer.log" || true)"
audio="$(grep -c 'audio: last-message = chain' "$work/viewer.log" || true)"
echo "viewer decoded $video video frames and $audio audio buffers from camera ($mode room)"
if [ "$video" -eq 0 ]; then
  grep -E 'ERROR|WARN' "$work/viewer.log" "$work/camera.log" || true
  exit 1
fi
