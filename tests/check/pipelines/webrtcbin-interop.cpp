// SPDX-License-Identifier: LGPL-2.1-or-later
// peertransport against GStreamer's own WebRTC stack, webrtcbin, in the same
// process on loopback: webrtcbin offers (BUNDLE, rtcp-mux), ours answers,
// and VP8 + Opus flow both ways, decoded on each side. webrtcbin's DTLS
// offers only SRTP_AES128_CM_SHA1_80, so this is also our fallback for older
// peers. Only strings cross between the two, as through a signalling server.
//
// webrtcbin's session-description type is reached through GType only (its
// headers come with libgstreamer-plugins-bad1.0-dev, which pulls in OpenCV);
// the struct below is its public, stable layout.
#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <gst/check/gstcheck.h>
#include <gst/sdp/sdp.h>

#include "element-stats.h"
#include "fatal-log-domains.h"
#include "peer-signalling.h"

namespace {

struct SessionDescription {  // GstWebRTCSessionDescription
  int type;                  // GST_WEBRTC_SDP_TYPE_OFFER = 1, _ANSWER = 3
  GstSDPMessage* sdp;
};

GType description_type()
{
  GType t = g_type_from_name("GstWebRTCSessionDescription");
  fail_unless(t != 0, "webrtcbin's library is not loaded");
  return t;
}

std::atomic<int> web_video{ 0 }, web_audio{ 0 }, our_video{ 0 }, our_audio{ 0 };
std::atomic<bool> negotiation_needed{ false };

GstPadProbeReturn count_buffer(GstPad*, GstPadProbeInfo*, gpointer data)
{
  (*static_cast<std::atomic<int>*>(data))++;
  return GST_PAD_PROBE_OK;
}

void count_on(GstElement* pipeline, const char* name, std::atomic<int>* n)
{
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), name);
  GstPad* pad = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, n, nullptr);
  gst_object_unref(pad);
  gst_object_unref(sink);
}

// webrtcbin's src pads: decode by media type and count.
void on_webrtc_pad(GstElement* webrtc, GstPad* pad, gpointer pipeline)
{
  (void) webrtc;
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
    return;
  GstCaps* caps = gst_pad_get_current_caps(pad);
  if (!caps)
    caps = gst_pad_query_caps(pad, nullptr);
  const bool video = g_strcmp0(gst_structure_get_string(gst_caps_get_structure(caps, 0), "media"), "video") == 0;
  gst_caps_unref(caps);
  GError* err = nullptr;
  GstElement* bin = gst_parse_bin_from_description(video ? "rtpvp8depay ! vp8dec ! fakesink name=s sync=false"
                                                         : "rtpopusdepay ! opusdec ! fakesink name=s sync=false",
                                                   TRUE, &err);
  fail_unless(bin != nullptr);
  count_on(bin, "s", video ? &web_video : &web_audio);
  gst_bin_add(GST_BIN(pipeline), bin);
  gst_element_sync_state_with_parent(bin);
  GstPad* sink = gst_element_get_static_pad(bin, "sink");
  fail_unless(gst_pad_link(pad, sink) == GST_PAD_LINK_OK);
  gst_object_unref(sink);
}

struct Candidates {
  std::mutex lock;
  std::vector<std::pair<guint, std::string>> lines;
  void add(guint mline, const char* c)
  {
    std::lock_guard<std::mutex> g(lock);
    lines.emplace_back(mline, c ? c : "");
  }
  std::vector<std::pair<guint, std::string>> take()
  {
    std::lock_guard<std::mutex> g(lock);
    return std::move(lines);
  }
};
Candidates from_webrtc, from_ours;

GstStructure* wait_promise(GstPromise* p)
{
  fail_unless(gst_promise_wait(p) == GST_PROMISE_RESULT_REPLIED);
  const GstStructure* r = gst_promise_get_reply(p);
  return r ? gst_structure_copy(r) : nullptr;
}

bool wait_until(const std::function<bool()>& cond, double seconds)
{
  const gint64 until = g_get_monotonic_time() + static_cast<gint64>(seconds * G_USEC_PER_SEC);
  while (g_get_monotonic_time() < until && !cond())
    g_usleep(20000);
  return cond();
}

} // namespace

GST_START_TEST(test_webrtcbin_offers_we_answer_media_both_ways)
{
  GError* err = nullptr;
  GstElement* web = gst_parse_launch(
    "webrtcbin name=w bundle-policy=max-bundle "
    "videotestsrc is-live=true pattern=ball ! video/x-raw,width=160,height=120,framerate=30/1 ! "
    "vp8enc deadline=1 keyframe-max-dist=15 ! rtpvp8pay pt=96 ! "
    "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000 ! w. "
    "audiotestsrc is-live=true ! opusenc ! rtpopuspay pt=111 ! "
    "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000 ! w.",
    &err);
  fail_unless(web != nullptr, "%s", err ? err->message : "");
  GstElement* ours = gst_parse_launch(
    "peertransport name=t "
    "videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1 ! "
    "vp8enc deadline=1 keyframe-max-dist=15 ! rtpvp8pay pt=96 ssrc=3000 ! t. "
    "audiotestsrc is-live=true wave=square ! opusenc ! rtpopuspay pt=111 ssrc=3001 ! t. "
    "t.src_96 ! rtpjitterbuffer latency=100 ! rtpvp8depay ! vp8dec ! fakesink name=v sync=false async=false "
    "t.src_111 ! rtpjitterbuffer latency=100 ! rtpopusdepay ! opusdec ! fakesink name=a sync=false async=false",
    &err);
  fail_unless(ours != nullptr, "%s", err ? err->message : "");
  GstElement* w = gst_bin_get_by_name(GST_BIN(web), "w");
  GstElement* t = gst_bin_get_by_name(GST_BIN(ours), "t");
  count_on(ours, "v", &our_video);
  count_on(ours, "a", &our_audio);
  g_signal_connect(w, "pad-added", G_CALLBACK(on_webrtc_pad), web);
  g_signal_connect(w, "on-negotiation-needed", G_CALLBACK(+[](GstElement*, gpointer) { negotiation_needed = true; }),
                   nullptr);
  g_signal_connect(w, "on-ice-candidate",
                   G_CALLBACK(+[](GstElement*, guint m, gchar* c, gpointer) { from_webrtc.add(m, c); }), nullptr);
  g_signal_connect(t, "on-local-candidate",
                   G_CALLBACK(+[](GstElement*, guint m, gchar* c, gpointer) { from_ours.add(m, c); }), nullptr);

  fail_if(gst_element_set_state(web, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
  fail_if(gst_element_set_state(ours, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
  fail_unless(wait_until([] { return negotiation_needed.load(); }, 10), "webrtcbin never asked to negotiate");

  // webrtcbin's offer, as text.
  GstPromise* p = gst_promise_new();
  g_signal_emit_by_name(w, "create-offer", nullptr, p);
  GstStructure* reply = wait_promise(p);
  gst_promise_unref(p);
  SessionDescription* offer = nullptr;
  fail_unless(reply && gst_structure_get(reply, "offer", description_type(), &offer, nullptr));
  gst_structure_free(reply);
  g_signal_emit_by_name(w, "set-local-description", offer, nullptr);
  gchar* offer_text = gst_sdp_message_as_text(offer->sdp);
  g_boxed_free(description_type(), offer);

  // Ours answers.
  GST_INFO("webrtcbin's offer:\n%s", offer_text);
  gboolean ok = FALSE;
  g_signal_emit_by_name(t, "set-remote-description", offer_text, &ok);
  fail_unless(ok, "refused webrtcbin's offer:\n%s", offer_text);
  g_free(offer_text);
  // Its sink pads have caps by now (the answer names their SSRCs).
  fail_unless(wait_until([&] {
    GstPad* s = gst_element_get_static_pad(t, "sink_1");
    const bool has = s && gst_pad_has_current_caps(s);
    if (s)
      gst_object_unref(s);
    return has;
  }, 10));
  gchar* answer_text = nullptr;
  g_signal_emit_by_name(t, "create-answer", &answer_text);
  fail_unless(answer_text != nullptr);
  GstSDPMessage* answer_sdp = nullptr;
  fail_unless(gst_sdp_message_new_from_text(answer_text, &answer_sdp) == GST_SDP_OK);
  g_free(answer_text);
  SessionDescription answer{ 3, answer_sdp };
  auto* boxed = static_cast<SessionDescription*>(g_boxed_copy(description_type(), &answer));
  gst_sdp_message_free(answer_sdp);
  p = gst_promise_new();
  g_signal_emit_by_name(w, "set-remote-description", boxed, p);
  if (GstStructure* r = wait_promise(p)) {
    fail_if(gst_structure_has_field(r, "error"), "webrtcbin refused our answer: %s", gst_structure_to_string(r));
    gst_structure_free(r);
  }
  gst_promise_unref(p);
  g_boxed_free(description_type(), boxed);

  // Trickle both ways until connected (candidates that came early wait).
  fail_unless(wait_until([&] {
    for (auto& [m, c] : from_webrtc.take()) {
      gboolean added = FALSE;
      g_signal_emit_by_name(t, "add-remote-candidate", m, c.c_str(), &added);
    }
    for (auto& [m, c] : from_ours.take())
      if (!c.empty())
        g_signal_emit_by_name(w, "add-ice-candidate", m, c.c_str());
    return testutil::connection_state(t) == 3;
  }, 20), "never connected; our stats: %s", gst_structure_to_string(testutil::stats_of(t)));

  GstStructure* s = testutil::stats_of(t);
  ck_assert_str_eq(gst_structure_get_string(s, "srtp-profile"), "SRTP_AES128_CM_SHA1_80");
  ck_assert_str_eq(gst_structure_get_string(s, "dtls-role"), "client");
  gst_structure_free(s);
  fail_unless(wait_until([] { return web_video >= 15 && web_audio >= 20 && our_video >= 15 && our_audio >= 20; }, 30),
              "decoded: webrtcbin %d video %d audio, ours %d video %d audio; our stats %s", web_video.load(),
              web_audio.load(), our_video.load(), our_audio.load(), gst_structure_to_string(testutil::stats_of(t)));
  ck_assert_uint_eq(testutil::stat(t, "drops-authentication"), 0);

  gst_element_set_state(ours, GST_STATE_NULL);
  gst_element_set_state(web, GST_STATE_NULL);
  gst_object_unref(t);
  gst_object_unref(w);
  gst_object_unref(ours);
  gst_object_unref(web);
}
GST_END_TEST;

static Suite* webrtcbin_interop_suite()
{
  Suite* s = suite_create("webrtcbin-interop");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 120);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_webrtcbin_offers_we_answer_media_both_ways);
  return s;
}

GST_CHECK_MAIN(webrtcbin_interop);
