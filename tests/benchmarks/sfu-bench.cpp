// SPDX-License-Identifier: LGPL-2.1-or-later
// sfu-bench: what sfuforward delivers per second per core when one publisher
// (1200-byte RTP packets) is forwarded to 10 and to 50 subscribers, beside
// `tee` with the same fan-out to the same sinks in the same run:
//   feeder ! sfuforward (sink_0 -> src_1 .. src_N) ! N x fakesink
//   feeder ! tee ! N x fakesink
// and the same with simulcast rewriting on (every subscriber gets a copy with
// SSRC, sequence number and timestamp rewritten). The feeder is a pad of the
// benchmark itself, pushing from the main thread, so the whole fan-out runs
// in that one thread and its CPU time is the cost per core. Each case keeps
// its fastest of several alternating runs (load from other processes only
// ever adds time).
//   sfu-bench            full run (a few seconds)
//   sfu-bench --quick    a few packets: checks that every sink got every
//                        packet and that payloads are unchanged; never judges
//                        timing
// Like the other pipeline benchmark it finds the plugin through the usual
// GStreamer variables (`meson devenv -C <builddir>`), falling back to the
// plugin's build directory.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <gst/gst.h>

#include "bench-pipeline.h"

namespace {

constexpr gsize kPacketSize = 1200;
constexpr guint32 kSsrc = 0x11223344;  // the encoding sent
constexpr guint32 kOtherSsrc = 0x11220000;  // the group's first SSRC: what subscribers see when rewriting

double thread_cpu_seconds()
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

void on_handoff(GstElement*, GstBuffer* buf, GstPad*, gpointer data)
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
double run(Kind kind, int subscribers, guint64 packets, bool check)
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

} // namespace

int main(int argc, char** argv)
{
  gst_init(&argc, &argv);
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  if (!bench::find_plugin("sfuforward", SFU_PLUGIN_BUILD_DIR, "sfu-bench"))
    return 1;
  const int rounds = quick ? 1 : 5;
  const int fanouts[] = { 10, 50 };
  const Kind kinds[] = { Kind::Tee, Kind::Sfu, Kind::SfuRewrite };
  const char* names[] = { "tee", "sfuforward", "sfuforward, rewriting" };
  double best[2][3] = {};
  for (int r = 0; r < rounds; r++) {
    for (int f = 0; f < 2; f++) {
      // About the same number of deliveries for both fan-outs.
      const guint64 packets = quick ? 100 : 200000 / static_cast<guint64>(fanouts[f]) * 10;
      for (int k = 0; k < 3; k++) {
        const double rate = run(kinds[k], fanouts[f], packets, quick);
        if (rate < 0) {
          std::fprintf(stderr, "FAIL: %s to %d subscribers\n", names[k], fanouts[f]);
          return 1;
        }
        best[f][k] = std::max(best[f][k], rate);
      }
    }
  }
  if (quick) {
    std::printf("quick run: tee and sfuforward (plain and rewriting) delivered every packet to 10 and 50 sinks, "
                "payloads unchanged (no timing claims)\n");
    return 0;
  }
  std::printf("%" G_GSIZE_FORMAT "-byte RTP packets, one publisher, CPU time of the pushing thread, best of %d "
              "alternating runs\n", kPacketSize, rounds);
  for (int f = 0; f < 2; f++) {
    std::printf("  %2d subscribers:", fanouts[f]);
    for (int k = 0; k < 3; k++)
      std::printf("  %s %.2f M/s", names[k], best[f][k] / 1e6);
    std::printf("\n     ratio to tee: sfuforward %.2f, rewriting %.2f\n", best[f][1] / best[f][0],
                best[f][2] / best[f][0]);
  }
  return 0;
}
