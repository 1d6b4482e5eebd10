// SPDX-License-Identifier: LGPL-2.1-or-later
// sframe-pipeline-bench: what sframeenc / sframedec cost per buffer inside a
// pipeline, against `identity` in the same pipeline shape, measured in the
// same run (1200-byte buffers, as RTP packets are). Pipelines alternate; each
// keeps its fastest run.
//   sframe-pipeline-bench            full run
//   sframe-pipeline-bench --quick    a few buffers, checks the pipelines work
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include <gst/gst.h>

namespace {

const char kKey[] = "000102030405060708090a0b0c0d0e0f";

// Seconds from PLAYING to EOS, or a negative value on error.
double run(const std::string& middle, int buffers)
{
  const std::string desc = "fakesrc sizetype=fixed sizemax=1200 filltype=zero num-buffers=" + std::to_string(buffers) +
                           " ! " + middle + " ! fakesink name=sink";
  GError* err = nullptr;
  GstElement* p = gst_parse_launch(desc.c_str(), &err);
  if (!p) {
    std::fprintf(stderr, "%s: %s\n", desc.c_str(), err ? err->message : "?");
    g_clear_error(&err);
    return -1;
  }
  gst_element_set_state(p, GST_STATE_PAUSED);
  gst_element_get_state(p, nullptr, nullptr, GST_CLOCK_TIME_NONE);
  const auto t0 = std::chrono::steady_clock::now();
  gst_element_set_state(p, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(p);
  GstMessage* msg = gst_bus_timed_pop_filtered(bus, 120 * GST_SECOND,
                                               static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  const auto t1 = std::chrono::steady_clock::now();
  const bool ok = msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
  if (msg)
    gst_message_unref(msg);
  // Every buffer must have come through (sframedec drops what fails).
  GstElement* sink = gst_bin_get_by_name(GST_BIN(p), "sink");
  GstSample* last = nullptr;
  g_object_get(sink, "last-sample", &last, nullptr);
  const bool got_data = last != nullptr;
  if (last)
    gst_sample_unref(last);
  gst_object_unref(sink);
  gst_object_unref(bus);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
  if (!ok || !got_data)
    return -1;
  return std::chrono::duration<double>(t1 - t0).count();
}

} // namespace

int main(int argc, char** argv)
{
  gst_init(&argc, &argv);
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const int buffers = quick ? 200 : 200000;
  const int rounds = quick ? 1 : 5;
  const std::string key = std::string("key=") + kKey;
  const struct {
    const char* name;
    std::string middle;
  } cases[] = {
    { "identity", "identity" },
    { "sframeenc", "sframeenc " + key },
    { "identity ! identity", "identity ! identity" },
    { "sframeenc ! sframedec", "sframeenc " + key + " ! sframedec " + key },
  };
  double best[4] = { 1e9, 1e9, 1e9, 1e9 };
  for (int r = 0; r < rounds; r++) {
    for (int c = 0; c < 4; c++) {
      const double s = run(cases[c].middle, buffers);
      if (s < 0) {
        std::fprintf(stderr, "pipeline with %s failed\n", cases[c].name);
        return 1;
      }
      best[c] = std::min(best[c], s);
    }
  }
  if (quick) {
    std::printf("quick run: all pipelines reached EOS with data (no timing claims)\n");
    return 0;
  }
  auto ns = [&](int c) { return best[c] * 1e9 / buffers; };
  std::printf("1200-byte buffers, %d per run, best of %d runs\n", buffers, rounds);
  for (int c = 0; c < 4; c++)
    std::printf("  fakesrc ! %-22s ! fakesink: %6.0f ns/buffer\n", cases[c].name, ns(c));
  std::printf("sframeenc overhead over identity: %.0f ns/buffer (ratio %.2f)\n", ns(1) - ns(0), ns(1) / ns(0));
  std::printf("sframeenc ! sframedec overhead over identity ! identity: %.0f ns/buffer (ratio %.2f)\n", ns(3) - ns(2),
              ns(3) / ns(2));
  return 0;
}
