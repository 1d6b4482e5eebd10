// SPDX-License-Identifier: LGPL-2.1-or-later
// One publisher's 1200-byte RTP packets fanned out to N fakesinks by
// sfuforward (or tee) inside this process, pushed from the calling thread:
// what sfu-bench measures, and room-bench's baseline (the forwarding alone,
// without transports, sockets or a server).
#pragma once

#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include <gst/gst.h>

#include "bench-pipeline.h"

namespace sfu_fanout {

constexpr gsize kPacketSize = 1200;
constexpr guint32 kSsrc = 0x11223344;  // the encoding sent
constexpr guint32 kOtherSsrc = 0x11220000;  // the group's first SSRC: what subscribers see when rewriting

inline double thread_cpu_seconds()
{
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Makes each packet the way a source element does: a new buffer, filled.
// Both pipelines pay the same for it; sfuforward keeps some of them alive
// for RTX, as it must.
struct Feeder {
  guint8 packet[kPacketSize];
  guint16 seq = 1;
  guint32 ts = 0;
  Feeder()
  {
    for (gsize k = 0; k < kPacketSize; k++)
      packet[k] = static_cast<guint8>(k * 31 + 7);  // payload: opaque bytes
    packet[0] = 0x80;
    packet[1] = 96;
    GST_WRITE_UINT32_BE(packet + 8, kSsrc);
  }
  GstBuffer* next(guint64 i)
  {
    GST_WRITE_UINT16_BE(packet + 2, seq++);
    if (i % 4 == 0)
      ts += 3000;  // four packets per frame
    GST_WRITE_UINT32_BE(packet + 4, ts);
    GstBuffer* b = gst_buffer_new_allocate(nullptr, kPacketSize, nullptr);
    gst_buffer_fill(b, 0, packet, kPacketSize);
    return b;
  }
};

// Counts and checks what one sink receives (quick runs only).
struct Check {
  guint64 packets = 0, wrong = 0;
  guint32 expect_ssrc = kSsrc;
};

inline void on_handoff(GstElement*, GstBuffer* buf, GstPad*, gpointer data)
{
  auto* c = static_cast<Check*>(data);
  c->packets++;
  GstMapInfo map;
  if (!gst_buffer_map(buf, &map, GST_MAP_READ)) {
    c->wrong++;
    return;
  }
  bool ok = map.size == kPacketSize && GST_READ_UINT32_BE(map.data + 8) == c->expect_ssrc;
  for (gsize k = 12; ok && k < kPacketSize; k++)
    ok = map.data[k] == static_cast<guint8>(k * 31 + 7);
  gst_buffer_unmap(buf, &map);
  if (!ok)
    c->wrong++;
}

enum class Kind { Tee, Sfu, SfuRewrite };

// Delivered packets per CPU second of the pushing thread, or < 0 on error.
inline double run(Kind kind, int subscribers, guint64 packets, bool check)
{
  std::string desc;
  if (kind == Kind::Tee) {
    desc = "tee name=fan";
    for (int i = 1; i <= subscribers; i++)
      desc += " fan. ! fakesink name=s" + std::to_string(i) + " sync=false async=false enable-last-sample=false";
  } else {
    desc = "sfuforward name=fan";
    for (int i = 1; i <= subscribers; i++)
      desc += " fan.src_" + std::to_string(i) + " ! fakesink name=s" + std::to_string(i) +
              " sync=false async=false enable-last-sample=false";
  }
  GError* err = nullptr;
  GstElement* p = gst_parse_launch(desc.c_str(), &err);
  if (!p || err) {
    std::fprintf(stderr, "%s: %s\n", desc.c_str(), err ? err->message : "could not build the pipeline");
    g_clear_error(&err);
    return -1;
  }
  GstElement* fan = gst_bin_get_by_name(GST_BIN(p), "fan");
  GstPad* sink = kind == Kind::Tee ? gst_element_get_static_pad(fan, "sink")
                                   : gst_element_request_pad_simple(fan, "sink_0");
  if (kind == Kind::SfuRewrite) {
    gboolean ok = FALSE;
    const std::string group = std::to_string(kOtherSsrc) + "," + std::to_string(kSsrc);
    g_signal_emit_by_name(fan, "set-simulcast-group", "0", group.c_str(), &ok);
    if (!ok) {
      std::fprintf(stderr, "set-simulcast-group refused\n");
      return -1;
    }
  }
  std::vector<Check> checks(subscribers);
  for (int i = 1; i <= subscribers && check; i++) {
    GstElement* s = gst_bin_get_by_name(GST_BIN(p), ("s" + std::to_string(i)).c_str());
    checks[i - 1].expect_ssrc = kind == Kind::SfuRewrite ? kOtherSsrc : kSsrc;
    g_object_set(s, "signal-handoffs", TRUE, nullptr);
    g_signal_connect(s, "handoff", G_CALLBACK(on_handoff), &checks[i - 1]);
    gst_object_unref(s);
  }
  gst_element_set_state(p, GST_STATE_PLAYING);
  gst_element_get_state(p, nullptr, nullptr, GST_CLOCK_TIME_NONE);
  GstPad* feeder =
    bench::feeder_for(sink, "application/x-rtp, media=video, clock-rate=90000, encoding-name=VP8, payload=96");

  Feeder feed;
  bool ok = true;
  // A few packets untimed first: caps, first allocations, subscriber state.
  for (guint64 i = 0; i < 64 && ok; i++)
    ok = gst_pad_push(feeder, feed.next(i)) == GST_FLOW_OK;
  const double t0 = thread_cpu_seconds();
  for (guint64 i = 0; i < packets && ok; i++)
    ok = gst_pad_push(feeder, feed.next(i)) == GST_FLOW_OK;
  const double cpu = thread_cpu_seconds() - t0;
  if (!ok)
    std::fprintf(stderr, "%s: a push failed\n", desc.c_str());
  for (int i = 0; i < subscribers && check && ok; i++) {
    if (checks[i].packets != packets + 64 || checks[i].wrong) {
      std::fprintf(stderr, "%s: sink %d got %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT
                   " wrong\n", desc.c_str(), i + 1, checks[i].packets, packets + 64, checks[i].wrong);
      ok = false;
    }
  }
  gst_pad_unlink(feeder, sink);
  gst_object_unref(feeder);
  gst_element_set_state(p, GST_STATE_NULL);
  if (kind != Kind::Tee)
    gst_element_release_request_pad(fan, sink);
  gst_object_unref(sink);
  gst_object_unref(fan);
  gst_object_unref(p);
  return ok ? static_cast<double>(packets) * subscribers / cpu : -1;
}

} // namespace sfu_fanout
