// SPDX-License-Identifier: LGPL-2.1-or-later
// sfuforward between hop-by-hop SRTP legs, as a room server will place it:
//   publisher ! srtpenc (key A) ! srtpanydec (key A) ! sfuforward.sink_0
//   sfuforward.src_1 ! srtpenc (key B) ! srtpanydec (key B) ! depayloader ! decoder
// GStreamer's own srtpenc protects, ours decrypts, the pads link as they
// are; every frame arrives decoded and nothing is dropped on either leg.
#include <string>

#include <gst/check/gstcheck.h>

#include "element-stats.h"
#include "fatal-log-domains.h"
#include "play-to-eos.h"

static void on_frame(GstElement*, GstBuffer*, GstPad*, gpointer data)
{
  (*static_cast<int*>(data))++;
}

GST_START_TEST(test_srtp_legs_around_the_sfu)
{
  const std::string a = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b";
  const std::string b = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a090807060504";
  const std::string gcm = " rtp-cipher=aes-128-gcm rtp-auth=null rtcp-cipher=aes-128-gcm rtcp-auth=null";
  const std::string desc =
    "sfuforward name=sfu srtpenc name=pub_enc key=" + a + gcm + " srtpenc name=sub_enc key=" + b + gcm +
    " videotestsrc num-buffers=40 ! video/x-raw,width=160,height=120 ! vp8enc deadline=1 ! rtpvp8pay"
    " ! pub_enc.rtp_sink_0 pub_enc.rtp_src_0 ! srtpanydec name=pub_leg key=" + a + " ! sfu.sink_0"
    " sfu.src_1 ! sub_enc.rtp_sink_0 sub_enc.rtp_src_0 ! srtpanydec name=sub_leg key=" + b +
    " ! rtpvp8depay ! vp8dec ! fakesink name=out signal-handoffs=true";
  GError* err = nullptr;
  GstElement* p = gst_parse_launch(desc.c_str(), &err);
  fail_unless(p != nullptr && err == nullptr, "%s", err ? err->message : "");
  int frames = 0;
  GstElement* out = gst_bin_get_by_name(GST_BIN(p), "out");
  g_signal_connect(out, "handoff", G_CALLBACK(on_frame), &frames);
  const std::string error = testutil::play_to_eos(p, 60 * GST_SECOND);
  fail_unless(error.empty(), "%s", error.c_str());
  fail_unless_equals_int(frames, 40);
  for (const char* leg : { "pub_leg", "sub_leg" }) {
    GstElement* dec = gst_bin_get_by_name(GST_BIN(p), leg);
    fail_unless(testutil::stat(dec, "rtp-decrypted") >= 40);
    fail_unless_equals_uint64(testutil::stat(dec, "dropped-authentication") + testutil::stat(dec, "dropped-replay") +
                                testutil::stat(dec, "dropped-other") + testutil::stat(dec, "dropped-not-srtp"),
                              0);
    gst_object_unref(dec);
  }
  gst_object_unref(out);
  gst_object_unref(p);
}
GST_END_TEST;

static Suite* sfu_srtp_suite()
{
  Suite* s = suite_create("sfu-srtp");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 120);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_srtp_legs_around_the_sfu);
  return s;
}

GST_CHECK_MAIN(sfu_srtp);
