// SPDX-License-Identifier: LGPL-2.1-or-later
// sfuforward with GstHarness, against docs/elements/sfuforward.md: who
// receives whom, payload bytes unchanged, caps for subscribers, simulcast
// under one SSRC with rewritten headers and untouched payloads, PLI from a
// subscriber reaching the publisher (RTCP and force-key-unit) throttled,
// subscription signals and property, remove-participant, and bad input
// counted and dropped.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/rtp/rtp.h>
#include <gst/video/video-event.h>

#include "fatal-log-domains.h"
#include "rtp-builder.h"
#include "sfu/forwarder.h"
#include "sfu/rtcp_packet.h"

using sfu_test::rtp;
using Bytes = std::vector<uint8_t>;

static const char kVp8Caps[] =
  "application/x-rtp, media=(string)video, clock-rate=(int)90000, encoding-name=(string)VP8, payload=(int)96";

static GstBuffer* to_buffer(const Bytes& b)
{
  return gst_buffer_new_memdup(b.data(), b.size());
}

static bool same_bytes(GstBuffer* buf, const Bytes& b)
{
  return gst_buffer_get_size(buf) == b.size() && gst_buffer_memcmp(buf, 0, b.data(), b.size()) == 0;
}

static Bytes bytes_of(GstBuffer* buf)
{
  Bytes b(gst_buffer_get_size(buf));
  gst_buffer_extract(buf, 0, b.data(), b.size());
  return b;
}

// One participant: a harness on its sink_N / src_N (and, with rtcp, a second
// one on rtcp_sink_N / rtcp_src_N), all on the same element.
struct Member {
  GstHarness* rtp = nullptr;
  GstHarness* rtcp = nullptr;
};

static Member join(GstElement* sfu, int n, bool with_rtcp = false)
{
  Member m;
  const std::string i = std::to_string(n);
  m.rtp = gst_harness_new_with_element(sfu, ("sink_" + i).c_str(), ("src_" + i).c_str());
  gst_harness_set_src_caps_str(m.rtp, kVp8Caps);
  if (with_rtcp) {
    m.rtcp = gst_harness_new_with_element(sfu, ("rtcp_sink_" + i).c_str(), ("rtcp_src_" + i).c_str());
    gst_harness_set_src_caps_str(m.rtcp, "application/x-rtcp");
  }
  return m;
}

static void leave(Member& m)
{
  if (m.rtcp)
    gst_harness_teardown(m.rtcp);
  gst_harness_teardown(m.rtp);
}

// The stats substructure of one participant, or none (caller frees).
static GstStructure* stats_of(GstElement* sfu, const char* who)
{
  GstStructure* s = nullptr;
  g_object_get(sfu, "stats", &s, nullptr);
  fail_unless(s != nullptr);
  GstStructure* p = nullptr;
  if (gst_structure_has_field_typed(s, who, GST_TYPE_STRUCTURE))
    gst_structure_get(s, who, GST_TYPE_STRUCTURE, &p, nullptr);
  gst_structure_free(s);
  return p;
}

static guint64 stat_u64(GstElement* sfu, const char* who, const char* field)
{
  GstStructure* p = stats_of(sfu, who);
  fail_unless(p != nullptr, "no stats for %s", who);
  guint64 v = 0;
  fail_unless(gst_structure_get_uint64(p, field, &v), "no %s in %s's stats", field, who);
  gst_structure_free(p);
  return v;
}

static guint64 drop_stat(GstElement* sfu, const char* who, const char* reason)
{
  GstStructure* p = stats_of(sfu, who);
  fail_unless(p != nullptr, "no stats for %s", who);
  GstStructure* drops = nullptr;
  fail_unless(gst_structure_get(p, "drops", GST_TYPE_STRUCTURE, &drops, nullptr));
  guint64 v = 0;
  fail_unless(gst_structure_get_uint64(drops, reason, &v), "no drop reason %s", reason);
  gst_structure_free(drops);
  gst_structure_free(p);
  return v;
}

static GstElement* new_sfu()
{
  GstElement* e = gst_element_factory_make("sfuforward", nullptr);
  fail_unless(e != nullptr);
  return e;
}

GST_START_TEST(test_everyone_but_the_sender_gets_the_same_bytes)
{
  GstElement* sfu = new_sfu();
  Member m[3] = { join(sfu, 0), join(sfu, 1), join(sfu, 2) };
  for (int sender = 0; sender < 3; sender++) {
    for (uint16_t seq = 1; seq <= 5; seq++) {
      // Opaque payload bytes, as SFrame ciphertext is to the SFU.
      const Bytes in = rtp(0x100 + sender, seq, seq * 3000u, {}, 200 + seq);
      fail_unless_equals_int(gst_harness_push(m[sender].rtp, to_buffer(in)), GST_FLOW_OK);
      for (int r = 0; r < 3; r++) {
        GstBuffer* out = gst_harness_try_pull(m[r].rtp);
        if (r == sender) {
          fail_unless(out == nullptr, "participant %d received its own packet", sender);
          continue;
        }
        fail_unless(out != nullptr, "participant %d got nothing from %d", r, sender);
        fail_unless(same_bytes(out, in), "bytes changed from %d to %d", sender, r);
        gst_buffer_unref(out);
      }
    }
  }
  // Subscribers see the publishers' common caps, without per-stream fields.
  GstCaps* caps = gst_pad_get_current_caps(m[1].rtp->sinkpad);
  fail_unless(caps != nullptr);
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  fail_unless_equals_string(gst_structure_get_string(s, "encoding-name"), "VP8");
  gst_caps_unref(caps);
  fail_unless_equals_uint64(stat_u64(sfu, "0", "packets-in"), 5);
  fail_unless_equals_uint64(stat_u64(sfu, "0", "packets-out"), 10);
  for (auto& x : m)
    leave(x);
  gst_object_unref(sfu);
}
GST_END_TEST;

// Two encodings by RID, frame marking on every packet, switched up and down
// while playing: the subscriber gets one SSRC, continuous sequence numbers,
// and each payload exactly as sent.
GST_START_TEST(test_simulcast_one_ssrc_payloads_untouched)
{
  GstElement* sfu = new_sfu();
  g_object_set(sfu, "rid-extension-id", 1u, "frame-marking-extension-id", 2u, nullptr);
  Member pub = join(sfu, 0), sub = join(sfu, 1);
  const uint32_t ssrc[2] = { 0xaaaa, 0xbbbb };
  const char* rids[2] = { "q", "h" };
  uint16_t seq[2] = { 10, 40000 };
  uint32_t ts[2] = { 0, 123456 };
  std::vector<uint16_t> out_seqs;
  guint32 out_ssrc = 0;
  for (int frame = 0; frame < 12; frame++) {
    if (frame == 6) {
      // Down to q while playing: h goes on until q's next key frame.
      gboolean ok = FALSE;
      g_signal_emit_by_name(sfu, "set-max-layer", "1", "0", 0, &ok);
      fail_unless(ok);
    }
    for (int layer = 0; layer < 2; layer++) {
      // Key frames: q at frames 0 and 8, h at frame 3.
      const bool key = (layer == 0 && (frame == 0 || frame == 8)) || (layer == 1 && frame == 3);
      const Bytes in = rtp(ssrc[layer], seq[layer]++, ts[layer],
                           { sfu_test::rid(1, rids[layer]), sfu_test::marking(2, true, true, key) }, 150);
      ts[layer] += 3000;
      gst_harness_push(pub.rtp, to_buffer(in));
      while (GstBuffer* out = gst_harness_try_pull(sub.rtp)) {
        GstRTPBuffer r = GST_RTP_BUFFER_INIT;
        fail_unless(gst_rtp_buffer_map(out, GST_MAP_READ, &r));
        if (!out_ssrc)
          out_ssrc = gst_rtp_buffer_get_ssrc(&r);
        fail_unless_equals_int(gst_rtp_buffer_get_ssrc(&r), out_ssrc);
        out_seqs.push_back(gst_rtp_buffer_get_seq(&r));
        // Everything after the fixed header (extensions, payload) as sent.
        const Bytes got = bytes_of(out);
        fail_unless(Bytes(got.begin() + 12, got.end()) == Bytes(in.begin() + 12, in.end()));
        gst_rtp_buffer_unmap(&r);
        gst_buffer_unref(out);
      }
    }
  }
  // q from frame 0 until h's key frame in frame 3 (q's packet of frame 3
  // comes first), then h until q's key frame in frame 8, then q:
  // 4 + 5 + 4 packets.
  fail_unless_equals_int(out_seqs.size(), 13);
  for (size_t i = 1; i < out_seqs.size(); i++)
    fail_unless_equals_int(static_cast<uint16_t>(out_seqs[i - 1] + 1), out_seqs[i]);
  GstStructure* st = stats_of(sfu, "1");
  GstStructure* layers = nullptr;
  fail_unless(gst_structure_get(st, "current-layer", GST_TYPE_STRUCTURE, &layers, nullptr));
  gint layer = -1;
  fail_unless(gst_structure_get_int(layers, "0", &layer));
  fail_unless_equals_int(layer, 0);
  gst_structure_free(layers);
  gst_structure_free(st);
  leave(pub);
  leave(sub);
  gst_object_unref(sfu);
}
GST_END_TEST;

// 20 PLIs from a subscriber within the interval: one PLI on the publisher's
// rtcp_src for its own SSRC, and one force-key-unit event upstream of its
// sink pad.
GST_START_TEST(test_pli_reaches_publisher_once)
{
  GstElement* sfu = new_sfu();
  Member pub = join(sfu, 0, true), sub = join(sfu, 1, true);
  gst_harness_push(pub.rtp, to_buffer(rtp(0x5151, 1, 0)));
  gst_buffer_unref(gst_harness_pull(sub.rtp));
  const Bytes pli = gste2ee::sfu::build_pli(0x1234, 0x5151);
  for (int i = 0; i < 20; i++)
    fail_unless_equals_int(gst_harness_push(sub.rtcp, to_buffer(pli)), GST_FLOW_OK);
  GstBuffer* out = gst_harness_try_pull(pub.rtcp);
  fail_unless(out != nullptr, "no PLI reached the publisher");
  GstRTCPBuffer r = GST_RTCP_BUFFER_INIT;
  fail_unless(gst_rtcp_buffer_map(out, GST_MAP_READ, &r));
  GstRTCPPacket packet;
  fail_unless(gst_rtcp_buffer_get_first_packet(&r, &packet));
  fail_unless_equals_int(gst_rtcp_packet_get_type(&packet), GST_RTCP_TYPE_PSFB);
  fail_unless_equals_int(gst_rtcp_packet_fb_get_type(&packet), GST_RTCP_PSFB_TYPE_PLI);
  fail_unless_equals_int(gst_rtcp_packet_fb_get_media_ssrc(&packet), 0x5151);
  gst_rtcp_buffer_unmap(&r);
  gst_buffer_unref(out);
  fail_unless(gst_harness_try_pull(pub.rtcp) == nullptr, "PLIs were not merged");
  // The upstream event on the publisher's sink pad (after the harness's own
  // stream-start, caps and segment travel the other way).
  int key_units = 0;
  while (GstEvent* ev = gst_harness_try_pull_upstream_event(pub.rtp)) {
    if (gst_video_event_is_force_key_unit(ev))
      key_units++;
    gst_event_unref(ev);
  }
  fail_unless_equals_int(key_units, 1);
  fail_unless_equals_uint64(stat_u64(sfu, "1", "keyframe-requests-received"), 20);
  leave(pub);
  leave(sub);
  gst_object_unref(sfu);
}
GST_END_TEST;

GST_START_TEST(test_subscription_signals_and_property)
{
  GstElement* sfu = new_sfu();
  Member a = join(sfu, 0), b = join(sfu, 1), c = join(sfu, 2);
  gboolean ok = FALSE;
  g_signal_emit_by_name(sfu, "unsubscribe", "1", "0", &ok);
  fail_unless(ok);
  gst_harness_push(a.rtp, to_buffer(rtp(7, 1, 0)));
  fail_unless(gst_harness_try_pull(b.rtp) == nullptr, "an unsubscribed participant got media");
  gst_buffer_unref(gst_harness_pull(c.rtp));

  GstStructure* subs = nullptr;
  g_object_get(sfu, "subscriptions", &subs, nullptr);
  const GValue* of_b = gst_structure_get_value(subs, "1");
  fail_unless(of_b != nullptr);
  const GValue* b_to_a = gst_structure_get_value(gst_value_get_structure(of_b), "0");
  fail_unless(b_to_a != nullptr);
  gboolean subscribed = TRUE;
  fail_unless(gst_structure_get_boolean(gst_value_get_structure(b_to_a), "subscribed", &subscribed));
  fail_if(subscribed);
  gst_structure_free(subs);

  // Back through the property, in its documented form.
  GstStructure* set = gst_structure_from_string(
    "subscriptions, 1=(structure)\"subscriber, 0=(structure)\\\"subscription, subscribed=(boolean)true\\\";\";",
    nullptr);
  fail_unless(set != nullptr);
  g_object_set(sfu, "subscriptions", set, nullptr);
  gst_structure_free(set);
  gst_harness_push(a.rtp, to_buffer(rtp(7, 2, 0)));
  GstBuffer* out = gst_harness_try_pull(b.rtp);
  fail_unless(out != nullptr, "resubscribing through the property did not take");
  gst_buffer_unref(out);
  gst_buffer_unref(gst_harness_pull(c.rtp));

  // Nobody subscribes to itself; unknown max layers are refused.
  g_signal_emit_by_name(sfu, "subscribe", "1", "1", &ok);
  fail_if(ok);
  g_signal_emit_by_name(sfu, "set-max-layer", "1", "0", -1, &ok);
  fail_if(ok);
  g_signal_emit_by_name(sfu, "set-simulcast-group", "0", "12,not-an-ssrc", &ok);
  fail_if(ok);
  leave(a);
  leave(b);
  leave(c);
  gst_object_unref(sfu);
}
GST_END_TEST;

// remove-participant releases its pads at once; nothing flows to or from it.
GST_START_TEST(test_remove_participant)
{
  GstElement* sfu = new_sfu();
  Member a = join(sfu, 0), c = join(sfu, 2);
  // Participant "1" on pads without a harness (released under it otherwise).
  GstPad* b_sink = gst_element_request_pad_simple(sfu, "sink_1");
  GstPad* b_src = gst_element_request_pad_simple(sfu, "src_1");
  fail_unless(b_sink && b_src);
  gst_object_unref(b_sink);
  gst_object_unref(b_src);
  gst_harness_push(a.rtp, to_buffer(rtp(7, 1, 0)));
  gst_buffer_unref(gst_harness_pull(c.rtp));
  fail_unless_equals_uint64(stat_u64(sfu, "0", "packets-out"), 0);
  fail_unless_equals_uint64(stat_u64(sfu, "1", "packets-out"), 1);

  gboolean ok = FALSE;
  g_signal_emit_by_name(sfu, "remove-participant", "1", &ok);
  fail_unless(ok);
  for (const char* name : { "sink_1", "src_1" }) {
    GstPad* p = gst_element_get_static_pad(sfu, name);
    fail_unless(p == nullptr, "%s still exists", name);
  }
  GstStructure* gone = stats_of(sfu, "1");
  fail_unless(gone == nullptr, "a removed participant still has stats");
  gst_harness_push(a.rtp, to_buffer(rtp(7, 2, 0)));
  gst_buffer_unref(gst_harness_pull(c.rtp));
  g_signal_emit_by_name(sfu, "remove-participant", "1", &ok);
  fail_if(ok);
  leave(a);
  leave(c);
  gst_object_unref(sfu);
}
GST_END_TEST;

GST_START_TEST(test_bad_input_counted_and_dropped)
{
  GstElement* sfu = new_sfu();
  Member a = join(sfu, 0, true), b = join(sfu, 1, true);
  const Bytes good = rtp(9, 1, 0);
  const std::vector<std::pair<Bytes, const char*>> bad = {
    { { 0x80, 0x60, 0x00 }, "truncated" },
    { Bytes(good.begin(), good.begin() + 11), "truncated" },
    { { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8 }, "not-rtp" },
    { Bytes(64, 0xff), "not-rtp" },
  };
  for (const auto& [bytes, reason] : bad) {
    fail_unless_equals_int(gst_harness_push(a.rtp, to_buffer(bytes)), GST_FLOW_OK);
    fail_unless(gst_harness_try_pull(b.rtp) == nullptr, "forwarded a bad packet (%s)", reason);
  }
  fail_unless_equals_uint64(drop_stat(sfu, "0", "truncated"), 2);
  fail_unless_equals_uint64(drop_stat(sfu, "0", "not-rtp"), 2);
  // An RTCP compound whose length lies, and a PLI for an SSRC nobody sends.
  Bytes lying = gste2ee::sfu::build_pli(1, 9);
  lying[3] = 40;
  gst_harness_push(b.rtcp, to_buffer(lying));
  gst_harness_push(b.rtcp, to_buffer(gste2ee::sfu::build_pli(1, 0xdead)));
  fail_unless(gst_harness_try_pull(a.rtcp) == nullptr);
  fail_unless_equals_uint64(drop_stat(sfu, "1", "rtcp-bad-length"), 1);
  fail_unless_equals_uint64(drop_stat(sfu, "1", "unknown-ssrc"), 1);
  // Good input still flows.
  gst_harness_push(a.rtp, to_buffer(good));
  GstBuffer* out = gst_harness_pull(b.rtp);
  fail_unless(same_bytes(out, good));
  gst_buffer_unref(out);
  leave(a);
  leave(b);
  gst_object_unref(sfu);
}
GST_END_TEST;

// EOS leaves only when every publisher has ended.
GST_START_TEST(test_eos_after_all_publishers)
{
  GstElement* sfu = new_sfu();
  Member a = join(sfu, 0), b = join(sfu, 1);
  gst_harness_push_event(a.rtp, gst_event_new_eos());
  bool eos = false;
  while (GstEvent* ev = gst_harness_try_pull_event(b.rtp)) {
    eos = eos || GST_EVENT_TYPE(ev) == GST_EVENT_EOS;
    gst_event_unref(ev);
  }
  fail_if(eos, "EOS while a publisher still sends");
  gst_harness_push(b.rtp, to_buffer(rtp(5, 1, 0)));
  gst_buffer_unref(gst_harness_pull(a.rtp));
  gst_harness_push_event(b.rtp, gst_event_new_eos());
  while (GstEvent* ev = gst_harness_try_pull_event(b.rtp)) {
    eos = eos || GST_EVENT_TYPE(ev) == GST_EVENT_EOS;
    gst_event_unref(ev);
  }
  fail_unless(eos, "no EOS after every publisher ended");
  leave(a);
  leave(b);
  gst_object_unref(sfu);
}
GST_END_TEST;

// A subscriber that negotiated RTX NACKs a packet it lost: it receives an
// RFC 4588 packet with the RTX payload type and SSRC, the original sequence
// number first, then the original payload byte for byte.
GST_START_TEST(test_nack_answered_with_rtx)
{
  GstElement* sfu = new_sfu();
  Member pub = join(sfu, 0, true), sub = join(sfu, 1, true);
  gboolean ok = FALSE;
  g_signal_emit_by_name(sfu, "set-rtx", "1", "96:97", &ok);
  fail_unless(ok);
  g_signal_emit_by_name(sfu, "set-rtx", "1", "96:nope", &ok);
  fail_if(ok);
  std::vector<Bytes> sent;
  for (guint16 seq = 500; seq < 510; seq++) {
    sent.push_back(rtp(0x7777, seq, seq * 90u, {}, 300));
    gst_harness_push(pub.rtp, to_buffer(sent.back()));
    gst_buffer_unref(gst_harness_pull(sub.rtp));
  }
  gst_harness_push(sub.rtcp, to_buffer(gste2ee::sfu::build_nack(0x1111, 0x7777, { 503 })));
  GstBuffer* out = gst_harness_try_pull(sub.rtp);
  fail_unless(out != nullptr, "no RTX packet");
  GstRTPBuffer r = GST_RTP_BUFFER_INIT;
  fail_unless(gst_rtp_buffer_map(out, GST_MAP_READ, &r));
  fail_unless_equals_int(gst_rtp_buffer_get_payload_type(&r), 97);
  fail_unless_equals_int(gst_rtp_buffer_get_ssrc(&r), 0x7777 ^ gste2ee::sfu::kRtxSsrcXor);
  fail_unless_equals_int(gst_rtp_buffer_get_timestamp(&r), 503 * 90);
  const guint8* payload = static_cast<const guint8*>(gst_rtp_buffer_get_payload(&r));
  fail_unless_equals_int(gst_rtp_buffer_get_payload_len(&r), 2 + 300);
  fail_unless_equals_int(payload[0] << 8 | payload[1], 503);
  fail_unless(memcmp(payload + 2, sent[3].data() + 12, 300) == 0, "RTX changed the payload");
  gst_rtp_buffer_unmap(&r);
  gst_buffer_unref(out);
  fail_unless(gst_harness_try_pull(pub.rtcp) == nullptr, "an answered NACK also went to the publisher");
  fail_unless_equals_uint64(stat_u64(sfu, "1", "nacks-served"), 1);
  leave(pub);
  leave(sub);
  gst_object_unref(sfu);
}
GST_END_TEST;

// Sender reports go from the publisher's rtcp_sink to the subscribers'
// rtcp_src, receiver reports the other way, each in the receiver's SSRCs.
GST_START_TEST(test_reports_cross_the_sfu)
{
  GstElement* sfu = new_sfu();
  Member pub = join(sfu, 0, true), sub = join(sfu, 1, true);
  gboolean ok = FALSE;
  g_signal_emit_by_name(sfu, "set-simulcast-group", "0", "0x100,0x200", &ok);
  fail_unless(ok);
  for (guint16 seq = 1; seq <= 3; seq++) {
    gst_harness_push(pub.rtp, to_buffer(rtp(0x200, seq, 1000)));
    gst_buffer_unref(gst_harness_pull(sub.rtp));
  }
  gst_harness_push(pub.rtcp, to_buffer(gste2ee::sfu::build_sr({ 0x200, 42, 1000, 3, 300 })));
  GstBuffer* out = gst_harness_try_pull(sub.rtcp);
  fail_unless(out != nullptr, "no sender report reached the subscriber");
  GstRTCPBuffer r = GST_RTCP_BUFFER_INIT;
  fail_unless(gst_rtcp_buffer_map(out, GST_MAP_READ, &r));
  GstRTCPPacket packet;
  fail_unless(gst_rtcp_buffer_get_first_packet(&r, &packet));
  fail_unless_equals_int(gst_rtcp_packet_get_type(&packet), GST_RTCP_TYPE_SR);
  guint32 ssrc, rtptime, packets, octets;
  guint64 ntp;
  gst_rtcp_packet_sr_get_sender_info(&packet, &ssrc, &ntp, &rtptime, &packets, &octets);
  fail_unless_equals_int(ssrc, 0x100);  // what the subscriber knows the stream as
  fail_unless_equals_int(packets, 3);
  gst_rtcp_buffer_unmap(&r);
  gst_buffer_unref(out);

  gst_harness_push(sub.rtcp, to_buffer(gste2ee::sfu::build_rr(0x999, { { 0x999, 0x100, 0, 0, 3, 0, 0, 0 } })));
  out = gst_harness_try_pull(pub.rtcp);
  fail_unless(out != nullptr, "no receiver report reached the publisher");
  fail_unless(gst_rtcp_buffer_map(out, GST_MAP_READ, &r));
  fail_unless(gst_rtcp_buffer_get_first_packet(&r, &packet));
  fail_unless_equals_int(gst_rtcp_packet_get_type(&packet), GST_RTCP_TYPE_RR);
  fail_unless_equals_int(gst_rtcp_packet_get_rb_count(&packet), 1);
  guint8 fraction;
  gint32 lost;
  guint32 seqnum, jitter, lsr, dlsr;
  gst_rtcp_packet_get_rb(&packet, 0, &ssrc, &fraction, &lost, &seqnum, &jitter, &lsr, &dlsr);
  fail_unless_equals_int(ssrc, 0x200);  // the publisher's own SSRC
  gst_rtcp_buffer_unmap(&r);
  gst_buffer_unref(out);
  leave(pub);
  leave(sub);
  gst_object_unref(sfu);
}
GST_END_TEST;

static void on_speaker(GstElement*, const gchar* who, gpointer data)
{
  static_cast<std::vector<std::string>*>(data)->push_back(who ? who : "(none)");
}

// Audio levels move the floor: the signal names the new speaker, the
// property follows, and with last-n = 1 the third participant's video comes
// from the speaker only.
GST_START_TEST(test_dominant_speaker_and_last_n)
{
  GstElement* sfu = new_sfu();
  g_object_set(sfu, "audio-level-extension-id", 4u, "last-n", 1u, nullptr);
  std::vector<std::string> changes;
  g_signal_connect(sfu, "dominant-speaker-changed", G_CALLBACK(on_speaker), &changes);
  Member a = join(sfu, 0), b = join(sfu, 1), viewer = join(sfu, 2);
  gst_harness_push(a.rtp, to_buffer(rtp(0xa1, 1, 0)));
  GstBuffer* out = gst_harness_try_pull(viewer.rtp);
  fail_unless(out != nullptr, "the first to arrive is in the last 1");
  gst_buffer_unref(out);
  gst_harness_push(b.rtp, to_buffer(rtp(0xb1, 1, 0)));
  fail_unless(gst_harness_try_pull(viewer.rtp) == nullptr, "video from outside the last 1");
  // b speaks at -20 dBov for a second (packets 20 ms apart in real time).
  for (guint16 i = 0; i < 50 && changes.empty(); i++) {
    gst_harness_push(b.rtp, to_buffer(rtp(0xb0, i + 1, i * 960u, { sfu_test::audio_level(4, 20) })));
    GstBuffer* audio = gst_harness_try_pull(viewer.rtp);
    fail_unless(audio != nullptr, "audio is never cut");
    gst_buffer_unref(audio);
    g_usleep(20000);
  }
  fail_unless_equals_int(changes.size(), 1);
  fail_unless_equals_string(changes[0].c_str(), "1");
  gchar* speaker = nullptr;
  g_object_get(sfu, "dominant-speaker", &speaker, nullptr);
  fail_unless_equals_string(speaker, "1");
  g_free(speaker);
  gst_harness_push(b.rtp, to_buffer(rtp(0xb1, 2, 3000)));
  out = gst_harness_try_pull(viewer.rtp);
  fail_unless(out != nullptr, "the speaker's video does not reach the viewer");
  gst_buffer_unref(out);
  gst_harness_push(a.rtp, to_buffer(rtp(0xa1, 2, 3000)));
  fail_unless(gst_harness_try_pull(viewer.rtp) == nullptr, "video from a participant who lost the floor");
  leave(a);
  leave(b);
  leave(viewer);
  gst_object_unref(sfu);
}
GST_END_TEST;

// gst-launch lines name participants through the element's child proxy.
GST_START_TEST(test_participant_named_in_launch_line)
{
  GError* err = nullptr;
  GstElement* p = gst_parse_launch("sfuforward name=sfu sink_0::participant=alice src_1::participant=bob "
                                   "fakesrc num-buffers=0 ! application/x-rtp ! sfu.sink_0  sfu.src_1 ! fakesink",
                                   &err);
  fail_unless(p != nullptr && err == nullptr, "%s", err ? err->message : "");
  GstElement* sfu = gst_bin_get_by_name(GST_BIN(p), "sfu");
  for (auto [pad_name, who] : { std::pair{ "sink_0", "alice" }, std::pair{ "src_1", "bob" } }) {
    GstPad* pad = gst_element_get_static_pad(sfu, pad_name);
    fail_unless(pad != nullptr);
    gchar* name = nullptr;
    g_object_get(pad, "participant", &name, nullptr);
    fail_unless_equals_string(name, who);
    g_free(name);
    gst_object_unref(pad);
    GstStructure* st = stats_of(sfu, who);
    fail_unless(st != nullptr, "no participant %s", who);
    gst_structure_free(st);
  }
  gst_object_unref(sfu);
  gst_object_unref(p);
}
GST_END_TEST;

// Two publishers' threads push to the same subscriber pad at once: pushes
// on one GstPad must take turns (a pad's sticky events and flow state are
// not guarded against two pushing threads; funnel serializes the same way),
// so a probe on that pad never sees two at a time, and every packet
// arrives. (CI once saw a glibc double free in the three-publisher launch
// test; this was the unserialized concurrency found on that path.)
struct Overlap {
  std::atomic<int> inside{ 0 }, most{ 0 };
};

static GstPadProbeReturn count_overlap(GstPad*, GstPadProbeInfo*, gpointer data)
{
  auto* o = static_cast<Overlap*>(data);
  const int now = ++o->inside;
  int most = o->most;
  while (now > most && !o->most.compare_exchange_weak(most, now)) {
  }
  const gint64 until = g_get_monotonic_time() + 20;  // long enough to be caught inside
  while (g_get_monotonic_time() < until) {
  }
  --o->inside;
  return GST_PAD_PROBE_OK;
}

GST_START_TEST(test_pushes_to_one_subscriber_take_turns)
{
  GstElement* sfu = new_sfu();
  Member m[3] = { join(sfu, 0), join(sfu, 1), join(sfu, 2) };
  Overlap overlap;
  GstPad* src = gst_element_get_static_pad(sfu, "src_2");
  gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER, count_overlap, &overlap, nullptr);
  gst_object_unref(src);
  constexpr int kPackets = 2000;
  std::vector<std::thread> threads;
  for (int sender = 0; sender < 2; sender++)
    threads.emplace_back([&, sender] {
      for (uint16_t seq = 1; seq <= kPackets; seq++)
        gst_harness_push(m[sender].rtp, to_buffer(rtp(0x100 + sender, seq, seq * 3000u, {}, 100)));
    });
  for (auto& t : threads)
    t.join();
  ck_assert_int_eq(overlap.most.load(), 1);
  ck_assert_uint_eq(gst_harness_buffers_received(m[2].rtp), 2 * kPackets);
  for (auto& x : m)
    leave(x);
  gst_object_unref(sfu);
}
GST_END_TEST;

static Suite* sfuforward_suite()
{
  Suite* s = suite_create("sfuforward");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_everyone_but_the_sender_gets_the_same_bytes);
  tcase_add_test(tc, test_simulcast_one_ssrc_payloads_untouched);
  tcase_add_test(tc, test_pli_reaches_publisher_once);
  tcase_add_test(tc, test_subscription_signals_and_property);
  tcase_add_test(tc, test_remove_participant);
  tcase_add_test(tc, test_bad_input_counted_and_dropped);
  tcase_add_test(tc, test_eos_after_all_publishers);
  tcase_add_test(tc, test_dominant_speaker_and_last_n);
  tcase_add_test(tc, test_nack_answered_with_rtx);
  tcase_add_test(tc, test_reports_cross_the_sfu);
  tcase_add_test(tc, test_participant_named_in_launch_line);
  tcase_add_test(tc, test_pushes_to_one_subscriber_take_turns);
  return s;
}

GST_CHECK_MAIN(sfuforward);
