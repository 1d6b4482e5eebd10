// SPDX-License-Identifier: LGPL-2.1-or-later
// transport-bench: what the hop-by-hop transport costs, against raw libsrtp2
// in the same run, for 1200-byte packets and each DTLS-SRTP profile:
//   protect:   SrtpSession::protect_rtp (our core)      vs srtp_protect
//   unprotect: feeder ! srtpanydec ! fakesink (element)  vs srtp_unprotect
//   both ways: peertransport to peertransport over loopback (ICE, DTLS-SRTP,
//              SRTP; protect, send, receive, unprotect, push)
//                                                    vs srtpenc ! udpsink to
//                                                       udpsrc ! srtpdec, keyed
//                                                       by hand (GStreamer's own)
//                                                    vs srtp_protect, send(),
//                                                       recv(), srtp_unprotect
//                                                       on two plain UDP sockets
//                                                    and vs the two libsrtp2
//                                                       calls alone
// Both sides of each pair copy every packet into a fresh buffer first (a
// packet arrives in its own buffer), so the ratio is what we add. For one
// direction the CPU time of the one thread doing the work counts; for both
// ways, the whole process's CPU time (sender, receiver and their threads),
// packets sent in bursts of 32 that the receiver drains before the next.
// Each cell keeps its fastest of several alternating runs. Also the
// DTLS-SRTP handshake: between two in-process endpoints (datagrams handed
// over directly), and between two peertransport elements over loopback
// sockets (ICE connectivity checks, then DTLS).
//   transport-bench            full run (a few seconds)
//   transport-bench --quick    a few packets: checks every packet decrypts
//                              and every handshake completes; no timing claims
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gst/gst.h>
#include <srtp2/srtp.h>

#include "bench-pipeline.h"
#include "peer-transport-pair.h"
#include "transport/dtls_endpoint.h"
#include "transport/srtp_session.h"

namespace t = gste2ee::transport;

namespace {

constexpr size_t kPacket = 1200;
constexpr size_t kBurst = 32;  // packets in flight at once, both-ways runs

double process_cpu_seconds()
{
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// The profile's name as srtp-profiles (and srtpanydec's profile) takes it.
const char* profile_nick(t::SrtpProfile p)
{
  switch (p) {
  case t::SrtpProfile::Aes128CmSha1_80: return "aes-128-cm-sha1-80";
  case t::SrtpProfile::Aes128CmSha1_32: return "aes-128-cm-sha1-32";
  case t::SrtpProfile::AeadAes128Gcm: return "aead-aes-128-gcm";
  case t::SrtpProfile::AeadAes256Gcm: return "aead-aes-256-gcm";
  }
  return "";
}

double cpu_seconds()
{
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::vector<uint8_t> key_for(t::SrtpProfile p)
{
  std::vector<uint8_t> k(t::srtp_key_length(p) + t::srtp_salt_length(p));
  for (size_t i = 0; i < k.size(); i++)
    k[i] = static_cast<uint8_t>(i * 13 + 5);
  return k;
}

std::string hex(const std::vector<uint8_t>& b)
{
  std::string h;
  char c[3];
  for (uint8_t x : b) {
    snprintf(c, sizeof c, "%02x", x);
    h += c;
  }
  return h;
}

std::vector<uint8_t> clear_packet(uint16_t seq)
{
  std::vector<uint8_t> p(kPacket);
  for (size_t i = 12; i < kPacket; i++)
    p[i] = static_cast<uint8_t>(i * 31 + seq);
  p[0] = 0x80;
  p[1] = 96;
  p[2] = static_cast<uint8_t>(seq >> 8);
  p[3] = static_cast<uint8_t>(seq);
  p[11] = 0x42;  // SSRC 0x42
  return p;
}

// libsrtp2 set up the way SrtpSession sets it up, for the raw baseline.
srtp_t raw_session(t::SrtpProfile p, bool outbound)
{
  srtp_policy_t policy;
  memset(&policy, 0, sizeof policy);
  switch (p) {
  case t::SrtpProfile::Aes128CmSha1_80:
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    break;
  case t::SrtpProfile::Aes128CmSha1_32:
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    break;
  case t::SrtpProfile::AeadAes128Gcm:
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    break;
  case t::SrtpProfile::AeadAes256Gcm:
    srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp);
    break;
  }
  std::vector<uint8_t> key = key_for(p);
  policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
  policy.key = key.data();
  policy.window_size = 1024;
  srtp_t s = nullptr;
  if (srtp_create(&s, &policy) != srtp_err_status_ok)
    return nullptr;
  return s;
}

std::unique_ptr<t::SrtpSession> our_session(t::SrtpProfile p, t::SrtpSession::Direction d)
{
  std::vector<uint8_t> key = key_for(p);
  std::string error;
  auto s = t::SrtpSession::create(p, d, key.data(), key.size(), &error);
  if (!s)
    std::fprintf(stderr, "%s\n", error.c_str());
  return s;
}

// Packets per CPU second protecting `n` packets; `ours` picks the side.
double protect_rate(t::SrtpProfile p, bool ours, size_t n)
{
  auto session = ours ? our_session(p, t::SrtpSession::Direction::Outbound) : nullptr;
  srtp_t raw = ours ? nullptr : raw_session(p, true);
  if ((ours && !session) || (!ours && !raw))
    return -1;
  std::vector<uint8_t> packet = clear_packet(0), buf(kPacket + t::SrtpSession::kMaxTrailer);
  const double t0 = cpu_seconds();
  for (size_t i = 0; i < n; i++) {
    packet[2] = static_cast<uint8_t>(i >> 8);
    packet[3] = static_cast<uint8_t>(i);
    memcpy(buf.data(), packet.data(), kPacket);
    size_t size = kPacket;
    int len = static_cast<int>(kPacket);
    const bool ok = ours ? session->protect_rtp(buf.data(), &size, buf.size())
                         : srtp_protect(raw, buf.data(), &len) == srtp_err_status_ok;
    if (!ok)
      return -1;
  }
  const double cpu = cpu_seconds() - t0;
  if (raw)
    srtp_dealloc(raw);
  return static_cast<double>(n) / cpu;
}

// The stream to decrypt, protected once, untimed.
std::vector<std::vector<uint8_t>> protected_stream(t::SrtpProfile p, size_t n)
{
  auto out = our_session(p, t::SrtpSession::Direction::Outbound);
  std::vector<std::vector<uint8_t>> stream;
  for (size_t i = 0; i < n && out; i++) {
    std::vector<uint8_t> buf = clear_packet(static_cast<uint16_t>(i));
    buf.resize(kPacket + t::SrtpSession::kMaxTrailer);
    size_t size = kPacket;
    out->protect_rtp(buf.data(), &size, buf.size());
    buf.resize(size);
    stream.push_back(std::move(buf));
  }
  return stream;
}

double raw_unprotect_rate(t::SrtpProfile p, const std::vector<std::vector<uint8_t>>& stream)
{
  srtp_t raw = raw_session(p, false);
  if (!raw)
    return -1;
  std::vector<uint8_t> buf(kPacket + t::SrtpSession::kMaxTrailer);
  const double t0 = cpu_seconds();
  for (const auto& pkt : stream) {
    memcpy(buf.data(), pkt.data(), pkt.size());
    int len = static_cast<int>(pkt.size());
    if (srtp_unprotect(raw, buf.data(), &len) != srtp_err_status_ok)
      return -1;
  }
  const double cpu = cpu_seconds() - t0;
  srtp_dealloc(raw);
  return static_cast<double>(stream.size()) / cpu;
}

// Through an element: our pad pushes each packet in a new buffer into
// srtpanydec (or, for the pipeline's own cost, identity), whose output goes
// to a fakesink, all in this thread.
double element_unprotect_rate(t::SrtpProfile p, const std::vector<std::vector<uint8_t>>& stream, bool check,
                              bool identity = false)
{
  GstElement* pipeline = gst_pipeline_new(nullptr);
  GstElement* dec = gst_element_factory_make(identity ? "identity" : "srtpanydec", nullptr);
  GstElement* sink = gst_element_factory_make("fakesink", nullptr);
  g_object_set(sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, nullptr);
  if (!identity)
    g_object_set(dec, "profile", static_cast<gint>(p), "key", hex(key_for(p)).c_str(), nullptr);
  gst_bin_add_many(GST_BIN(pipeline), dec, sink, nullptr);
  gst_element_link_pads(dec, identity ? "src" : "rtp_src", sink, "sink");
  GstPad* in = gst_element_get_static_pad(dec, identity ? "sink" : "rtp_sink");
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  gst_element_get_state(pipeline, nullptr, nullptr, GST_CLOCK_TIME_NONE);
  GstPad* feeder = bench::feeder_for(in, "application/x-srtp, media=video, clock-rate=90000, encoding-name=VP8");
  bool ok = true;
  const double t0 = cpu_seconds();
  for (size_t i = 0; i < stream.size() && ok; i++) {
    GstBuffer* b = gst_buffer_new_allocate(nullptr, stream[i].size(), nullptr);
    gst_buffer_fill(b, 0, stream[i].data(), stream[i].size());
    ok = gst_pad_push(feeder, b) == GST_FLOW_OK;
  }
  const double cpu = cpu_seconds() - t0;
  guint64 decrypted = stream.size();
  if (!identity) {
    GstStructure* st = nullptr;
    g_object_get(dec, "stats", &st, nullptr);
    gst_structure_get_uint64(st, "rtp-decrypted", &decrypted);
    gst_structure_free(st);
  }
  if (check && decrypted != stream.size()) {
    std::fprintf(stderr, "srtpanydec decrypted %" G_GUINT64_FORMAT " of %zu packets\n", decrypted, stream.size());
    ok = false;
  }
  gst_pad_unlink(feeder, in);
  gst_object_unref(in);
  gst_object_unref(feeder);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  return ok ? static_cast<double>(stream.size()) / cpu : -1;
}

// Sends `n` packets through `feeder` in bursts that `counter` sees arrive
// before the next (asleep while waiting; a lost datagram must not stall it).
// Returns the packets delivered per second of the process's CPU time.
double burst_rate(GstPad* feeder, bench::DeliveryCounter& counter, size_t n)
{
  const double t0 = process_cpu_seconds();
  for (size_t i = 0; i < n; i += kBurst) {
    for (size_t j = i; j < i + kBurst && j < n; j++) {
      const auto packet = clear_packet(static_cast<uint16_t>(j));
      GstBuffer* b = gst_buffer_new_allocate(nullptr, packet.size(), nullptr);
      gst_buffer_fill(b, 0, packet.data(), packet.size());
      if (gst_pad_push(feeder, b) != GST_FLOW_OK)
        return -1;
    }
    counter.wait_for(std::min(i + kBurst, n), 100000);
  }
  return static_cast<double>(counter.count()) / (process_cpu_seconds() - t0);
}

// Both ways through two peertransport elements over loopback. The
// connection's set-up time goes to `*connect_ms`; `*delivered` counts what
// arrived.
double element_round_trip_rate(t::SrtpProfile p, size_t n, double* connect_ms, guint64* delivered)
{
  bench::PeerTransportPair pair(profile_nick(p));
  *connect_ms = pair.connect();
  if (*connect_ms < 0) {
    std::fprintf(stderr, "peertransport pair did not connect with %s\n", profile_nick(p));
    return -1;
  }
  if (pair.profile() != t::srtp_profile_name(p)) {
    std::fprintf(stderr, "negotiated %s, not %s\n", pair.profile().c_str(), t::srtp_profile_name(p));
    return -1;
  }
  const double rate = burst_rate(pair.feeder(), pair.delivered, n);
  *delivered = pair.delivered.count();
  return rate;
}

// The same path with GStreamer's own SRTP elements over plain UDP, keyed by
// hand (what a pipeline without our transport would run):
// srtpenc ! udpsink, then udpsrc ! srtpdec ! fakesink.
double gst_srtp_round_trip_rate(t::SrtpProfile p, size_t n, guint64* delivered)
{
  const bool gcm = p == t::SrtpProfile::AeadAes128Gcm || p == t::SrtpProfile::AeadAes256Gcm;
  const char* cipher = p == t::SrtpProfile::AeadAes128Gcm   ? "aes-128-gcm"
                       : p == t::SrtpProfile::AeadAes256Gcm ? "aes-256-gcm"
                                                            : "aes-128-icm";
  const char* auth = gcm ? "null" : p == t::SrtpProfile::Aes128CmSha1_32 ? "hmac-sha1-32" : "hmac-sha1-80";
  const char* rtcp_auth = gcm ? "null" : "hmac-sha1-80";
  // A free port: bound, read, released.
  const int probe = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  getsockname(probe, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  close(probe);

  std::vector<uint8_t> key = key_for(p);
  GstBuffer* key_buf = gst_buffer_new_memdup(key.data(), key.size());
  gchar* receive_desc = g_strdup_printf("udpsrc name=src address=127.0.0.1 port=%d ! srtpdec ! "
                                        "fakesink name=sink sync=false async=false enable-last-sample=false",
                                        port);
  gchar* send_desc = g_strdup_printf("srtpenc name=enc rtp-cipher=%s rtp-auth=%s rtcp-cipher=%s rtcp-auth=%s ! "
                                     "udpsink host=127.0.0.1 port=%d sync=false async=false",
                                     cipher, auth, cipher, rtcp_auth, port);
  GstElement* receiver = gst_parse_launch(receive_desc, nullptr);
  GstElement* sender = gst_parse_launch(send_desc, nullptr);
  g_free(receive_desc);
  g_free(send_desc);
  if (!receiver || !sender)
    return -1;
  GstElement* src = gst_bin_get_by_name(GST_BIN(receiver), "src");
  GstCaps* caps = gst_caps_new_simple("application/x-srtp", "ssrc", G_TYPE_UINT, 0x42u, "srtp-key", GST_TYPE_BUFFER,
                                      key_buf, "srtp-cipher", G_TYPE_STRING, cipher, "srtp-auth", G_TYPE_STRING, auth,
                                      "srtcp-cipher", G_TYPE_STRING, cipher, "srtcp-auth", G_TYPE_STRING, rtcp_auth,
                                      "media", G_TYPE_STRING, "video", "clock-rate", G_TYPE_INT, 90000,
                                      "encoding-name", G_TYPE_STRING, "VP8", "payload", G_TYPE_INT, 96, nullptr);
  g_object_set(src, "caps", caps, nullptr);
  gst_caps_unref(caps);
  gst_object_unref(src);
  GstElement* enc = gst_bin_get_by_name(GST_BIN(sender), "enc");
  g_object_set(enc, "key", key_buf, nullptr);
  gst_buffer_unref(key_buf);
  bench::DeliveryCounter counter;
  GstElement* sink = gst_bin_get_by_name(GST_BIN(receiver), "sink");
  counter.attach(sink);
  gst_object_unref(sink);
  gst_element_set_state(receiver, GST_STATE_PLAYING);
  gst_element_set_state(sender, GST_STATE_PLAYING);
  GstPad* in = gst_element_request_pad_simple(enc, "rtp_sink_%u");
  GstPad* feeder = bench::feeder_for(in, "application/x-rtp, media=video, payload=96, clock-rate=90000, encoding-name=VP8");
  const double rate = burst_rate(feeder, counter, n);
  *delivered = counter.count();
  gst_pad_unlink(feeder, in);
  gst_object_unref(feeder);
  gst_element_set_state(sender, GST_STATE_NULL);
  gst_element_set_state(receiver, GST_STATE_NULL);
  gst_element_release_request_pad(enc, in);
  gst_object_unref(in);
  gst_object_unref(enc);
  gst_object_unref(sender);
  gst_object_unref(receiver);
  return rate;
}

// The same with libsrtp2 and two plain UDP sockets in one thread: what any
// sender and receiver must do at the least.
double raw_round_trip_rate(t::SrtpProfile p, size_t n)
{
  srtp_t out = raw_session(p, true), in = raw_session(p, false);
  const int tx = socket(AF_INET, SOCK_DGRAM, 0), rx = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  timeval timeout{ 0, 100000 };
  const bool ok = out && in && tx >= 0 && rx >= 0 && bind(rx, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  getsockname(rx, reinterpret_cast<sockaddr*>(&addr), &len) == 0 &&
                  connect(tx, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) == 0;
  size_t done = 0;
  double rate = -1;
  if (ok) {
    std::vector<uint8_t> buf(kPacket + t::SrtpSession::kMaxTrailer);
    const double t0 = process_cpu_seconds();
    for (size_t i = 0; i < n; i += kBurst) {
      const size_t end = std::min(i + kBurst, n);
      for (size_t j = i; j < end; j++) {
        const auto packet = clear_packet(static_cast<uint16_t>(j));
        memcpy(buf.data(), packet.data(), kPacket);
        int size = static_cast<int>(kPacket);
        if (srtp_protect(out, buf.data(), &size) != srtp_err_status_ok || send(tx, buf.data(), static_cast<size_t>(size), 0) < 0)
          break;
      }
      for (size_t j = i; j < end; j++) {
        const ssize_t got = recv(rx, buf.data(), buf.size(), 0);
        int size = static_cast<int>(got);
        if (got <= 0 || srtp_unprotect(in, buf.data(), &size) != srtp_err_status_ok)
          break;
        done++;
      }
    }
    rate = static_cast<double>(done) / (process_cpu_seconds() - t0);
  }
  if (tx >= 0)
    close(tx);
  if (rx >= 0)
    close(rx);
  if (out)
    srtp_dealloc(out);
  if (in)
    srtp_dealloc(in);
  return done == n ? rate : -1;
}

// Wall-clock milliseconds for one DTLS-SRTP handshake between two of our
// endpoints, datagrams handed over at once; < 0 if it did not complete.
double handshake_ms()
{
  std::string error;
  auto ca = t::Certificate::generate(&error), cb = t::Certificate::generate(&error);
  if (!ca || !cb)
    return -1;
  t::DtlsEndpoint::Config cc, sc;
  cc.role = t::DtlsEndpoint::Role::Client;
  sc.role = t::DtlsEndpoint::Role::Server;
  cc.remote_fingerprint = cb->fingerprint();
  sc.remote_fingerprint = ca->fingerprint();
  auto client = t::DtlsEndpoint::create(cc, *ca, &error);
  auto server = t::DtlsEndpoint::create(sc, *cb, &error);
  if (!client || !server)
    return -1;
  timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  std::vector<t::Datagram> to_server, to_client;
  client->start(0, &to_server);
  for (int round = 0; round < 20 && (!to_server.empty() || !to_client.empty()); round++) {
    std::vector<t::Datagram> x, y;
    for (auto& d : to_server)
      server->receive(d.data(), d.size(), 0, &y);
    for (auto& d : to_client)
      client->receive(d.data(), d.size(), 0, &x);
    to_server = std::move(x);
    to_client = std::move(y);
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  if (client->state() != t::DtlsEndpoint::State::Connected || server->state() != t::DtlsEndpoint::State::Connected)
    return -1;
  return static_cast<double>(b.tv_sec - a.tv_sec) * 1e3 + static_cast<double>(b.tv_nsec - a.tv_nsec) * 1e-6;
}

} // namespace

int main(int argc, char** argv)
{
  gst_init(&argc, &argv);
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  if (!bench::find_plugin("srtpanydec", TRANSPORT_PLUGIN_BUILD_DIR, "transport-bench"))
    return 1;
  const size_t n = quick ? 200 : 30000;  // below 65536: no rollover in one stream
  const int rounds = quick ? 1 : 5;
  const t::SrtpProfile profiles[] = { t::SrtpProfile::AeadAes128Gcm, t::SrtpProfile::AeadAes256Gcm,
                                      t::SrtpProfile::Aes128CmSha1_80, t::SrtpProfile::Aes128CmSha1_32 };
  std::printf("%zu-byte SRTP packets, packets per CPU second of one thread, fastest of %d alternating runs\n", kPacket,
              rounds);
  std::vector<double> connects;
  for (auto p : profiles) {
    // protect ours, raw; unprotect through srtpanydec, raw, identity in its
    // place; both ways through peertransport, raw with sockets, GStreamer's
    // srtpenc / srtpdec over UDP
    double best[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };
    const auto stream = protected_stream(p, n);
    for (int r = 0; r < rounds; r++) {
      double connect_ms = -1;
      guint64 delivered = 0, gst_delivered = 0;
      const double v[8] = { protect_rate(p, true, n), protect_rate(p, false, n),
                            element_unprotect_rate(p, stream, quick), raw_unprotect_rate(p, stream),
                            element_unprotect_rate(p, stream, quick, true),
                            element_round_trip_rate(p, n, &connect_ms, &delivered), raw_round_trip_rate(p, n),
                            gst_srtp_round_trip_rate(p, n, &gst_delivered) };
      for (int i = 0; i < 8; i++) {
        if (v[i] < 0) {
          std::fprintf(stderr, "FAIL: %s, measurement %d\n", t::srtp_profile_name(p), i);
          return 1;
        }
        best[i] = std::max(best[i], v[i]);
      }
      connects.push_back(connect_ms);
      if (quick && (delivered != n || gst_delivered != n)) {
        std::fprintf(stderr, "FAIL: %s: peertransport delivered %" G_GUINT64_FORMAT ", srtpenc/srtpdec %"
                     G_GUINT64_FORMAT " of %zu packets\n", t::srtp_profile_name(p), delivered, gst_delivered, n);
        return 1;
      }
    }
    if (!quick) {
      // What srtpanydec adds over identity in the same pipeline, against
      // what srtp_unprotect costs alone.
      const double added_ns = 1e9 / best[2] - 1e9 / best[4], raw_ns = 1e9 / best[3];
      const double calls_alone = 1.0 / (1.0 / best[1] + 1.0 / best[3]);
      std::printf("  %-24s protect %5.0fk/s (raw %5.0fk/s, ratio %.2f); unprotect in a pipeline %5.0fk/s "
                  "(identity there %5.0fk/s), srtpanydec adds %4.0f ns/packet against %4.0f ns raw (ratio %.2f)\n",
                  t::srtp_profile_name(p), best[0] / 1e3, best[1] / 1e3, best[0] / best[1], best[2] / 1e3,
                  best[4] / 1e3, added_ns, raw_ns, raw_ns / added_ns);
      std::printf("  %-24s both ways over loopback, per process CPU second: peertransport %5.0fk/s; srtpenc ! udpsink "
                  "-> udpsrc ! srtpdec %5.0fk/s (ratio %.2f); raw libsrtp2 + UDP sockets %5.0fk/s (ratio %.2f); the "
                  "two libsrtp2 calls alone %5.0fk/s (ratio %.2f)\n",
                  "", best[5] / 1e3, best[7] / 1e3, best[5] / best[7], best[6] / 1e3, best[5] / best[6],
                  calls_alone / 1e3, best[5] / calls_alone);
    }
  }
  std::sort(connects.begin(), connects.end());
  double fastest = 1e9;
  for (int i = 0; i < (quick ? 2 : 20); i++) {
    const double ms = handshake_ms();
    if (ms < 0) {
      std::fprintf(stderr, "FAIL: a DTLS-SRTP handshake did not complete\n");
      return 1;
    }
    fastest = std::min(fastest, ms);
  }
  if (quick) {
    std::printf("quick run: every profile protected and decrypted through srtpanydec and through a peertransport "
                "pair, handshakes completed "
                "(no timing claims)\n");
    return 0;
  }
  std::printf("DTLS-SRTP handshake (ECDSA P-256 both ways, in process, no network): fastest of 20 %.2f ms\n", fastest);
  std::printf("peertransport to peertransport over loopback, answer set to both connected (ICE checks + DTLS): "
              "median of %zu %.1f ms, fastest %.1f ms\n", connects.size(), connects[connects.size() / 2], connects.front());
  return 0;
}
