// SPDX-License-Identifier: LGPL-2.1-or-later
// rtpsframepay / rtpsframedepay (draft-ietf-avtcore-rtp-sframe-02): the
// payloader splits a frame under the MTU with S on the first packet, E on
// the last, T = 0, the marker on a video frame's last packet, the codec's
// encoding-name and a-sframe in the caps, and refuses frames whose codec it
// cannot name; the depayloader puts frames back together whatever the packet
// order the RTP base class lets through (in order, across the sequence
// number wrap; reordering is the core test's), restores the codec's caps for
// sframedec, and drops and counts lost, duplicated, mixed and per-packet
// (T = 1) frames, asking upstream for a key unit once a frame is lost.
#include <algorithm>
#include <vector>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/rtp/rtp.h>
#include <gst/video/video-event.h>

#include "fatal-log-domains.h"

namespace {

constexpr const char* kVp8Frames = "application/x-sframe, original-caps=(string)\"video/x-vp8, width=(int)320, "
                                   "height=(int)240, framerate=(fraction)30/1\"";

std::vector<guint8> pattern(size_t n, guint8 seed)
{
  std::vector<guint8> v(n);
  for (size_t i = 0; i < n; i++)
    v[i] = static_cast<guint8>(i * 7 + seed);
  return v;
}

GstBuffer* buffer_of(const std::vector<guint8>& v)
{
  return gst_buffer_new_memdup(v.data(), v.size());
}

std::vector<guint8> payload_of(GstBuffer* b, guint8* descriptor, gboolean* marker)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  fail_unless(gst_rtp_buffer_map(b, GST_MAP_READ, &rtp));
  const guint8* p = static_cast<const guint8*>(gst_rtp_buffer_get_payload(&rtp));
  const guint n = gst_rtp_buffer_get_payload_len(&rtp);
  fail_unless(n >= 1);
  *descriptor = p[0];
  *marker = gst_rtp_buffer_get_marker(&rtp);
  std::vector<guint8> out(p + 1, p + n);
  gst_rtp_buffer_unmap(&rtp);
  return out;
}

GstHarness* payloader(const char* caps, guint mtu)
{
  GstHarness* h = gst_harness_new("rtpsframepay");
  g_object_set(h->element, "mtu", mtu, nullptr);
  gst_harness_set_src_caps_str(h, caps);
  return h;
}

// Packets of a frame as the payloader makes them.
std::vector<GstBuffer*> packetize(const std::vector<guint8>& frame, guint mtu)
{
  GstHarness* h = payloader(kVp8Frames, mtu);
  fail_unless_equals_int(gst_harness_push(h, buffer_of(frame)), GST_FLOW_OK);
  std::vector<GstBuffer*> out;
  while (GstBuffer* b = gst_harness_try_pull(h))
    out.push_back(b);
  gst_harness_teardown(h);
  return out;
}

GstHarness* depayloader(const char* extra = "")
{
  GstElement* e = gst_element_factory_make("rtpsframedepay", nullptr);
  if (*extra)
    gst_util_set_object_arg(G_OBJECT(e), "reorder-window", extra);  // before it starts
  GstHarness* h = gst_harness_new_with_element(e, "sink", "src");
  gst_object_unref(e);
  gst_harness_set_src_caps_str(h, "application/x-rtp, media=(string)video, clock-rate=(int)90000, "
                                   "encoding-name=(string)VP8, payload=(int)96, a-sframe=(string)\"\"");
  return h;
}

guint64 stat(GstHarness* h, const char* field)
{
  GstStructure* s = nullptr;
  g_object_get(h->element, "stats", &s, nullptr);
  guint64 v = 0;
  fail_unless(gst_structure_get_uint64(s, field, &v), "no %s", field);
  gst_structure_free(s);
  return v;
}

// Rewrites a packet's sequence number and descriptor (a copy).
GstBuffer* with(GstBuffer* b, guint16 seq, int descriptor = -1, int pt = -1)
{
  GstBuffer* c = gst_buffer_copy_deep(b);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  fail_unless(gst_rtp_buffer_map(c, GST_MAP_WRITE, &rtp));
  gst_rtp_buffer_set_seq(&rtp, seq);
  if (descriptor >= 0)
    static_cast<guint8*>(gst_rtp_buffer_get_payload(&rtp))[0] = static_cast<guint8>(descriptor);
  if (pt >= 0)
    gst_rtp_buffer_set_payload_type(&rtp, static_cast<guint8>(pt));
  gst_rtp_buffer_unmap(&rtp);
  return c;
}

} // namespace

GST_START_TEST(test_payloader_splits_under_the_mtu)
{
  const auto frame = pattern(1000, 1);
  GstHarness* h = payloader(kVp8Frames, 300);
  GstBuffer* in = buffer_of(frame);
  GST_BUFFER_PTS(in) = 0;
  GST_BUFFER_FLAG_SET(in, GST_BUFFER_FLAG_DELTA_UNIT);
  fail_unless_equals_int(gst_harness_push(h, in), GST_FLOW_OK);
  std::vector<guint8> joined;
  guint n = 0;
  while (GstBuffer* b = gst_harness_try_pull(h)) {
    fail_unless(gst_buffer_get_size(b) <= 300);
    fail_unless(GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DELTA_UNIT));
    guint8 d = 0;
    gboolean marker = FALSE;
    const auto part = payload_of(b, &d, &marker);
    joined.insert(joined.end(), part.begin(), part.end());
    const bool starts = n == 0, ends = joined.size() == frame.size();
    fail_unless_equals_int(d, (starts ? 0x80 : 0) | (ends ? 0x40 : 0));  // S, E; T = 0
    fail_unless_equals_int(marker, ends);
    gst_buffer_unref(b);
    n++;
  }
  fail_unless_equals_int(n, 4);  // 287 bytes of ciphertext per packet
  fail_unless(joined == frame);
  GstCaps* caps = gst_pad_get_current_caps(h->sinkpad);
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  fail_unless_equals_string(gst_structure_get_string(s, "encoding-name"), "VP8");
  fail_unless_equals_string(gst_structure_get_string(s, "media"), "video");
  fail_unless_equals_string(gst_structure_get_string(s, "a-sframe"), "");
  gst_caps_unref(caps);
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_payloader_opus_and_unknown_codecs)
{
  GstHarness* h = payloader("application/x-sframe, original-caps=(string)\"audio/x-opus, rate=(int)48000, "
                            "channels=(int)1, channel-mapping-family=(int)0\"", 1200);
  fail_unless_equals_int(gst_harness_push(h, buffer_of(pattern(80, 2))), GST_FLOW_OK);
  GstBuffer* b = gst_harness_pull(h);
  guint8 d = 0;
  gboolean marker = TRUE;
  payload_of(b, &d, &marker);
  fail_unless_equals_int(d, 0xc0);
  fail_if(marker);  // audio: the marker is for talkspurts, not frame ends
  gst_buffer_unref(b);
  GstCaps* caps = gst_pad_get_current_caps(h->sinkpad);
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  fail_unless_equals_string(gst_structure_get_string(s, "encoding-name"), "OPUS");
  fail_unless_equals_string(gst_structure_get_string(s, "sprop-stereo"), "0");
  fail_unless_equals_string(gst_structure_get_string(s, "encoding-params"), "2");
  gint rate = 0;
  fail_unless(gst_structure_get_int(s, "clock-rate", &rate) && rate == 48000);
  gst_caps_unref(caps);
  gst_harness_teardown(h);

  // A frame of unknown media: refused with an error, nothing sent.
  h = gst_harness_new("rtpsframepay");
  gst_harness_set_src_caps_str(h, "application/x-sframe");
  fail_unless_equals_int(gst_harness_push(h, buffer_of(pattern(80, 2))), GST_FLOW_NOT_NEGOTIATED);
  fail_unless(gst_harness_try_pull(h) == nullptr);
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_depayloader_reassembles_across_the_wrap)
{
  const auto a = pattern(3000, 3), b = pattern(2000, 4);
  auto pa = packetize(a, 500), pb = packetize(b, 500);
  std::vector<GstBuffer*> all;
  guint16 seq = 65530;  // across the wrap
  for (GstBuffer* p : pa)
    all.push_back(with(p, seq++));
  for (GstBuffer* p : pb)
    all.push_back(with(p, seq++));
  GstHarness* h = depayloader();
  for (GstBuffer* p : all)
    fail_unless_equals_int(gst_harness_push(h, p), GST_FLOW_OK);
  std::vector<std::vector<guint8>> frames;
  while (GstBuffer* out = gst_harness_try_pull(h)) {
    std::vector<guint8> v(gst_buffer_get_size(out));
    gst_buffer_extract(out, 0, v.data(), v.size());
    frames.push_back(v);
    gst_buffer_unref(out);
  }
  fail_unless_equals_int(frames.size(), 2);
  fail_unless(frames[0] == a && frames[1] == b);
  GstCaps* caps = gst_pad_get_current_caps(h->sinkpad);
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  fail_unless(gst_structure_has_name(s, "application/x-sframe"));
  fail_unless(g_str_has_prefix(gst_structure_get_string(s, "original-caps"), "video/x-vp8"));
  gst_caps_unref(caps);
  fail_unless_equals_uint64(stat(h, "frames-out"), 2);
  for (GstBuffer* p : pa)
    gst_buffer_unref(p);
  for (GstBuffer* p : pb)
    gst_buffer_unref(p);
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_depayloader_drops_and_counts)
{
  auto p = packetize(pattern(1200, 5), 500);  // 3 packets
  fail_unless_equals_int(p.size(), 3);
  GstHarness* h = depayloader("16");
  // Frame 1 loses its middle packet.
  gst_harness_push(h, with(p[0], 1));
  gst_harness_push(h, with(p[2], 3));
  // Frame 2 mixes T bits; frame 3 mixes payload types.
  gst_harness_push(h, with(p[0], 4));
  gst_harness_push(h, with(p[1], 5, 0x20));
  gst_harness_push(h, with(p[2], 6, 0x40));
  gst_harness_push(h, with(p[0], 7));
  gst_harness_push(h, with(p[1], 8, -1, 97));
  gst_harness_push(h, with(p[2], 9));
  // Frame 4 is per-packet SFrame (T = 1): not a frame to output.
  gst_harness_push(h, with(p[0], 10, 0xe0));
  // Frame 5 is fine, then comes again (duplicates).
  gst_harness_push(h, with(p[0], 11, 0xc0));
  gst_harness_push(h, with(p[0], 11, 0xc0));
  // An empty payload.
  GstBuffer* empty = gst_rtp_buffer_new_allocate(0, 0, 0);
  gst_harness_push(h, with(empty, 12));
  gst_buffer_unref(empty);
  fail_unless_equals_int(gst_harness_buffers_received(h), 1);
  fail_unless_equals_uint64(stat(h, "dropped-inconsistent"), 6);
  fail_unless_equals_uint64(stat(h, "dropped-packetized"), 1);
  // (the RTP base class drops the duplicate before the reassembler sees it)
  fail_unless_equals_uint64(stat(h, "frames-out"), 1);
  fail_unless_equals_uint64(stat(h, "dropped-malformed"), 1);
  fail_unless_equals_uint64(stat(h, "key-unit-requests"), 0);
  // The window passes the lost frame's packets: dropped, and upstream is
  // asked for a key unit.
  while (GstEvent* e = gst_harness_try_pull_upstream_event(h))
    gst_event_unref(e);
  for (guint16 s = 13; s < 40; s++)
    gst_harness_push(h, with(p[0], s, 0xc0));
  fail_unless_equals_uint64(stat(h, "dropped-incomplete"), 2);
  fail_unless(stat(h, "key-unit-requests") >= 1);
  bool asked = false;
  while (GstEvent* e = gst_harness_try_pull_upstream_event(h)) {
    asked = asked || gst_video_event_is_force_key_unit(e);
    gst_event_unref(e);
  }
  fail_unless(asked);
  for (GstBuffer* b : p)
    gst_buffer_unref(b);
  gst_harness_teardown(h);
}
GST_END_TEST;

static Suite* rtpsframepay_suite()
{
  Suite* s = suite_create("rtpsframepay");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_payloader_splits_under_the_mtu);
  tcase_add_test(tc, test_payloader_opus_and_unknown_codecs);
  tcase_add_test(tc, test_depayloader_reassembles_across_the_wrap);
  tcase_add_test(tc, test_depayloader_drops_and_counts);
  return s;
}

GST_CHECK_MAIN(rtpsframepay);
