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

#include "sfu-fanout.h"

using namespace sfu_fanout;

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
