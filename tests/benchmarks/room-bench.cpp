// SPDX-License-Identifier: LGPL-2.1-or-later
// room-bench: the room server on loopback, as appliances use it.
//   - Forwarding: 3 publishers sending 1200-byte RTP packets at 200 per
//     second each (what a 2 Mbit/s video encoder sends; synthetic, so the
//     benchmark's own CPU goes to the transports, not to encoders) and 10,
//     then 50 subscribers (peertransport clients that count packets), all
//     through gst-e2ee-room in an e2ee room: packets delivered to the
//     subscribers per second of the server's CPU time (user + system, all
//     its threads), beside the baseline of the same fan-out by a bare
//     sfuforward in this process (no transports, sockets or server), in the
//     same run. The ratio is what ICE, SRTP, the sockets and the server cost
//     on top of forwarding.
//   - Join: a viewer (roomsrc), from starting it with its token to its first
//     decoded frame of a publisher (median of 3).
//   - Rekey after a leave: the operator kicks the viewer; time until the
//     publishers' MLS group is in an epoch without it (median of 3).
// Not a test of timing: `room-bench --quick` (1 publisher, 2 subscribers)
// only checks that every part works. Run:
//   meson devenv -C build-rel tests/benchmarks/room-bench
// The C++ streams before check.h (its `fail` macro breaks <ios>).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>

#include "sfu-fanout.h"

#include "launched.h"
#include "media-client.h"
#include "run-suite.h"

using namespace server_process;
using namespace media_client;

namespace {

bool g_quick = false;
struct Publisher;
std::vector<std::unique_ptr<Publisher>> g_publishers;

// The server's CPU seconds so far (all threads).
double server_cpu_seconds()
{
  std::ifstream f("/proc/" + std::to_string(g_server->pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), {});
  const size_t close = stat.rfind(')');
  ck_assert(close != std::string::npos);
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; i++) {
    if (i == 14)
      utime = std::stoull(field);
    if (i == 15)
      stime = std::stoull(field);
  }
  return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

using launched::Pipeline;
using launched::launch;
using launched::wait_for;

double median(std::vector<double> v)
{
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

constexpr int kPacketsPerSecond = 200;
constexpr gsize kPacketBytes = 1200;

// A publisher of synthetic RTP (VP8 payload type, opaque payload) at a fixed
// rate, through its own transport.
struct Publisher {
  Client client;
  GstElement* feed = nullptr;
  GThread* thread = nullptr;
  std::atomic<bool> running{ true };
  guint32 ssrc = 0;

  ~Publisher()
  {
    running = false;
    if (thread)
      g_thread_join(thread);
    if (feed)
      gst_object_unref(feed);
  }
  static gpointer run(gpointer self)
  {
    auto* p = static_cast<Publisher*>(self);
    guint8 packet[kPacketBytes];
    for (gsize k = 0; k < kPacketBytes; k++)
      packet[k] = static_cast<guint8>(k * 31 + 7);
    packet[0] = 0x80;
    GST_WRITE_UINT32_BE(packet + 8, p->ssrc);
    guint16 seq = 0;
    guint32 ts = 0;
    const gint64 period = G_USEC_PER_SEC / kPacketsPerSecond;
    gint64 next = g_get_monotonic_time();
    for (guint64 i = 0; p->running; i++) {
      packet[1] = static_cast<guint8>((i % 4 == 3 ? 0x80 : 0) | 96);  // marker ends each 4-packet frame
      GST_WRITE_UINT16_BE(packet + 2, seq++);
      if (i % 4 == 0)
        ts += 3000;
      GST_WRITE_UINT32_BE(packet + 4, ts);
      GstBuffer* b = gst_buffer_new_memdup(packet, kPacketBytes);
      GstFlowReturn ret;
      g_signal_emit_by_name(p->feed, "push-buffer", b, &ret);
      gst_buffer_unref(b);
      next += period;
      const gint64 wait = next - g_get_monotonic_time();
      if (wait > 0)
        g_usleep(static_cast<gulong>(wait));
    }
    return nullptr;
  }
};

std::unique_ptr<Publisher> start_publisher(int i)
{
  auto p = std::make_unique<Publisher>();
  p->client.name = "synthetic-" + std::to_string(i);
  p->ssrc = 0x5e000000u + static_cast<guint32>(i);
  connect(p->client.signalling);
  const r::Message m = join(p->client.signalling, g_server->room,
      g_server->token(g_server->room, p->client.name, r::kPublishVideo));
  ck_assert_msg(m.type() == "joined", "%s", m.to_json().c_str());
  publish(p->client, "video", p->ssrc);
  start_pipeline(p->client, "peertransport name=t local-address=127.0.0.1 appsrc name=feed is-live=true "
      "do-timestamp=true format=time caps=\"application/x-rtp,media=video,payload=96,clock-rate=90000,"
      "encoding-name=VP8\" ! t. fakesink name=received sync=false async=false");
  p->feed = gst_bin_get_by_name(GST_BIN(p->client.pipeline), "feed");
  p->thread = g_thread_new("publisher", Publisher::run, p.get());
  return p;
}

// Delivered packets per server CPU second with `n` subscribers; the bare
// sfuforward rate of the same fan-out in `baseline`.
double forwarding(int n, double* baseline, double* delivered_per_s)
{
  std::vector<std::unique_ptr<Client>> subs;
  for (int i = 0; i < n; i++) {
    auto c = std::make_unique<Client>();
    c->name = "sub-" + std::to_string(i);
    connect(c->signalling);
    const r::Message m = join(c->signalling, g_server->room, g_server->token(g_server->room, c->name, 0));
    ck_assert_msg(m.type() == "joined", "%s", m.to_json().c_str());
    start_pipeline(*c, receiving());
    describe_reception(*c);
    subs.push_back(std::move(c));
  }
  auto pump_all = [&] {
    for (auto& c : subs)
      pump(*c, 0);
    for (auto& p : g_publishers)
      pump(p->client, 0);
    g_usleep(2000);
  };
  ck_assert_msg(wait_for([&] {
    for (auto& c : subs)
      if (c->received < 30)
        return false;
    return true;
  }, 120, pump_all), "not every subscriber receives");
  auto total = [&] {
    long long sum = 0;
    for (auto& c : subs)
      sum += c->received;
    return sum;
  };
  const double seconds = g_quick ? 2 : 10;
  const long long before = total();
  const double cpu0 = server_cpu_seconds();
  const gint64 t0 = g_get_monotonic_time();
  wait_for([] { return false; }, int(seconds), pump_all);
  const double cpu = server_cpu_seconds() - cpu0;
  const double wall = double(g_get_monotonic_time() - t0) / 1e6;
  const long long delivered = total() - before;
  *delivered_per_s = double(delivered) / wall;
  for (auto& c : subs) {
    std::string error;
    c->signalling.send(r::Message("leave"), &error);
  }
  subs.clear();
  // The baseline: the same fan-out (packets to n subscribers each) by
  // sfuforward alone, fastest of 3.
  double best = 0;
  for (int i = 0; i < 3; i++)
    best = std::max(best, sfu_fanout::run(sfu_fanout::Kind::Sfu, n, g_quick ? 2000 : 20000, false));
  *baseline = best;
  return cpu > 0 ? double(delivered) / cpu : 0;
}

} // namespace

START_TEST(test_room_bench)
{
  start_server();
  // The room's MLS group and a real stream for the viewers: one camera.
  std::vector<std::unique_ptr<Pipeline>> pubs;
  pubs.push_back(std::make_unique<Pipeline>());
  ck_assert(launch(*pubs[0], "roomsink name=s" + element_properties(g_server->token(g_server->room, "pub-0", r::kPublishVideo))
      + " videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1 ! s.video_0"));
  const int publishers = g_quick ? 1 : 3;
  for (int i = 0; i < publishers; i++)
    g_publishers.push_back(start_publisher(i));
  std::printf("room-bench: %d publisher(s) of %d packets/s (1200 bytes) and a camera (roomsink, VP8 160x120, "
              "SFrame), subscribers through gst-e2ee-room on loopback, e2ee room\n", publishers, kPacketsPerSecond);
  std::printf("| subscribers | delivered packets/s | per second of server CPU | bare sfuforward, same fan-out | ratio |\n"
              "|---|---|---|---|---|\n");
  for (const int n : g_quick ? std::vector<int>{ 2 } : std::vector<int>{ 10, 50 }) {
    double baseline = 0, rate_wall = 0;
    const double rate = forwarding(n, &baseline, &rate_wall);
    ck_assert(rate > 0 && baseline > 0);
    std::printf("| %d | %.0f | %.0f | %.0f | %.3f |\n", n, rate_wall, rate, baseline, rate / baseline);
    std::fflush(stdout);
  }

  // Join, then rekey after the viewer is kicked, 3 times.
  std::vector<double> joins, rekeys;
  for (int i = 0; i < 3; i++) {
    const std::string name = "viewer-" + std::to_string(i);
    Pipeline viewer;
    const gint64 start = g_get_monotonic_time();
    ck_assert(launch(viewer, "roomsrc name=r" + element_properties(g_server->token(g_server->room, name, 0))
        + " r.video_pub-0 ! fakesink name=out sync=false async=false"));
    ck_assert_msg(wait_for([&] { return viewer.decoded > 0; }, 30), "the viewer decoded nothing");
    {
      std::lock_guard<std::mutex> g(viewer.lock);
      joins.push_back(double(viewer.first_decoded_us - start) / 1000.0);
    }
    const gint64 kick = g_get_monotonic_time();
    ck_assert_int_eq(g_server->admin({ "kick", g_server->room, name }), 0);
    ck_assert(wait_for([&] { return pubs[0]->saw_leave(name); }, 30));
    rekeys.push_back(double(g_get_monotonic_time() - kick) / 1000.0);
  }
  std::printf("join (roomsrc started with its token to its first decoded frame): %.0f ms (median of 3: %.0f, %.0f, "
              "%.0f)\n", median(joins), joins[0], joins[1], joins[2]);
  std::printf("rekey after a leave (admin kick to the publishers' epoch without the viewer): %.0f ms (median of 3)\n",
      median(rekeys));
  pubs.clear();
  g_publishers.clear();
  stop_server();
}
END_TEST

int main(int argc, char** argv)
{
  gst_init(&argc, &argv);
  for (int i = 1; i < argc; i++)
    g_quick = g_quick || std::string(argv[i]) == "--quick";
  Suite* s = suite_create("room-bench");
  TCase* tc = tcase_create("bench");
  tcase_set_timeout(tc, 900);
  tcase_add_test(tc, test_room_bench);
  suite_add_tcase(s, tc);
  return run_suite(s);
}
