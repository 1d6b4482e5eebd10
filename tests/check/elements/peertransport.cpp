// SPDX-License-Identifier: LGPL-2.1-or-later
// peertransport between two of our pipelines on loopback: they agree on
// AEAD AES-256-GCM and carry VP8 and Opus both ways, decoded on each side; a
// fingerprint changed in the signalling fails the handshake and nothing
// flows; a handshake nobody starts fails at its timeout; a certificate
// loaded from a file is the one announced and checked; a peer that vanishes is noticed and the survivor stops sending;
// descriptions and candidates we cannot use are refused; garbage sent to the
// transport's socket is counted and never reaches the pads; an ICE restart
// keeps media flowing on the same keys; an ICE-lite answerer works; a STUN
// server gives a server-reflexive candidate; srtp-profiles decides what two
// peers may agree on.
#include <atomic>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>
#include <gst/check/gstcheck.h>

#include "element-stats.h"
#include "count-buffers.h"
#include "fatal-log-domains.h"
#include "peer-signalling.h"

using testutil::PeerSignalling;
using testutil::stat;
using testutil::wait_for_state;

namespace {

// One side: VP8 and Opus out through the transport, whatever arrives
// decoded into counting sinks.
struct Side {
  GstElement* pipeline = nullptr;
  GstElement* transport = nullptr;
  std::atomic<int> video{ 0 }, audio{ 0 };

  // `quiet`: the streams are described (caps) but send nothing.
  explicit Side(int ssrc_base, const char* extra_props = "", bool quiet = false)
  {
    const char* gate = quiet ? "valve drop=true drop-mode=forward-sticky-events ! " : "";
    gchar* desc = g_strdup_printf(
      "peertransport name=t local-address=127.0.0.1 %s "
      "videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1 ! "
      "vp8enc deadline=1 keyframe-max-dist=15 ! rtpvp8pay pt=96 ssrc=%d ! %st. "
      "audiotestsrc is-live=true ! opusenc ! rtpopuspay pt=111 ssrc=%d ! %st. "
      "t.src_96 ! rtpjitterbuffer latency=50 ! rtpvp8depay ! vp8dec ! fakesink name=v sync=false async=false "
      "t.src_111 ! rtpjitterbuffer latency=50 ! rtpopusdepay ! opusdec ! fakesink name=a sync=false async=false",
      extra_props, ssrc_base, gate, ssrc_base + 1, gate);
    GError* err = nullptr;
    pipeline = gst_parse_launch(desc, &err);
    g_free(desc);
    fail_unless(pipeline != nullptr, "%s", err ? err->message : "");
    transport = gst_bin_get_by_name(GST_BIN(pipeline), "t");
    count(gst_bin_get_by_name(GST_BIN(pipeline), "v"), &video);
    count(gst_bin_get_by_name(GST_BIN(pipeline), "a"), &audio);
  }
  ~Side()
  {
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(transport);
    gst_object_unref(pipeline);
  }
  static void count(GstElement* sink, std::atomic<int>* n)
  {
    testutil::count_buffers(sink, "sink", n);
    gst_object_unref(sink);
  }
  void play()
  {
    fail_if(gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
  }
  // Until both sink pads have caps: then the offer can describe them.
  void wait_for_caps()
  {
    for (int i = 0; i < 500; i++) {
      int with_caps = 0;
      GstIterator* it = gst_element_iterate_sink_pads(transport);
      GValue v = G_VALUE_INIT;
      while (gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
        with_caps += gst_pad_has_current_caps(GST_PAD(g_value_get_object(&v))) ? 1 : 0;
        g_value_reset(&v);
      }
      g_value_unset(&v);
      gst_iterator_free(it);
      if (with_caps == 2)
        return;
      g_usleep(10000);
    }
    fail("the sink pads never got caps");
  }
  std::string profile()
  {
    GstStructure* s = testutil::stats_of(transport);
    std::string p = gst_structure_get_string(s, "srtp-profile");
    gst_structure_free(s);
    return p;
  }
  // The first error or warning (or element message named `name`) on the bus.
  std::string bus_message(GstMessageType type, GstClockTime timeout, const char* name = nullptr)
  {
    GstBus* bus = gst_element_get_bus(pipeline);
    std::string text;
    const gint64 until = g_get_monotonic_time() + static_cast<gint64>(timeout / 1000);
    while (text.empty() && g_get_monotonic_time() < until) {
      GstMessage* m = gst_bus_timed_pop_filtered(bus, 100 * GST_MSECOND, type);
      if (!m)
        continue;
      if (type == GST_MESSAGE_ELEMENT) {
        if (gst_message_has_name(m, name))
          text = name;
      } else {
        GError* e = nullptr;
        if (type == GST_MESSAGE_ERROR)
          gst_message_parse_error(m, &e, nullptr);
        else
          gst_message_parse_warning(m, &e, nullptr);
        text = e ? e->message : "?";
        g_clear_error(&e);
      }
      gst_message_unref(m);
    }
    gst_object_unref(bus);
    return text;
  }
};

bool wait_until(const std::function<bool()>& cond, double seconds)
{
  const gint64 until = g_get_monotonic_time() + static_cast<gint64>(seconds * G_USEC_PER_SEC);
  while (g_get_monotonic_time() < until) {
    if (cond())
      return true;
    g_usleep(20000);
  }
  return cond();
}

void connect_pair(Side& a, Side& b, PeerSignalling& sig)
{
  a.play();
  b.play();
  a.wait_for_caps();
  b.wait_for_caps();
  fail_unless(sig.negotiate());
  fail_unless(wait_for_state(a.transport, "connected", 15), "offerer never connected");
  fail_unless(wait_for_state(b.transport, "connected", 15), "answerer never connected");
}

} // namespace

GST_START_TEST(test_ours_agree_on_gcm_and_carry_media_both_ways)
{
  Side a(1000), b(2000);
  PeerSignalling sig(a.transport, b.transport);
  connect_pair(a, b, sig);
  fail_unless(a.profile() == "SRTP_AEAD_AES_256_GCM", "offerer: %s", a.profile().c_str());
  fail_unless(b.profile() == "SRTP_AEAD_AES_256_GCM", "answerer: %s", b.profile().c_str());
  fail_unless(wait_until([&] { return a.video >= 15 && b.video >= 15 && a.audio >= 20 && b.audio >= 20; }, 20),
              "decoded: offerer %d video %d audio, answerer %d video %d audio", a.video.load(), a.audio.load(),
              b.video.load(), b.audio.load());
  for (GstElement* t : { a.transport, b.transport }) {
    fail_unless(stat(t, "rtp-sent") > 0 && stat(t, "rtp-received") > 0);
    ck_assert_uint_eq(stat(t, "drops-authentication"), 0);
    ck_assert_uint_eq(stat(t, "drops-replay"), 0);
  }
  // The offerer controls ICE; the answerer took a=setup:active (DTLS client).
  GstStructure* s = testutil::stats_of(b.transport);
  ck_assert_str_eq(gst_structure_get_string(s, "dtls-role"), "client");
  gst_structure_free(s);
}
GST_END_TEST;

// The answer's fingerprint replaced on its way: the offerer's DTLS refuses
// the answerer's certificate, and not one packet of media crosses.
static std::string other_fingerprint(const std::string& sdp)
{
  std::string out = sdp;
  size_t at = 0;
  while ((at = out.find("a=fingerprint:sha-256 ", at)) != std::string::npos) {
    at += strlen("a=fingerprint:sha-256 ");
    out[at] = out[at] == 'A' ? 'B' : 'A';
  }
  return out;
}

GST_START_TEST(test_wrong_fingerprint_fails_the_handshake)
{
  Side a(1000), b(2000);
  PeerSignalling sig(a.transport, b.transport);
  a.play();
  b.play();
  a.wait_for_caps();
  b.wait_for_caps();
  fail_unless(sig.negotiate(other_fingerprint));
  const std::string error = a.bus_message(GST_MESSAGE_ERROR, 15 * GST_SECOND);
  fail_unless(error.find("fingerprint") != std::string::npos, "offerer's error: '%s'", error.c_str());
  fail_unless(wait_for_state(a.transport, "failed", 5));
  fail_if(wait_for_state(b.transport, "connected", 1), "the answerer connected to a peer that refused it");
  for (GstElement* t : { a.transport, b.transport }) {
    ck_assert_uint_eq(stat(t, "rtp-sent"), 0);
    ck_assert_uint_eq(stat(t, "rtp-received"), 0);
    fail_unless(stat(t, "unsent-without-keys") > 0);
  }
  ck_assert_int_eq(a.video + b.video + a.audio + b.audio, 0);
}
GST_END_TEST;

GST_START_TEST(test_vanished_peer_is_noticed_and_sending_stops)
{
  Side a(1000, "peer-timeout=1000"), b(2000);
  PeerSignalling sig(a.transport, b.transport);
  connect_pair(a, b, sig);
  fail_unless(wait_until([&] { return a.video > 5; }, 10));
  gst_element_set_state(b.pipeline, GST_STATE_NULL);  // its process gone, as far as the network sees
  const gint64 gone = g_get_monotonic_time();
  fail_unless(a.bus_message(GST_MESSAGE_ELEMENT, 10 * GST_SECOND, "peertransport-peer-lost") != "");
  const double after = static_cast<double>(g_get_monotonic_time() - gone) / G_USEC_PER_SEC;
  fail_unless(after < 5, "noticed after %.1f s", after);
  fail_unless(wait_for_state(a.transport, "failed", 1));
  const guint64 sent = stat(a.transport, "rtp-sent");
  g_usleep(300000);
  ck_assert_uint_eq(stat(a.transport, "rtp-sent"), sent);
  fail_unless(stat(a.transport, "unsent-without-keys") > 0);
}
GST_END_TEST;

// Two peers with nothing to send (a viewer, a camera alone in its room) stay
// connected well past their peer timeout: each sends an empty RTCP receiver
// report every second.
GST_START_TEST(test_quiet_peers_stay_connected)
{
  Side a(1000, "peer-timeout=1500", true), b(2000, "peer-timeout=1500", true);
  PeerSignalling sig(a.transport, b.transport);
  connect_pair(a, b, sig);
  g_usleep(4 * G_USEC_PER_SEC);
  for (Side* s : { &a, &b }) {
    fail_unless(wait_for_state(s->transport, "connected", 1), "a quiet peer was taken for gone");
    ck_assert_uint_eq(stat(s->transport, "rtp-sent"), 0);
    fail_unless(stat(s->transport, "rtcp-sent") >= 3);
    fail_unless(stat(s->transport, "rtcp-received") >= 3);
  }
  ck_assert_int_eq(a.video + b.video + a.audio + b.audio, 0);
}
GST_END_TEST;

GST_START_TEST(test_unusable_descriptions_and_candidates_are_refused)
{
  GstElement* t = gst_element_factory_make("peertransport", nullptr);
  fail_unless(gst_element_set_state(t, GST_STATE_READY) == GST_STATE_CHANGE_SUCCESS);
  gchar* fp = nullptr;
  g_object_get(t, "local-fingerprint", &fp, nullptr);
  fail_unless(fp && strlen(fp) == 95, "fingerprint %s", fp);  // 32 bytes as "AB:" x 32 - 1
  g_free(fp);
  const char* bad[] = {
    "garbage",
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n",  // no media
    // no fingerprint
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n",
    // plain RTP/AVP: no DTLS-SRTP, never media in clear
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 5004 RTP/AVP 96\r\nc=IN IP4 127.0.0.1\r\n"
    "a=rtpmap:96 VP8/90000\r\n",
    // no rtcp-mux
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=setup:actpass\r\n"
    "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n"
    "a=rtpmap:96 VP8/90000\r\n",
  };
  for (const char* sdp : bad) {
    gboolean ok = TRUE;
    g_signal_emit_by_name(t, "set-remote-description", sdp, &ok);
    fail_if(ok, "accepted: %s", sdp);
  }
  gchar* answer = nullptr;
  g_signal_emit_by_name(t, "create-answer", &answer);
  fail_unless(answer == nullptr, "an answer without an offer");
  gchar* offer = nullptr;
  g_signal_emit_by_name(t, "create-offer", &offer);
  fail_unless(offer == nullptr, "an offer without media");
  gboolean ok = TRUE;
  g_signal_emit_by_name(t, "add-remote-candidate", 0u, "not a candidate", &ok);
  fail_if(ok);
  g_signal_emit_by_name(t, "add-remote-candidate", 0u, "candidate:1 1 UDP 2015363327 999.1.1.1 40000 typ host", &ok);
  fail_if(ok);
  g_signal_emit_by_name(t, "add-remote-candidate", 0u, "candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host", &ok);
  fail_unless(ok);
  ck_assert_int_lt(testutil::connection_state(t), 2);  // new or checking: no handshake with anyone
  gst_element_set_state(t, GST_STATE_NULL);
  gst_object_unref(t);
}
GST_END_TEST;

// Datagrams from an outsider to the transport's socket, some dressed as RTP
// of a payload type nobody negotiated: none reaches a pad (ICE drops what
// does not come from the selected pair, our demultiplexer what does not
// authenticate), and media goes on.
GST_START_TEST(test_garbage_on_the_socket_is_dropped)
{
  Side a(1000), b(2000);
  PeerSignalling sig(a.transport, b.transport);
  connect_pair(a, b, sig);
  GstStructure* s = testutil::stats_of(a.transport);
  std::string local = gst_structure_get_string(s, "local-candidate");  // "host 127.0.0.1:PORT"
  gst_structure_free(s);
  const guint16 port = static_cast<guint16>(atoi(local.substr(local.rfind(':') + 1).c_str()));
  fail_unless(port > 0, "selected pair: %s", local.c_str());
  GSocket* sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, nullptr);
  GInetAddress* lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  GSocketAddress* to = g_inet_socket_address_new(lo, port);
  const int before = a.video;
  guint8 pkt[200];
  for (int i = 0; i < 300; i++) {
    for (auto& byte : pkt)
      byte = static_cast<guint8>(g_random_int());
    if (i % 2)
      pkt[0] = 0x80, pkt[1] = 100;  // RTP of payload type 100
    else if (i % 5 == 0)
      pkt[0] = 22;  // a DTLS handshake record
    const gsize n = i % 3 == 0 ? 5 : sizeof pkt;  // and truncated ones
    g_socket_send_to(sock, to, reinterpret_cast<const gchar*>(pkt), n, nullptr, nullptr);
  }
  fail_unless(wait_until([&] { return a.video > before + 15; }, 10), "media stopped");
  GstPad* stray = gst_element_get_static_pad(a.transport, "src_100");
  fail_unless(stray == nullptr, "garbage made a pad");
  ck_assert_uint_eq(stat(a.transport, "drops-unknown-payload-type"), 0);
  ck_assert_int_eq(testutil::connection_state(a.transport), 3);
  g_object_unref(to);
  g_object_unref(lo);
  g_object_unref(sock);
}
GST_END_TEST;

GST_START_TEST(test_ice_restart_keeps_media_on_the_same_keys)
{
  Side a(1000), b(2000);
  PeerSignalling sig(a.transport, b.transport);
  connect_pair(a, b, sig);
  gboolean ok = FALSE;
  g_signal_emit_by_name(a.transport, "restart-ice", &ok);
  fail_unless(ok);
  fail_unless(sig.negotiate());
  const int before = b.video;
  fail_unless(wait_until([&] { return b.video > before + 20; }, 15), "media stopped after the restart");
  fail_unless(a.profile() == "SRTP_AEAD_AES_256_GCM", "offerer: %s", a.profile().c_str());
  ck_assert_int_eq(testutil::connection_state(a.transport), 3);
}
GST_END_TEST;

// The SFU side may run ICE-lite: it only answers checks, the full-ICE
// offerer controls, and media flows the same.
GST_START_TEST(test_ice_lite_answerer)
{
  Side a(1000), b(2000, "ice-lite=true");
  PeerSignalling sig(a.transport, b.transport);
  connect_pair(a, b, sig);
  fail_unless(wait_until([&] { return a.video >= 10 && b.video >= 10; }, 15));
  GstStructure* s = testutil::stats_of(a.transport);
  gboolean controlling = FALSE;
  fail_unless(gst_structure_get_boolean(s, "ice-controlling", &controlling) && controlling);
  gst_structure_free(s);
}
GST_END_TEST;

// A STUN server that maps every request to 127.0.0.2 (a pretend NAT), on a
// thread of its own: with stun-server set, a server-reflexive candidate is
// gathered and trickled.
struct FakeStunServer {
  GSocket* sock;
  guint16 port;
  std::atomic<int> requests{ 0 };
  std::atomic<bool> stop{ false };
  GThread* thread;
  FakeStunServer()
  {
    sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, nullptr);
    GInetAddress* lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress* any = g_inet_socket_address_new(lo, 0);
    fail_unless(g_socket_bind(sock, any, FALSE, nullptr));
    g_object_unref(any);
    g_object_unref(lo);
    GSocketAddress* bound = g_socket_get_local_address(sock, nullptr);
    port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    g_object_unref(bound);
    g_socket_set_timeout(sock, 1);
    thread = g_thread_new("stun", run, this);
  }
  ~FakeStunServer()
  {
    stop = true;
    g_thread_join(thread);
    g_object_unref(sock);
  }
  static gpointer run(gpointer data)
  {
    auto* self = static_cast<FakeStunServer*>(data);
    guint8 buf[1500];
    while (!self->stop) {
      GSocketAddress* from = nullptr;
      const gssize n = g_socket_receive_from(self->sock, &from, reinterpret_cast<gchar*>(buf), sizeof buf, nullptr, nullptr);
      if (n < 20 || buf[0] != 0x00 || buf[1] != 0x01) {  // not a Binding request
        if (from)
          g_object_unref(from);
        continue;
      }
      self->requests++;
      const guint16 port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(from)) ^ 0x2112;
      // Binding success: the request's magic cookie and transaction ID, one
      // XOR-MAPPED-ADDRESS (RFC 8489 section 14.2) of 127.0.0.2.
      guint8 resp[32] = { 0x01, 0x01, 0x00, 12 };
      memcpy(resp + 4, buf + 4, 16);
      const guint8 attr[12] = { 0x00, 0x20, 0x00, 8, 0x00, 0x01, static_cast<guint8>(port >> 8), static_cast<guint8>(port),
                                127 ^ 0x21, 0 ^ 0x12, 0 ^ 0xA4, 2 ^ 0x42 };
      memcpy(resp + 20, attr, sizeof attr);
      g_socket_send_to(self->sock, from, reinterpret_cast<const gchar*>(resp), 32, nullptr, nullptr);
      g_object_unref(from);
    }
    return nullptr;
  }
};

GST_START_TEST(test_stun_server_gives_a_server_reflexive_candidate)
{
  FakeStunServer stun;
  GstElement* t = gst_element_factory_make("peertransport", nullptr);
  gchar* server = g_strdup_printf("127.0.0.1:%u", stun.port);
  g_object_set(t, "local-address", "127.0.0.1", "stun-server", server, nullptr);
  g_free(server);
  struct Seen {
    std::mutex lock;
    std::string lines;
  } seen;
  g_signal_connect(t, "on-local-candidate", G_CALLBACK(+[](GstElement*, guint, gchar* c, gpointer d) {
                     auto* s = static_cast<Seen*>(d);
                     std::lock_guard<std::mutex> g(s->lock);
                     s->lines += std::string(c) + "\n";
                   }),
                   &seen);
  fail_unless(gst_element_set_state(t, GST_STATE_READY) == GST_STATE_CHANGE_SUCCESS);
  fail_unless(wait_until([&] {
    std::lock_guard<std::mutex> g(seen.lock);
    return seen.lines.find("127.0.0.2") != std::string::npos && seen.lines.find("typ srflx") != std::string::npos;
  }, 10), "candidates: %s", seen.lines.c_str());
  fail_unless(stun.requests > 0);
  gst_element_set_state(t, GST_STATE_NULL);
  gst_object_unref(t);
}
GST_END_TEST;

// srtp-profiles narrows what is offered and accepted: both sides on
// AES-128-GCM agree on it; sides without a common profile fail the
// handshake and send nothing.
GST_START_TEST(test_srtp_profiles_decide_what_is_agreed)
{
  {
    Side a(1000, "srtp-profiles=aead-aes-128-gcm"), b(2000, "srtp-profiles=aead-aes-128-gcm,aes-128-cm-sha1-80");
    PeerSignalling sig(a.transport, b.transport);
    connect_pair(a, b, sig);
    fail_unless(a.profile() == "SRTP_AEAD_AES_128_GCM", "%s", a.profile().c_str());
    fail_unless(wait_until([&] { return a.video >= 5 && b.video >= 5; }, 15));
  }
  {
    Side a(1000, "srtp-profiles=aead-aes-256-gcm"), b(2000, "srtp-profiles=aes-128-cm-sha1-80");
    PeerSignalling sig(a.transport, b.transport);
    a.play();
    b.play();
    a.wait_for_caps();
    b.wait_for_caps();
    fail_unless(sig.negotiate());
    fail_unless(a.bus_message(GST_MESSAGE_ERROR, 15 * GST_SECOND) != "");
    fail_if(wait_for_state(b.transport, "connected", 1));
    ck_assert_uint_eq(stat(a.transport, "rtp-sent") + stat(b.transport, "rtp-sent"), 0);
  }
}
GST_END_TEST;

// Both sides made DTLS servers by a signalling path that rewrote a=setup:
// nobody sends a ClientHello, and the handshake fails at its timeout with an
// error instead of waiting for ever.
static std::string replace_setup(const std::string& sdp, const char* from, const char* to)
{
  std::string out = sdp;
  for (size_t at = 0; (at = out.find(from, at)) != std::string::npos; at += strlen(to))
    out.replace(at, strlen(from), to);
  return out;
}

GST_START_TEST(test_handshake_that_never_completes_times_out)
{
  Side a(1000, "handshake-timeout=1500"), b(2000, "handshake-timeout=1500");
  a.play();
  b.play();
  a.wait_for_caps();
  b.wait_for_caps();
  gchar* offer = nullptr;
  g_signal_emit_by_name(a.transport, "create-offer", &offer);
  fail_unless(offer != nullptr);
  gboolean ok = FALSE;
  const std::string forced = replace_setup(offer, "a=setup:actpass", "a=setup:active");  // b becomes the server
  g_free(offer);
  g_signal_emit_by_name(b.transport, "set-remote-description", forced.c_str(), &ok);
  fail_unless(ok);
  gchar* answer = nullptr;
  g_signal_emit_by_name(b.transport, "create-answer", &answer);
  fail_unless(answer != nullptr);
  const std::string back = replace_setup(answer, "a=setup:passive", "a=setup:active");  // and a too
  g_free(answer);
  g_signal_emit_by_name(a.transport, "set-remote-description", back.c_str(), &ok);
  fail_unless(ok);
  const gint64 start = g_get_monotonic_time();
  const std::string error = a.bus_message(GST_MESSAGE_ERROR, 10 * GST_SECOND);
  fail_unless(error.find("did not complete") != std::string::npos, "error: '%s'", error.c_str());
  const double after = static_cast<double>(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
  fail_unless(after < 5, "after %.1f s", after);
  fail_unless(wait_for_state(a.transport, "failed", 2));
  ck_assert_uint_eq(stat(a.transport, "rtp-sent") + stat(b.transport, "rtp-sent"), 0);
}
GST_END_TEST;

// A certificate loaded from a PEM file: its fingerprint is what the element
// announces, a peer checks it and connects; a file that is not a certificate
// and key, or no file, refuses the state change with a message saying so.
static std::string make_pem(std::string* fingerprint)
{
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("appliance"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  fail_unless(X509_sign(x, key, EVP_sha256()) > 0);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, x);
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  X509_digest(x, EVP_sha256(), md, &md_len);
  fingerprint->clear();
  for (unsigned int i = 0; i < md_len; i++) {
    char hex[4];
    snprintf(hex, sizeof hex, i ? ":%02X" : "%02X", md[i]);
    *fingerprint += hex;
  }
  BIO_free(bio);
  X509_free(x);
  EVP_PKEY_free(key);
  return pem;
}

static std::string write_temp(const std::string& text)
{
  gchar* path = nullptr;
  const int fd = g_file_open_tmp("peertransport-XXXXXX.pem", &path, nullptr);
  fail_unless(fd >= 0);
  close(fd);
  fail_unless(g_file_set_contents(path, text.data(), static_cast<gssize>(text.size()), nullptr));
  std::string p = path;
  g_free(path);
  return p;
}

GST_START_TEST(test_certificate_from_a_file)
{
  std::string expected;
  const std::string path = write_temp(make_pem(&expected));
  {
    const std::string props = "certificate-file=" + path;
    Side a(1000, props.c_str()), b(2000);
    gst_element_set_state(a.pipeline, GST_STATE_READY);
    gchar* fp = nullptr;
    g_object_get(a.transport, "local-fingerprint", &fp, nullptr);
    fail_unless(fp && expected == fp, "announces %s, the file's certificate is %s", fp, expected.c_str());
    g_free(fp);
    PeerSignalling sig(a.transport, b.transport);
    connect_pair(a, b, sig);
  }
  g_unlink(path.c_str());
  for (const char* bad : { "not a certificate", "" }) {
    const std::string garbage = write_temp(bad);
    GstElement* t = gst_element_factory_make("peertransport", nullptr);
    g_object_set(t, "certificate-file", garbage.c_str(), nullptr);
    GstBus* bus = gst_bus_new();
    gst_element_set_bus(t, bus);
    fail_unless(gst_element_set_state(t, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE);
    GstMessage* m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    fail_unless(m != nullptr);
    GError* e = nullptr;
    gst_message_parse_error(m, &e, nullptr);
    fail_unless(strstr(e->message, "certificate-file") != nullptr, "%s", e->message);
    g_error_free(e);
    gst_message_unref(m);
    gst_element_set_state(t, GST_STATE_NULL);
    gst_element_set_bus(t, nullptr);
    gst_object_unref(bus);
    gst_object_unref(t);
    g_unlink(garbage.c_str());
  }
}
GST_END_TEST;

static Suite* peertransport_suite()
{
  Suite* s = suite_create("peertransport");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 120);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_ours_agree_on_gcm_and_carry_media_both_ways);
  tcase_add_test(tc, test_wrong_fingerprint_fails_the_handshake);
  tcase_add_test(tc, test_vanished_peer_is_noticed_and_sending_stops);
  tcase_add_test(tc, test_quiet_peers_stay_connected);
  tcase_add_test(tc, test_unusable_descriptions_and_candidates_are_refused);
  tcase_add_test(tc, test_garbage_on_the_socket_is_dropped);
  tcase_add_test(tc, test_ice_restart_keeps_media_on_the_same_keys);
  tcase_add_test(tc, test_handshake_that_never_completes_times_out);
  tcase_add_test(tc, test_certificate_from_a_file);
  tcase_add_test(tc, test_ice_lite_answerer);
  tcase_add_test(tc, test_srtp_profiles_decide_what_is_agreed);
  tcase_add_test(tc, test_stun_server_gives_a_server_reflexive_candidate);
  return s;
}

GST_CHECK_MAIN(peertransport);
