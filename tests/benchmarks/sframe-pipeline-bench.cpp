// SPDX-License-Identifier: LGPL-2.1-or-later
// sframe-pipeline-bench: what sframeenc / sframedec cost per buffer inside a
// running pipeline, against `identity` in the same pipeline shape, measured in
// the same run with 1200-byte buffers (the size of an RTP packet):
//   fakesrc ! sframeenc ! fakesink              vs  fakesrc ! identity ! fakesink
//   appsrc ! sframedec ! fakesink               vs  appsrc ! identity ! fakesink
//   fakesrc ! sframeenc ! sframedec ! fakesink  vs  fakesrc ! identity ! identity ! fakesink
// The appsrc pipelines replay a stream sframeenc encrypted beforehand (the
// decryptor refuses replayed counters, so every run needs the whole stream).
// The pipelines alternate over several runs and each keeps its fastest run,
// since load from other processes only ever adds time.
//   sframe-pipeline-bench            full run (a few seconds)
//   sframe-pipeline-bench --quick    a few buffers: checks every pipeline
//                                    delivers all of them and that decrypted
//                                    buffers equal the input; never judges timing
// It finds the plugin through the usual GStreamer variables (set by `meson
// test` and by `meson devenv -C <builddir>`); if sframeenc is still missing
// it scans the plugin's build directory, so running the binary directly from
// the build tree works too.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <gst/gst.h>

#include "bench-pipeline.h"

namespace {

const char kKey[] = "000102030405060708090a0b0c0d0e0f";
constexpr gsize kFrameSize = 1200;

// What the appsrc of a pipeline pushes: copies of pre-encrypted frames, made
// one at a time in the streaming thread. Copying there (rather than before
// the run) keeps each frame in cache the way fakesrc's freshly filled buffers
// are, and leaves the copy writable so sframedec is not forced to copy again;
// the identity pipeline it is compared with pays for the same copies.
struct Feed {
  const std::vector<GstBuffer*>* frames = nullptr;
  size_t next = 0;
};

void on_need_data(GstElement* src, guint /*length*/, gpointer data)
{
  auto* feed = static_cast<Feed*>(data);
  GstFlowReturn ret = GST_FLOW_OK;
  if (feed->next < feed->frames->size()) {
    GstBuffer* b = gst_buffer_copy_deep((*feed->frames)[feed->next++]);
    g_signal_emit_by_name(src, "push-buffer", b, &ret);  // takes its own ref
    gst_buffer_unref(b);
  } else {
    g_signal_emit_by_name(src, "end-of-stream", &ret);
  }
}

// Untimed runs only (the signal costs time): checks decrypted output and/or
// keeps what reaches the sink.
struct SinkHook {
  bool expect_plain = false;  // each buffer must be kFrameSize zero bytes
  guint64 wrong = 0;
  std::vector<GstBuffer*>* collect = nullptr;
};

void on_handoff(GstElement* /*sink*/, GstBuffer* buf, GstPad* /*pad*/, gpointer data)
{
  auto* hook = static_cast<SinkHook*>(data);
  if (hook->collect)
    hook->collect->push_back(gst_buffer_ref(buf));
  if (!hook->expect_plain)
    return;
  GstMapInfo map;
  if (!gst_buffer_map(buf, &map, GST_MAP_READ)) {
    hook->wrong++;
    return;
  }
  const bool zero =
      map.size == kFrameSize && std::all_of(map.data, map.data + map.size, [](guint8 b) { return b == 0; });
  gst_buffer_unmap(buf, &map);
  if (!zero)
    hook->wrong++;
}

// Seconds from PLAYING to EOS, or a negative value on error, if fewer than
// `buffers` buffers reached the sink (sframedec drops what fails to decrypt),
// or if `hook` saw a wrong buffer. `feed` drives an appsrc named "src".
double run(const std::string& head, const std::string& middle, guint64 buffers, Feed* feed, SinkHook* hook)
{
  // The sink keeps no last sample: that would add a ref/unref per buffer
  // that has nothing to do with the elements measured.
  const std::string desc = head + " ! " + middle + " ! fakesink name=sink enable-last-sample=false" +
                           (hook ? " signal-handoffs=true" : "");
  GError* err = nullptr;
  GstElement* p = gst_parse_launch(desc.c_str(), &err);
  if (!p || err) {
    std::fprintf(stderr, "%s: %s\n", desc.c_str(), err ? err->message : "could not build the pipeline");
    g_clear_error(&err);
    if (p)
      gst_object_unref(p);
    return -1;
  }
  GstElement* sink = gst_bin_get_by_name(GST_BIN(p), "sink");
  if (hook)
    g_signal_connect(sink, "handoff", G_CALLBACK(on_handoff), hook);
  if (feed) {
    GstElement* src = gst_bin_get_by_name(GST_BIN(p), "src");
    g_signal_connect(src, "need-data", G_CALLBACK(on_need_data), feed);
    gst_object_unref(src);
  }
  // Prerolling (one buffer through) stays outside the timed part: it
  // includes caps negotiation and allocation set-up.
  gst_element_set_state(p, GST_STATE_PAUSED);
  gst_element_get_state(p, nullptr, nullptr, GST_CLOCK_TIME_NONE);
  GstBus* bus = gst_element_get_bus(p);
  const auto t0 = std::chrono::steady_clock::now();
  gst_element_set_state(p, GST_STATE_PLAYING);
  GstMessage* msg = gst_bus_timed_pop_filtered(bus, 120 * GST_SECOND,
                                               static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  const auto t1 = std::chrono::steady_clock::now();
  bool ok = msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
  if (msg && !ok) {
    GError* e = nullptr;
    gst_message_parse_error(msg, &e, nullptr);
    std::fprintf(stderr, "%s: %s\n", desc.c_str(), e ? e->message : "error");
    g_clear_error(&e);
  } else if (!msg) {
    std::fprintf(stderr, "%s: no EOS within 120 s\n", desc.c_str());
  }
  if (msg)
    gst_message_unref(msg);
  GstStructure* stats = nullptr;
  g_object_get(sink, "stats", &stats, nullptr);
  guint64 rendered = 0;
  if (stats) {
    gst_structure_get_uint64(stats, "rendered", &rendered);
    gst_structure_free(stats);
  }
  if (ok && rendered != buffers) {
    std::fprintf(stderr, "%s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " buffers reached the sink\n",
                 desc.c_str(), rendered, buffers);
    ok = false;
  }
  if (ok && hook && hook->wrong > 0) {
    std::fprintf(stderr, "%s: %" G_GUINT64_FORMAT " buffers differ from the %" G_GSIZE_FORMAT " zero bytes sent\n",
                 desc.c_str(), hook->wrong, kFrameSize);
    ok = false;
  }
  gst_object_unref(sink);
  gst_object_unref(bus);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
  return ok ? std::chrono::duration<double>(t1 - t0).count() : -1;
}

} // namespace

int main(int argc, char** argv)
{
  gst_init(&argc, &argv);
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  if (!bench::find_plugin("sframeenc", SFRAME_PLUGIN_BUILD_DIR, "sframe-pipeline-bench"))
    return 1;
  // 50000 buffers take 30-100 ms per pipeline: long enough to swamp
  // start-up, short enough for several alternating runs in a few seconds.
  const guint64 buffers = quick ? 100 : 50000;
  const int rounds = quick ? 1 : 5;
  const std::string fakesrc = "fakesrc sizetype=fixed sizemax=" + std::to_string(kFrameSize) +
                              " filltype=zero num-buffers=" + std::to_string(buffers);
  const std::string enc = std::string("sframeenc key=") + kKey;
  const std::string dec = std::string("sframedec key=") + kKey;

  // The stream the appsrc pipelines replay, encrypted once, untimed.
  std::vector<GstBuffer*> encrypted;
  SinkHook collect;
  collect.collect = &encrypted;
  if (run(fakesrc, enc, buffers, nullptr, &collect) < 0) {
    std::fprintf(stderr, "FAIL: could not encrypt the input stream\n");
    return 1;
  }

  enum Source { Fake, App };
  const struct {
    const char* name;
    Source source;
    std::string middle;
    bool plain_out;  // the sink sees the zero-filled plaintext
  } cases[] = {
    { "fakesrc ! identity", Fake, "identity", true },
    { "fakesrc ! sframeenc", Fake, enc, false },
    { "appsrc ! identity", App, "identity", false },
    { "appsrc ! sframedec", App, dec, true },
    { "fakesrc ! identity ! identity", Fake, "identity ! identity", true },
    { "fakesrc ! sframeenc ! sframedec", Fake, enc + " ! " + dec, true },
  };
  constexpr int kCases = sizeof cases / sizeof cases[0];
  double best[kCases];
  std::fill(best, best + kCases, 1e300);
  int failed = 0;
  for (int r = 0; r < rounds && !failed; r++) {
    for (int c = 0; c < kCases; c++) {
      Feed feed;
      feed.frames = &encrypted;
      SinkHook check;
      check.expect_plain = cases[c].plain_out;
      const bool app = cases[c].source == App;
      const double s = run(app ? "appsrc name=src" : fakesrc, cases[c].middle, buffers, app ? &feed : nullptr,
                           quick ? &check : nullptr);
      if (s < 0) {
        std::fprintf(stderr, "FAIL: pipeline %s\n", cases[c].name);
        failed++;
        continue;
      }
      best[c] = std::min(best[c], s);
    }
  }
  for (GstBuffer* b : encrypted)
    gst_buffer_unref(b);
  if (failed)
    return 1;
  if (quick) {
    std::printf("quick run: all %d pipelines delivered all %" G_GUINT64_FORMAT
                " buffers, decrypted ones equal to the input (no timing claims)\n",
                kCases, buffers);
    return 0;
  }
  auto ns = [&](int c) { return best[c] * 1e9 / static_cast<double>(buffers); };
  std::printf("%" G_GSIZE_FORMAT "-byte buffers, %" G_GUINT64_FORMAT " per run, fastest of %d alternating runs\n",
              kFrameSize, buffers, rounds);
  for (int c = 0; c < kCases; c++)
    std::printf("  %-32s ! fakesink: %6.0f ns/buffer\n", cases[c].name, ns(c));
  std::printf("sframeenc: %.0f ns/buffer over identity (ratio %.2f)\n", ns(1) - ns(0), ns(1) / ns(0));
  std::printf("sframedec: %.0f ns/buffer over identity (ratio %.2f)\n", ns(3) - ns(2), ns(3) / ns(2));
  std::printf("sframeenc ! sframedec: %.0f ns/buffer over identity ! identity (ratio %.2f)\n", ns(5) - ns(4),
              ns(5) / ns(4));
  return 0;
}
