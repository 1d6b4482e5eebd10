// SPDX-License-Identifier: LGPL-2.1-or-later
// An end-to-end encrypted room of three in one gst_parse_launch pipeline:
// each participant publishes
//   videotestsrc ! vp8enc ! rtpvp8pay (+ frame marking) ! sframeenc (packet mode) ! sfu.sink_N
// and receives
//   sfu.src_N ! sframedec ! rtpssrcdemux ! (per SSRC) rtpvp8depay ! vp8dec ! fakesink
// Each publisher has its own SFrame key and KID (publishers sharing a key
// would reuse nonces); each subscriber's sframedec holds all three in a
// keyring. Every subscriber must decode every frame of the two others and
// none of its own, and every packet leaving sfuforward must be byte for byte the
// SFrame-protected packet its publisher's sframeenc sent.
// (sframeenc sits after the payloader: a VP8 payloader cannot packetize
// SFrame ciphertext, whose caps are application/x-sframe.)
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <gst/check/gstcheck.h>
#include <gst/rtp/rtp.h>

#include <gst/e2ee/e2ee.h>

#include "fatal-log-domains.h"
#include "play-to-eos.h"

namespace {

constexpr int kParticipants = 3;
constexpr int kFrames = 30;
// Participant N's key: this with its last byte replaced by N; KID N + 1.
std::string key_of(int participant)
{
  return "00112233445566778899aabbccddee0" + std::to_string(participant);
}

using Bytes = std::vector<guint8>;

struct Room {
  std::mutex lock;
  // What each publisher's sframeenc sent, by (SSRC, sequence number).
  std::map<std::pair<guint32, guint16>, Bytes> sent;
  guint64 forwarded = 0, altered = 0, unknown = 0, own = 0;
  // Decoded frames per (subscriber, publisher SSRC).
  std::map<std::pair<int, guint32>, int> decoded;
  GstElement* pipeline = nullptr;
};

Room* room;

guint32 ssrc_of(int participant)
{
  return 0x1000u + static_cast<guint32>(participant);
}

Bytes bytes_of(GstBuffer* b)
{
  Bytes out(gst_buffer_get_size(b));
  gst_buffer_extract(b, 0, out.data(), out.size());
  return out;
}

bool header_of(const Bytes& p, guint32* ssrc, guint16* seq)
{
  if (p.size() < 12)
    return false;
  *seq = static_cast<guint16>(p[2] << 8 | p[3]);
  *ssrc = static_cast<guint32>(p[8]) << 24 | static_cast<guint32>(p[9]) << 16 | static_cast<guint32>(p[10]) << 8 |
          p[11];
  return true;
}

GstPadProbeReturn on_encrypted(GstPad*, GstPadProbeInfo* info, gpointer)
{
  Bytes p = bytes_of(GST_PAD_PROBE_INFO_BUFFER(info));
  guint32 ssrc;
  guint16 seq;
  if (header_of(p, &ssrc, &seq)) {
    std::lock_guard<std::mutex> g(room->lock);
    room->sent[{ ssrc, seq }] = std::move(p);
  }
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn on_forwarded(GstPad*, GstPadProbeInfo* info, gpointer data)
{
  const int subscriber = GPOINTER_TO_INT(data);
  const Bytes p = bytes_of(GST_PAD_PROBE_INFO_BUFFER(info));
  guint32 ssrc;
  guint16 seq;
  std::lock_guard<std::mutex> g(room->lock);
  room->forwarded++;
  if (!header_of(p, &ssrc, &seq)) {
    room->altered++;
    return GST_PAD_PROBE_OK;
  }
  if (ssrc == ssrc_of(subscriber))
    room->own++;
  auto it = room->sent.find({ ssrc, seq });
  if (it == room->sent.end())
    room->unknown++;
  else if (it->second != p)
    room->altered++;
  return GST_PAD_PROBE_OK;
}

void on_decoded(GstElement* sink, GstBuffer*, GstPad*, gpointer)
{
  const int subscriber = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(sink), "subscriber"));
  const guint32 ssrc = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(sink), "ssrc"));
  std::lock_guard<std::mutex> g(room->lock);
  room->decoded[{ subscriber, ssrc }]++;
}

// rtpssrcdemux found a publisher in a subscriber's stream: decode it.
void on_ssrc_pad(GstElement* demux, GstPad* pad, gpointer data)
{
  const gchar* name = GST_PAD_NAME(pad);
  if (!g_str_has_prefix(name, "src_"))
    return;  // rtcp_src_%u
  const guint32 ssrc = static_cast<guint32>(g_ascii_strtoull(name + 4, nullptr, 10));
  GError* err = nullptr;
  GstElement* bin = gst_parse_bin_from_description(
    "rtpvp8depay ! vp8dec ! fakesink sync=false async=false signal-handoffs=true name=out", TRUE, &err);
  fail_unless(bin != nullptr, "%s", err ? err->message : "");
  GstElement* sink = gst_bin_get_by_name(GST_BIN(bin), "out");
  g_object_set_data(G_OBJECT(sink), "subscriber", data);
  g_object_set_data(G_OBJECT(sink), "ssrc", GUINT_TO_POINTER(ssrc));
  g_signal_connect(sink, "handoff", G_CALLBACK(on_decoded), nullptr);
  gst_object_unref(sink);
  gst_bin_add(GST_BIN(room->pipeline), bin);
  gst_element_sync_state_with_parent(bin);
  GstPad* sinkpad = gst_element_get_static_pad(bin, "sink");
  fail_unless_equals_int(gst_pad_link(pad, sinkpad), GST_PAD_LINK_OK);
  gst_object_unref(sinkpad);
  (void) demux;
}

} // namespace

GST_START_TEST(test_three_publishers_each_decodes_the_others)
{
  Room r;
  room = &r;
  // Key frames reach the SFU as frame marking (rtphdrextframemarking, added
  // by the payloader from its caps), which stays in clear under SFrame.
  std::string desc = "sfuforward name=sfu frame-marking-extension-id=5";
  for (int i = 0; i < kParticipants; i++) {
    const std::string n = std::to_string(i);
    desc += " videotestsrc num-buffers=" + std::to_string(kFrames) + " pattern=" + n +
            " ! video/x-raw,width=160,height=120,framerate=30/1 ! vp8enc deadline=1 keyframe-max-dist=10"
            " ! rtpvp8pay pt=96 ssrc=" + std::to_string(ssrc_of(i)) +
            " ! application/x-rtp,extmap-5=urn:ietf:params:rtp-hdrext:framemarking ! sframeenc name=enc" + n + " key=" + key_of(i) + " key-id=" + std::to_string(i + 1) +
            " ! sfu.sink_" + n;
    desc += " sfu.src_" + n + " ! sframedec name=dec" + n + " ! rtpssrcdemux name=demux" + n;
  }
  GError* err = nullptr;
  r.pipeline = gst_parse_launch(desc.c_str(), &err);
  fail_unless(r.pipeline != nullptr && err == nullptr, "%s", err ? err->message : "");
  GstE2eeKeyring* keys = gst_e2ee_keyring_new();
  for (int i = 0; i < kParticipants; i++)
    fail_unless(gst_e2ee_keyring_add_key_hex(keys, static_cast<guint64>(i + 1), GST_E2EE_CIPHER_DEFAULT,
                                             key_of(i).c_str(), nullptr));
  for (int i = 0; i < kParticipants; i++) {
    const std::string n = std::to_string(i);
    GstElement* dec = gst_bin_get_by_name(GST_BIN(r.pipeline), ("dec" + n).c_str());
    g_object_set(dec, "keyring", keys, nullptr);
    gst_object_unref(dec);
    GstElement* enc = gst_bin_get_by_name(GST_BIN(r.pipeline), ("enc" + n).c_str());
    GstPad* enc_src = gst_element_get_static_pad(enc, "src");
    gst_pad_add_probe(enc_src, GST_PAD_PROBE_TYPE_BUFFER, on_encrypted, nullptr, nullptr);
    gst_object_unref(enc_src);
    gst_object_unref(enc);
    GstElement* sfu = gst_bin_get_by_name(GST_BIN(r.pipeline), "sfu");
    GstPad* out = gst_element_get_static_pad(sfu, ("src_" + n).c_str());
    fail_unless(out != nullptr);
    gst_pad_add_probe(out, GST_PAD_PROBE_TYPE_BUFFER, on_forwarded, GINT_TO_POINTER(i), nullptr);
    gst_object_unref(out);
    gst_object_unref(sfu);
    GstElement* demux = gst_bin_get_by_name(GST_BIN(r.pipeline), ("demux" + n).c_str());
    g_signal_connect(demux, "pad-added", G_CALLBACK(on_ssrc_pad), GINT_TO_POINTER(i));
    gst_object_unref(demux);
  }
  const std::string error = testutil::play_to_eos(r.pipeline, 60 * GST_SECOND);
  fail_unless(error.empty(), "%s", error.c_str());

  fail_unless(r.forwarded > 0);
  fail_unless_equals_uint64(r.altered, 0);
  fail_unless_equals_uint64(r.unknown, 0);
  fail_unless_equals_uint64(r.own, 0);
  for (int sub = 0; sub < kParticipants; sub++)
    for (int pub = 0; pub < kParticipants; pub++) {
      const int frames = r.decoded[{ sub, ssrc_of(pub) }];
      if (sub == pub) {
        fail_unless_equals_int(frames, 0);
      } else {
        fail_unless(frames == kFrames, "participant %d decoded %d of %d frames of %d", sub, frames, kFrames, pub);
      }
    }
  gst_object_unref(r.pipeline);
  gst_object_unref(keys);
  room = nullptr;
}
GST_END_TEST;

static Suite* sfu_launch_suite()
{
  Suite* s = suite_create("sfu-launch");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 120);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_three_publishers_each_decodes_the_others);
  return s;
}

GST_CHECK_MAIN(sfu_launch);
