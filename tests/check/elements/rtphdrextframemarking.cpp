// SPDX-License-Identifier: LGPL-2.1-or-later
// rtphdrextframemarking: written by a real payloader (rtpvp8pay with the
// extension in its downstream caps), every packet carries frame marking
// whose start, end and independent bits agree with the RTP timestamps, the
// marker bits and the VP8 key frames in the payload; read back, it sets
// DELTA_UNIT on delta frames and refuses malformed elements.
#include <vector>

#include <gst/check/gstcheck.h>
#include <gst/rtp/rtp.h>

#include "fatal-log-domains.h"
#include "play-to-eos.h"

static const char kUri[] = "urn:ietf:params:rtp-hdrext:framemarking";

// Whether an RTP packet of rtpvp8pay starts a VP8 key frame (RFC 7741: the
// payload descriptor, then the payload header whose P bit is 0 on key
// frames). -1: not the first packet of a frame.
static void on_packet(GstElement*, GstBuffer* buf, GstPad*, gpointer data)
{
  static_cast<std::vector<GstBuffer*>*>(data)->push_back(gst_buffer_ref(buf));
}

static int vp8_key_frame_start(const guint8* p, guint size)
{
  guint i = 0;
  if (size < 1)
    return -1;
  const bool x = p[0] & 0x80, s = p[0] & 0x10;
  const guint pid = p[0] & 0x07;
  i = 1;
  if (x) {
    const guint8 ext = p[i++];
    if (ext & 0x80)  // I: picture ID, 7 or 15 bits
      i += (p[i] & 0x80) ? 2 : 1;
    if (ext & 0x40)  // L
      i++;
    if (ext & 0x30)  // T or K
      i++;
  }
  if (!s || pid != 0 || i >= size)
    return -1;
  return (p[i] & 0x01) == 0 ? 1 : 0;
}

GST_START_TEST(test_written_by_rtpvp8pay)
{
  GError* err = nullptr;
  GstElement* p = gst_parse_launch(
    "videotestsrc num-buffers=12 ! video/x-raw,width=320,height=240 ! vp8enc deadline=1 keyframe-max-dist=5 "
    "! rtpvp8pay mtu=300 ! application/x-rtp,extmap-5=urn:ietf:params:rtp-hdrext:framemarking "
    "! fakesink name=out signal-handoffs=true",
    &err);
  fail_unless(p != nullptr && err == nullptr, "%s", err ? err->message : "");
  GstElement* sink = gst_bin_get_by_name(GST_BIN(p), "out");
  std::vector<GstBuffer*> out;
  g_signal_connect(sink, "handoff", G_CALLBACK(on_packet), &out);
  const std::string error = testutil::play_to_eos(p, 30 * GST_SECOND);
  fail_unless(error.empty(), "%s", error.c_str());
  int packets = 0, starts = 0, ends = 0, key_frames = 0;
  bool have_ts = false, in_key_frame = false;
  guint32 last_ts = 0;
  for (GstBuffer* packet : out) {
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    fail_unless(gst_rtp_buffer_map(packet, GST_MAP_READ, &rtp));
    gpointer data = nullptr;
    guint size = 0;
    fail_unless(gst_rtp_buffer_get_extension_onebyte_header(&rtp, 5, 0, &data, &size), "packet %d lacks it", packets);
    fail_unless_equals_int(size, 1);
    const guint8 fm = *static_cast<guint8*>(data);
    const bool start = fm & 0x80, end = fm & 0x40, independent = fm & 0x20;
    const guint32 ts = gst_rtp_buffer_get_timestamp(&rtp);
    fail_unless_equals_int(start, !have_ts || ts != last_ts);
    fail_unless_equals_int(end, gst_rtp_buffer_get_marker(&rtp));
    fail_unless_equals_int(fm & 0x1f, 0);  // D, B and TID are 0: not scalable
    const int key = vp8_key_frame_start(static_cast<const guint8*>(gst_rtp_buffer_get_payload(&rtp)),
                                        gst_rtp_buffer_get_payload_len(&rtp));
    if (start) {
      fail_unless(key >= 0, "a frame marked as starting here does not start a VP8 frame");
      in_key_frame = key == 1;
      key_frames += key;
    }
    fail_unless_equals_int(independent, in_key_frame);
    starts += start;
    ends += end;
    packets++;
    have_ts = true;
    last_ts = ts;
    gst_rtp_buffer_unmap(&rtp);
    gst_buffer_unref(packet);
  }
  fail_unless_equals_int(starts, 12);
  fail_unless_equals_int(ends, 12);
  fail_unless_equals_int(key_frames, 3);  // frames 0, 5 and 10
  fail_unless(packets > 12, "key frames should span several packets at this MTU");
  gst_object_unref(sink);
  gst_object_unref(p);
}
GST_END_TEST;

GST_START_TEST(test_read_sets_delta_flag)
{
  GstRTPHeaderExtension* ext = gst_rtp_header_extension_create_from_uri(kUri);
  fail_unless(ext != nullptr, "no extension element for %s", kUri);
  gst_rtp_header_extension_set_id(ext, 5);
  GstBuffer* buf = gst_buffer_new();
  const guint8 key_start = 0xa0, delta_start = 0x80;
  fail_unless(gst_rtp_header_extension_read(ext, GST_RTP_HEADER_EXTENSION_ONE_BYTE, &key_start, 1, buf));
  fail_if(GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT));
  fail_unless(gst_rtp_header_extension_read(ext, GST_RTP_HEADER_EXTENSION_ONE_BYTE, &delta_start, 1, buf));
  fail_unless(GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT));
  const guint8 two[2] = { 0xa0, 0 };  // neither the short (1) nor the long (3) form
  fail_if(gst_rtp_header_extension_read(ext, GST_RTP_HEADER_EXTENSION_ONE_BYTE, two, 2, buf));
  gst_buffer_unref(buf);
  gst_object_unref(ext);
}
GST_END_TEST;

static Suite* frame_marking_suite()
{
  Suite* s = suite_create("rtphdrextframemarking");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_written_by_rtpvp8pay);
  tcase_add_test(tc, test_read_sets_delta_flag);
  return s;
}

GST_CHECK_MAIN(frame_marking);
