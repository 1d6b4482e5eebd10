// SPDX-License-Identifier: LGPL-2.1-or-later
// Frames of any codec, encrypted whole, cross an SFU and are put back
// together and decrypted on the far side: for H.264, VP8, VP9, AV1 and Opus,
// two participants in one gst_parse_launch pipeline each publish
//   <source> ! <encoder> ! sframeenc (frame mode) ! rtpsframepay mtu=400 ! sfu.sink_N
// and receive
//   sfu.src_N ! rtpsframedepay ! sframedec ! <decoder> ! fakesink
// Each decodes every frame of the other; the small MTU splits video frames
// over several packets, so reassembly is exercised on every frame.
#include <atomic>
#include <string>

#include <gst/check/gstcheck.h>
#include <gst/e2ee/e2ee.h>

#include "fatal-log-domains.h"
#include "play-to-eos.h"

namespace {

constexpr int kFrames = 12;

struct Codec {
  const char* name;
  const char* source;   // raw media
  const char* encoder;
  const char* decoder;
};

const Codec kCodecs[] = {
  { "VP8", "videotestsrc", "vp8enc deadline=1 keyframe-max-dist=5", "vp8dec" },
  { "VP9", "videotestsrc", "vp9enc deadline=1 keyframe-max-dist=5", "vp9dec" },
  { "H264", "videotestsrc", "openh264enc gop-size=5", "h264parse ! openh264dec" },
  { "AV1", "videotestsrc", "av1enc cpu-used=8 end-usage=cbr target-bitrate=300 keyframe-max-dist=5 ! av1parse",
    "av1dec" },
  { "OPUS", "audiotestsrc samplesperbuffer=960", "opusenc", "opusdec" },
};

std::atomic<int> decoded[2];

void on_decoded(GstElement*, GstBuffer*, GstPad*, gpointer data)
{
  decoded[GPOINTER_TO_INT(data)]++;
}

std::string key_of(int participant)
{
  return "00112233445566778899aabbccddee0" + std::to_string(participant);
}

void run_room(const Codec& c)
{
  const bool video = std::string(c.source).find("video") != std::string::npos;
  std::string desc = "sfuforward name=sfu";
  for (int i = 0; i < 2; i++) {
    const std::string n = std::to_string(i);
    desc += std::string(" ") + c.source + " num-buffers=" + std::to_string(kFrames) +
            (video ? " pattern=" + n + " ! video/x-raw,width=320,height=240,framerate=30/1" : " wave=" + n) + " ! " +
            c.encoder + " ! sframeenc key=" + key_of(i) + " key-id=" + std::to_string(i + 1) +
            " ! rtpsframepay mtu=400 pt=96 ssrc=" + std::to_string(0x2000 + i) + " ! sfu.sink_" + n;
    desc += " sfu.src_" + n + " ! rtpsframedepay name=depay" + n + " ! sframedec name=dec" + n + " ! " + c.decoder +
            " ! fakesink name=out" + n + " sync=false signal-handoffs=true";
  }
  GError* err = nullptr;
  GstElement* pipeline = gst_parse_launch(desc.c_str(), &err);
  fail_unless(pipeline != nullptr && err == nullptr, "%s: %s", c.name, err ? err->message : "");
  GstE2eeKeyring* keys = gst_e2ee_keyring_new();
  for (int i = 0; i < 2; i++) {
    fail_unless(gst_e2ee_keyring_add_key_hex(keys, static_cast<guint64>(i + 1), GST_E2EE_CIPHER_DEFAULT,
                                             key_of(i).c_str(), nullptr));
    decoded[i] = 0;
  }
  for (int i = 0; i < 2; i++) {
    const std::string n = std::to_string(i);
    GstElement* dec = gst_bin_get_by_name(GST_BIN(pipeline), ("dec" + n).c_str());
    g_object_set(dec, "keyring", keys, nullptr);
    gst_object_unref(dec);
    GstElement* out = gst_bin_get_by_name(GST_BIN(pipeline), ("out" + n).c_str());
    g_signal_connect(out, "handoff", G_CALLBACK(on_decoded), GINT_TO_POINTER(i));
    gst_object_unref(out);
  }
  const std::string error = testutil::play_to_eos(pipeline, 120 * GST_SECOND);
  fail_unless(error.empty(), "%s: %s", c.name, error.c_str());
  for (int i = 0; i < 2; i++) {
    GstElement* depay = gst_bin_get_by_name(GST_BIN(pipeline), ("depay" + std::to_string(i)).c_str());
    GstStructure* s = nullptr;
    g_object_get(depay, "stats", &s, nullptr);
    guint64 frames = 0, packets = 0, incomplete = 1;
    fail_unless(gst_structure_get_uint64(s, "frames-out", &frames) &&
                gst_structure_get_uint64(s, "packets-in", &packets) &&
                gst_structure_get_uint64(s, "dropped-incomplete", &incomplete));
    gst_structure_free(s);
    gst_object_unref(depay);
    // Video frames span several packets; nothing is lost on the way.
    if (video)
      fail_unless(packets > frames, "%s: %" G_GUINT64_FORMAT " packets for %" G_GUINT64_FORMAT " frames", c.name,
                  packets, frames);
    fail_unless_equals_uint64(incomplete, 0);
    // Opus decoders add a frame for the encoder's look-ahead at the end.
    fail_unless(decoded[i] >= kFrames, "%s: participant %d decoded %d of %d frames", c.name, i, decoded[i].load(),
                kFrames);
  }
  gst_object_unref(pipeline);
  gst_object_unref(keys);
}

} // namespace

GST_START_TEST(test_codec_crosses_the_sfu)
{
  run_room(kCodecs[__i__]);
}
GST_END_TEST;

static Suite* rtp_sframe_suite()
{
  Suite* s = suite_create("rtp-sframe");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 240);
  suite_add_tcase(s, tc);
  tcase_add_loop_test(tc, test_codec_crosses_the_sfu, 0, G_N_ELEMENTS(kCodecs));
  return s;
}

GST_CHECK_MAIN(rtp_sframe);
