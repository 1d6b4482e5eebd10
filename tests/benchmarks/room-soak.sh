#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The room soak, run by hand (not in CI): the server with one room, 3
# cameras (roomsink: test pattern and tone) and viewers (roomsrc: every
# camera's video and audio, decrypted and decoded) for MINUTES, and the
# server's memory (VmRSS) every 30 s. Memory is flat when what the server
# holds after its warm-up does not grow with time.
#   tests/benchmarks/room-soak.sh [MINUTES] [PARTICIPANTS]   (default 10 and 10; MODE=hop-by-hop)
# Build directory: $BUILD_DIR (default build), relative to the source directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/setup.sh
. "$here/../setup.sh"
cd "$E2EE_SOURCE_DIR"
dir="${BUILD_DIR:-build}"
minutes="${1:-10}"
participants="${2:-10}"
mode="${MODE:-e2ee}"
cameras=3

ensure_packages
build_dir "$dir" -Droom=enabled -Dtransport=enabled -Dsfu=enabled -Dmls=enabled -Dsframe=enabled
bin="$(cd "$dir" && pwd)/ext/room"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  # meson devenv does not pass the signal on: what runs under it names $work.
  pkill -f -- "$work" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
dev() { meson devenv -C "$dir" "$@"; }

"$bin/gst-e2ee-room" make-cert --name 127.0.0.1 --cert "$work/server.pem" --key "$work/server.key" > /dev/null
"$bin/gst-e2ee-room-token" keygen --kid soak --private "$work/soak.jwk" --public-set "$work/keys.jwks" > /dev/null
dev "$bin/gst-e2ee-room" serve --cert "$work/server.pem" --key "$work/server.key" --keys "$work/keys.jwks" \
  --port 0 --admin-socket "$work/admin.sock" --create-room "$mode" > "$work/server.out" 2> "$work/server.log" &
pids+=($!)
for _ in $(seq 100); do [ "$(wc -l < "$work/server.out")" -ge 2 ] && break; sleep 0.1; done
port="$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/server.out")"
room="$(sed -n 's/^room \([^ ]*\) .*/\1/p' "$work/server.out")"
[ -n "$port" ] && [ -n "$room" ] || { echo "the server did not start:"; cat "$work/server.log"; exit 1; }
server_pid=""  # the server itself, not meson devenv around it
for p in $(pgrep -f "gst-e2ee-room serve .*$work"); do
  [ "$(cat "/proc/$p/comm")" = gst-e2ee-room ] && server_pid="$p"
done
common="server=127.0.0.1:$port ca-file=$work/server.pem room=$room mode=$mode local-address=127.0.0.1"
token() {
  "$bin/gst-e2ee-room-token" mint --key "$work/soak.jwk" --room "$room" --identity "$1" ${2:+--permissions "$2"}
}

for i in $(seq "$cameras"); do
  dev gst-launch-1.0 -q roomsink name=room $common token="$(token "cam-$i" publish-audio,publish-video)" \
    videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=15/1 ! room.video_0 \
    audiotestsrc is-live=true wave=ticks ! room.audio_0 > "$work/cam-$i.log" 2>&1 &
  pids+=($!)
done
links=""
for i in $(seq "$cameras"); do
  links="$links room.video_cam-$i ! fakesink sync=false room.audio_cam-$i ! fakesink sync=false"
done
for i in $(seq $((participants - cameras))); do
  # shellcheck disable=SC2086
  dev gst-launch-1.0 -q roomsrc name=room $common token="$(token "viewer-$i")" $links > "$work/viewer-$i.log" 2>&1 &
  pids+=($!)
done

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$server_pid/status"; }
echo "room $room [$mode]: $cameras cameras and $((participants - cameras)) viewers for $minutes min"
echo "minute  server VmRSS (kB)  participants"
samples=()
for t in $(seq 0 30 $((minutes * 60))); do
  [ "$t" -gt 0 ] && sleep 30
  kill -0 "$server_pid" 2>/dev/null || { echo "the server died:"; tail "$work/server.log"; exit 1; }
  count="$("$bin/gst-e2ee-room" admin --admin-socket "$work/admin.sock" list \
    | sed -n 's/.*participants \([0-9]*\),.*/\1/p')"
  samples+=("$(rss)")
  printf '%6.1f  %17s  %12s\n' "$(echo "$t / 60" | bc -l)" "${samples[-1]}" "$count"
done
# After the first two minutes (joins, buffers and pools filling up).
warm="${samples[4]:-${samples[0]}}"
last="${samples[-1]}"
echo "after warm-up: ${warm} kB; at the end: ${last} kB; growth $((last - warm)) kB over $((minutes - 2)) min"
grep -c "removed\|connection ended" "$work/server.log" | sed 's/^/server log lines about participants leaving: /'
