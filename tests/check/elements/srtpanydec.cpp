// SPDX-License-Identifier: LGPL-2.1-or-later
// srtpanydec against GStreamer's own srtpenc (libsrtp2 driven by another
// implementation): every profile, two SSRCs through one key with no per-SSRC
// set-up, every packet decrypted and nothing dropped; then with GstHarness,
// each refusal counted (no key, not SRTP, tampered, replayed), and a rekey.
#include <set>
#include <string>
#include <vector>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/rtp/rtp.h>

#include "element-stats.h"
#include "fatal-log-domains.h"
#include "play-to-eos.h"
#include "transport/srtp_session.h"

namespace t = gste2ee::transport;
using Bytes = std::vector<uint8_t>;

static std::string hex_key(size_t bytes)
{
  std::string h;
  char b[3];
  for (size_t i = 0; i < bytes; i++) {
    snprintf(b, sizeof b, "%02x", static_cast<unsigned>((i * 37 + 11) & 0xff));
    h += b;
  }
  return h;
}

static void on_packet(GstElement*, GstBuffer* buf, GstPad*, gpointer data)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (gst_rtp_buffer_map(buf, GST_MAP_READ, &rtp)) {
    static_cast<std::set<guint32>*>(data)->insert(gst_rtp_buffer_get_ssrc(&rtp));
    gst_rtp_buffer_unmap(&rtp);
  }
}

GST_START_TEST(test_decrypts_srtpenc_every_profile_two_ssrcs)
{
  struct Case {
    const char* profile;
    const char* cipher;
    const char* auth;
    size_t key_bytes;
  } cases[] = {
    { "aead-aes-128-gcm", "aes-128-gcm", "null", 28 },
    { "aead-aes-256-gcm", "aes-256-gcm", "null", 44 },
    { "aes-128-cm-sha1-80", "aes-128-icm", "hmac-sha1-80", 30 },
    { "aes-128-cm-sha1-32", "aes-128-icm", "hmac-sha1-32", 30 },
  };
  for (const auto& c : cases) {
    const std::string key = hex_key(c.key_bytes);
    // RFC 5764: the 32-bit tag profile keeps 80-bit SRTCP tags.
    const std::string desc =
      std::string("srtpenc name=enc key=") + key + " rtp-cipher=" + c.cipher + " rtp-auth=" + c.auth +
      " rtcp-cipher=" + c.cipher + " rtcp-auth=" + (std::string(c.auth) == "hmac-sha1-32" ? "hmac-sha1-80" : c.auth) +
      " videotestsrc num-buffers=20 ! video/x-raw,width=160,height=120 ! vp8enc deadline=1 ! rtpvp8pay ssrc=1111 "
      "! enc.rtp_sink_0 "
      " videotestsrc num-buffers=20 pattern=ball ! video/x-raw,width=160,height=120 ! vp8enc deadline=1 "
      "! rtpvp8pay ssrc=2222 ! enc.rtp_sink_1 "
      " enc.rtp_src_0 ! funnel name=f  enc.rtp_src_1 ! f. "
      " f. ! srtpanydec name=dec profile=" + c.profile + " key=" + key +
      " ! fakesink name=out signal-handoffs=true";
    GError* err = nullptr;
    GstElement* p = gst_parse_launch(desc.c_str(), &err);
    fail_unless(p != nullptr && err == nullptr, "%s: %s", c.profile, err ? err->message : "");
    GstElement* dec = gst_bin_get_by_name(GST_BIN(p), "dec");
    GstElement* out = gst_bin_get_by_name(GST_BIN(p), "out");
    std::set<guint32> ssrcs;
    g_signal_connect(out, "handoff", G_CALLBACK(on_packet), &ssrcs);
    const std::string error = testutil::play_to_eos(p, 30 * GST_SECOND);
    fail_unless(error.empty(), "%s: %s", c.profile, error.c_str());
    fail_unless_equals_int(ssrcs.size(), 2);
    fail_unless(testutil::stat(dec, "rtp-decrypted") >= 40, "%s: only %" G_GUINT64_FORMAT " packets", c.profile,
                testutil::stat(dec, "rtp-decrypted"));
    for (const char* d : { "dropped-authentication", "dropped-replay", "dropped-other", "dropped-no-key",
                           "dropped-not-srtp" })
      fail_unless_equals_uint64(testutil::stat(dec, d), 0);
    gst_object_unref(out);
    gst_object_unref(dec);
    gst_object_unref(p);
  }
}
GST_END_TEST;

// SRTP made with our own core, fed by hand.
static Bytes protect(t::SrtpSession& s, uint32_t ssrc, uint16_t seq)
{
  Bytes p{ 0x80, 96, static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq), 0, 0, 0, 1,
           static_cast<uint8_t>(ssrc >> 24), static_cast<uint8_t>(ssrc >> 16), static_cast<uint8_t>(ssrc >> 8),
           static_cast<uint8_t>(ssrc), 'p', 'a', 'y', 'l', 'o', 'a', 'd' };
  const size_t clear = p.size();
  p.resize(clear + t::SrtpSession::kMaxTrailer);
  size_t n = clear;
  fail_unless(s.protect_rtp(p.data(), &n, p.size()));
  p.resize(n);
  return p;
}

static std::unique_ptr<t::SrtpSession> sender(const std::string& hex)
{
  Bytes k(hex.size() / 2);
  for (size_t i = 0; i < k.size(); i++)
    k[i] = static_cast<uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  std::string error;
  return t::SrtpSession::create(t::SrtpProfile::AeadAes128Gcm, t::SrtpSession::Direction::Outbound, k.data(),
                                k.size(), &error);
}

GST_START_TEST(test_refusals_counted_and_rekey)
{
  GstHarness* h = gst_harness_new_with_padnames("srtpanydec", "rtp_sink", "rtp_src");
  gst_harness_set_src_caps_str(h, "application/x-srtp, media=video, clock-rate=90000, encoding-name=VP8");
  const std::string key = hex_key(28), other = hex_key(28).replace(0, 2, "ff");
  auto tx = sender(key);
  // No key yet: dropped, counted, and said once.
  const Bytes early = protect(*tx, 5, 1);
  gst_harness_push(h, gst_buffer_new_memdup(early.data(), early.size()));
  fail_unless(gst_harness_try_pull(h) == nullptr);
  fail_unless_equals_uint64(testutil::stat(h->element, "dropped-no-key"), 1);
  g_object_set(h->element, "key", key.c_str(), nullptr);
  const Bytes good = protect(*tx, 5, 3);
  gst_harness_push(h, gst_buffer_new_memdup(good.data(), good.size()));
  GstBuffer* out = gst_harness_pull(h);
  fail_unless_equals_int(gst_buffer_get_size(out), 19);
  fail_unless(gst_buffer_memcmp(out, 12, "payload", 7) == 0);
  gst_buffer_unref(out);
  GstCaps* caps = gst_pad_get_current_caps(h->sinkpad);
  fail_unless(gst_structure_has_name(gst_caps_get_structure(caps, 0), "application/x-rtp"));
  gst_caps_unref(caps);
  // The same packet again, a tampered one, a STUN message: all refused.
  gst_harness_push(h, gst_buffer_new_memdup(good.data(), good.size()));
  Bytes bad = protect(*tx, 5, 4);
  bad[14] ^= 0x40;
  gst_harness_push(h, gst_buffer_new_memdup(bad.data(), bad.size()));
  const guint8 stun[20] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42 };
  gst_harness_push(h, gst_buffer_new_memdup(stun, sizeof stun));
  fail_unless(gst_harness_try_pull(h) == nullptr, "a refused packet came out");
  fail_unless_equals_uint64(testutil::stat(h->element, "dropped-replay"), 1);
  fail_unless_equals_uint64(testutil::stat(h->element, "dropped-authentication"), 1);
  fail_unless_equals_uint64(testutil::stat(h->element, "dropped-not-srtp"), 1);
  // A new SSRC needs nothing.
  const Bytes second = protect(*tx, 6, 1);
  gst_harness_push(h, gst_buffer_new_memdup(second.data(), second.size()));
  gst_buffer_unref(gst_harness_pull(h));
  // Rekey: the old key's packets fail, the new key's pass.
  g_object_set(h->element, "key", other.c_str(), nullptr);
  const Bytes stale = protect(*tx, 5, 5);
  gst_harness_push(h, gst_buffer_new_memdup(stale.data(), stale.size()));
  fail_unless(gst_harness_try_pull(h) == nullptr);
  auto tx2 = sender(other);
  const Bytes fresh = protect(*tx2, 5, 6);
  gst_harness_push(h, gst_buffer_new_memdup(fresh.data(), fresh.size()));
  gst_buffer_unref(gst_harness_pull(h));
  gst_harness_teardown(h);
}
GST_END_TEST;

static Suite* srtpanydec_suite()
{
  Suite* s = suite_create("srtpanydec");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 120);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_decrypts_srtpenc_every_profile_two_ssrcs);
  tcase_add_test(tc, test_refusals_counted_and_rekey);
  return s;
}

GST_CHECK_MAIN(srtpanydec);
