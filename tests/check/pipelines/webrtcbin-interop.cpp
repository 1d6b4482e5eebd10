// SPDX-License-Identifier: LGPL-2.1-or-later
// peertransport against GStreamer's own WebRTC stack, webrtcbin, in the same
// process on loopback: webrtcbin offers (BUNDLE, rtcp-mux) and ours answers,
// then the other way round; VP8 + Opus flow both ways, decoded on each side.
// webrtcbin's DTLS offers only SRTP_AES128_CM_SHA1_80, so this is also our
// fallback for older peers. Only strings cross between the two, as through a
// signalling server.
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

#include "count-buffers.h"
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

void count_on(GstElement* bin, const char* name, std::atomic<int>* n)
{
  GstElement* sink = gst_bin_get_by_name(GST_BIN(bin), name);
  testutil::count_buffers(sink, "sink", n);
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

// webrtcbin and peertransport, each sending VP8 + Opus and decoding what the
// other sends into counting sinks; SDP and candidates cross as text.
struct Call {
  GstElement *web, *ours, *w, *t;
  std::atomic<int> web_video{ 0 }, web_audio{ 0 }, our_video{ 0 }, our_audio{ 0 };
  std::atomic<bool> negotiation_needed{ false };
  Candidates from_webrtc, from_ours;

  Call()
  {
    GError* err = nullptr;
    web = gst_parse_launch(
      "webrtcbin name=w bundle-policy=max-bundle "
      "videotestsrc is-live=true pattern=ball ! video/x-raw,width=160,height=120,framerate=30/1 ! "
      "vp8enc deadline=1 keyframe-max-dist=15 ! rtpvp8pay pt=96 ! "
      "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000 ! w. "
      "audiotestsrc is-live=true ! opusenc ! rtpopuspay pt=111 ! "
      "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000 ! w.",
      &err);
    fail_unless(web != nullptr, "%s", err ? err->message : "");
    ours = gst_parse_launch(
      "peertransport name=t "
      "videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1 ! "
      "vp8enc deadline=1 keyframe-max-dist=15 ! rtpvp8pay pt=96 ssrc=3000 ! t. "
      "audiotestsrc is-live=true wave=square ! opusenc ! rtpopuspay pt=111 ssrc=3001 ! t. "
      "t.src_96 ! rtpjitterbuffer latency=100 ! rtpvp8depay ! vp8dec ! fakesink name=v sync=false async=false "
      "t.src_111 ! rtpjitterbuffer latency=100 ! rtpopusdepay ! opusdec ! fakesink name=a sync=false async=false",
      &err);
    fail_unless(ours != nullptr, "%s", err ? err->message : "");
    w = gst_bin_get_by_name(GST_BIN(web), "w");
    t = gst_bin_get_by_name(GST_BIN(ours), "t");
    count_on(ours, "v", &our_video);
    count_on(ours, "a", &our_audio);
    g_signal_connect(w, "pad-added", G_CALLBACK(on_webrtc_pad), this);
    g_signal_connect(w, "on-negotiation-needed",
                     G_CALLBACK(+[](GstElement*, gpointer c) { static_cast<Call*>(c)->negotiation_needed = true; }),
                     this);
    g_signal_connect(w, "on-ice-candidate", G_CALLBACK(+[](GstElement*, guint m, gchar* c, gpointer call) {
                       static_cast<Call*>(call)->from_webrtc.add(m, c);
                     }),
                     this);
    g_signal_connect(t, "on-local-candidate", G_CALLBACK(+[](GstElement*, guint m, gchar* c, gpointer call) {
                       static_cast<Call*>(call)->from_ours.add(m, c);
                     }),
                     this);
    fail_if(gst_element_set_state(web, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
    fail_if(gst_element_set_state(ours, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
  }
  ~Call()
  {
    gst_element_set_state(ours, GST_STATE_NULL);
    gst_element_set_state(web, GST_STATE_NULL);
    gst_object_unref(t);
    gst_object_unref(w);
    gst_object_unref(ours);
    gst_object_unref(web);
  }

  // webrtcbin's src pads: decode by media type and count.
  static void on_webrtc_pad(GstElement*, GstPad* pad, gpointer data)
  {
    auto* call = static_cast<Call*>(data);
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
      return;
    GstCaps* caps = gst_pad_get_current_caps(pad);
    if (!caps)
      caps = gst_pad_query_caps(pad, nullptr);
    const bool video = g_strcmp0(gst_structure_get_string(gst_caps_get_structure(caps, 0), "media"), "video") == 0;
    gst_caps_unref(caps);
    GstElement* bin = gst_parse_bin_from_description(video ? "rtpvp8depay ! vp8dec ! fakesink name=s sync=false"
                                                           : "rtpopusdepay ! opusdec ! fakesink name=s sync=false",
                                                     TRUE, nullptr);
    fail_unless(bin != nullptr);
    count_on(bin, "s", video ? &call->web_video : &call->web_audio);
    gst_bin_add(GST_BIN(call->web), bin);
    gst_element_sync_state_with_parent(bin);
    GstPad* sink = gst_element_get_static_pad(bin, "sink");
    fail_unless(gst_pad_link(pad, sink) == GST_PAD_LINK_OK);
    gst_object_unref(sink);
  }

  // Waits until both our sink pads have caps: an offer or answer lists only
  // the streams whose caps are known (under load the audio pad had them and
  // the video pad, waiting for vp8enc's first frame, not yet: an audio-only
  // offer).
  void wait_for_our_caps()
  {
    fail_unless(wait_until([&] {
      bool all = true;
      for (const char* name : { "sink_0", "sink_1" }) {
        GstPad* s = gst_element_get_static_pad(t, name);
        all = all && s && gst_pad_has_current_caps(s);
        if (s)
          gst_object_unref(s);
      }
      return all;
    }, 20), "our sink pads never got caps");
  }

  // Waits until webrtcbin's sink pads have caps: the codecs it offers, and
  // the transceivers it matches an offer's m-lines with, come from its
  // pads' caps, which the encoders' first output sets.
  void wait_for_webrtc_caps()
  {
    fail_unless(wait_until([&] {
      bool all = true;
      int n = 0;
      GstIterator* it = gst_element_iterate_sink_pads(w);
      GValue item = G_VALUE_INIT;
      while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
        all = all && gst_pad_has_current_caps(GST_PAD(g_value_get_object(&item)));
        n++;
        g_value_reset(&item);
      }
      g_value_unset(&item);
      gst_iterator_free(it);
      return all && n == 2;
    }, 20), "webrtcbin's pads never got caps");
  }

  // webrtcbin's description of `type` ("offer" / "answer") as text, made
  // and set as its local description.
  std::string webrtc_local(const char* type)
  {
    GstPromise* p = gst_promise_new();
    g_signal_emit_by_name(w, g_strcmp0(type, "offer") == 0 ? "create-offer" : "create-answer", nullptr, p);
    GstStructure* reply = wait_promise(p);
    gst_promise_unref(p);
    SessionDescription* desc = nullptr;
    fail_unless(reply && gst_structure_get(reply, type, description_type(), &desc, nullptr),
                "webrtcbin made no %s: %s", type, reply ? gst_structure_to_string(reply) : "");
    gst_structure_free(reply);
    g_signal_emit_by_name(w, "set-local-description", desc, nullptr);
    gchar* text = gst_sdp_message_as_text(desc->sdp);
    std::string out = text;
    g_free(text);
    g_boxed_free(description_type(), desc);
    return out;
  }

  // Our text as webrtcbin's remote description of `type` (1 offer, 3 answer).
  void webrtc_remote(const std::string& text, int type)
  {
    GstSDPMessage* sdp = nullptr;
    fail_unless(gst_sdp_message_new_from_text(text.c_str(), &sdp) == GST_SDP_OK);
    SessionDescription d{ type, sdp };
    auto* boxed = static_cast<SessionDescription*>(g_boxed_copy(description_type(), &d));
    gst_sdp_message_free(sdp);
    GstPromise* p = gst_promise_new();
    g_signal_emit_by_name(w, "set-remote-description", boxed, p);
    if (GstStructure* r = wait_promise(p)) {
      fail_if(gst_structure_has_field(r, "error"), "webrtcbin refused our SDP: %s", gst_structure_to_string(r));
      gst_structure_free(r);
    }
    gst_promise_unref(p);
    g_boxed_free(description_type(), boxed);
  }

  std::string our(const char* signal)
  {
    gchar* text = nullptr;
    g_signal_emit_by_name(t, signal, &text);
    fail_unless(text != nullptr, "%s gave nothing", signal);
    std::string out = text;
    g_free(text);
    return out;
  }

  void our_remote(const std::string& text)
  {
    gboolean ok = FALSE;
    g_signal_emit_by_name(t, "set-remote-description", text.c_str(), &ok);
    fail_unless(ok, "refused webrtcbin's SDP:\n%s", text.c_str());
  }

  // Trickle both ways until connected, then media both ways, decoded.
  void connect_and_check(const char* expected_role)
  {
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
    ck_assert_str_eq(gst_structure_get_string(s, "dtls-role"), expected_role);
    gst_structure_free(s);
    fail_unless(wait_until([&] { return web_video >= 15 && web_audio >= 20 && our_video >= 15 && our_audio >= 20; }, 30),
                "decoded: webrtcbin %d video %d audio, ours %d video %d audio; our stats %s", web_video.load(),
                web_audio.load(), our_video.load(), our_audio.load(), gst_structure_to_string(testutil::stats_of(t)));
    ck_assert_uint_eq(testutil::stat(t, "drops-authentication"), 0);
  }
};

} // namespace

GST_START_TEST(test_webrtcbin_offers_we_answer_media_both_ways)
{
  Call call;
  fail_unless(wait_until([&] { return call.negotiation_needed.load(); }, 10), "webrtcbin never asked to negotiate");
  call.wait_for_webrtc_caps();  // its offer lists the codecs of its pads' caps
  call.our_remote(call.webrtc_local("offer"));
  call.wait_for_our_caps();
  call.webrtc_remote(call.our("create-answer"), 3);
  call.connect_and_check("client");  // our answer says a=setup:active
}
GST_END_TEST;

GST_START_TEST(test_we_offer_webrtcbin_answers_media_both_ways)
{
  Call call;
  call.wait_for_our_caps();
  fail_unless(wait_until([&] { return call.negotiation_needed.load(); }, 10), "webrtcbin never asked to negotiate");
  call.wait_for_webrtc_caps();
  call.webrtc_remote(call.our("create-offer"), 1);
  call.our_remote(call.webrtc_local("answer"));
  call.connect_and_check("server");  // webrtcbin answers a=setup:active
}
GST_END_TEST;

static Suite* webrtcbin_interop_suite()
{
  Suite* s = suite_create("webrtcbin-interop");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 120);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_webrtcbin_offers_we_answer_media_both_ways);
  tcase_add_test(tc, test_we_offer_webrtcbin_answers_media_both_ways);
  return s;
}

GST_CHECK_MAIN(webrtcbin_interop);
