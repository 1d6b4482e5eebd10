// SPDX-License-Identifier: LGPL-2.1-or-later
// The appliance elements against the server, on loopback, as launch lines:
// a camera (roomsink) and two viewers (roomsrc) in an e2ee room. Both
// viewers decode the camera's video, decrypted with keys of the room's MLS
// group. The operator kicks one viewer: its element fails with the reason,
// it decodes nothing more, and the other viewer's group moves to a new
// epoch without it and goes on decoding. A viewer that expects a
// hop-by-hop room is refused by the e2ee room with the reason. The offer a
// viewer makes names both kinds of media it receives.
#include "launched.h"
#include "server-process.h"
#include "run-suite.h"

#include <gst/gst.h>

using namespace server_process;

namespace {

using launched::Pipeline;
using launched::launch;
using launched::wait_for;

std::string viewer(const std::string& token)
{
  return "roomsrc name=r" + element_properties(token) + " r.video_cam ! fakesink name=out sync=false async=false";
}

} // namespace

START_TEST(test_camera_and_viewers)
{
  Pipeline cam, v1, v2;
  ck_assert(launch(cam, "roomsink name=s" + element_properties(g_server->token(g_server->room, "cam", r::kPublishVideo))
      + " videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1 ! s.video_0"));
  ck_assert(launch(v1, viewer(g_server->token(g_server->room, "viewer-1", 0))));
  ck_assert(launch(v2, viewer(g_server->token(g_server->room, "viewer-2", 0))));
  ck_assert_msg(wait_for([&] { return v1.decoded >= 20 && v2.decoded >= 20; }, 30),
      "decoded: viewer-1 %d, viewer-2 %d (errors: '%s' '%s' '%s')", v1.decoded.load(), v2.decoded.load(),
      cam.error.c_str(), v1.error.c_str(), v2.error.c_str());

  // The operator kicks viewer-2.
  const gint64 kicked_at = g_get_monotonic_time();
  // (If viewer-2 was gone already, its element's error says why.)
  ck_assert_msg(g_server->admin({ "kick", g_server->room, "viewer-2" }) == 0, "kick failed; viewer-2: '%s'",
      v2.first_error().c_str());
  ck_assert(wait_for([&] { return !v2.first_error().empty(); }, 10));
  ck_assert_msg(v2.first_error().find("removed from the room") != std::string::npos, "%s", v2.first_error().c_str());
  // The others' group moves on without it, and viewer-1 keeps decoding.
  ck_assert(wait_for([&] { return v1.saw_leave("viewer-2"); }, 10));
  const gint64 rotated_at = g_get_monotonic_time();
  const int v2_total = v2.decoded;
  const int v1_then = v1.decoded;
  ck_assert(wait_for([&] { return v1.decoded >= v1_then + 20; }, 10));
  ck_assert_int_eq(v2.decoded.load(), v2_total);  // nothing after the kick settled
  gint64 last;
  {
    std::lock_guard<std::mutex> g(v2.lock);
    last = v2.last_decoded_us;
  }
  // Reported, not asserted (shared machines): room-bench measures it.
  g_print("kick: last frame decoded by the kicked viewer %+.0f ms after the command; the others' keys rotated "
          "after %.0f ms\n", (last - kicked_at) / 1000.0, (rotated_at - kicked_at) / 1000.0);
  ck_assert(cam.error.empty() && v1.error.empty());
  // EOS (gst-launch-1.0 -e) ends the camera's and the viewer's pipelines.
  for (Pipeline* p : { &cam, &v1 }) {
    gst_element_send_event(p->pipeline, gst_event_new_eos());
    ck_assert_msg(wait_for([&] { return p->eos; }, 10), "no EOS after EOS was sent");
  }
}
END_TEST

START_TEST(test_mode_mismatch_fails_clearly)
{
  Pipeline v;
  ck_assert(!launch(v, "roomsrc name=r" + element_properties(g_server->token(g_server->room, "lost", 0), "hop-by-hop")
      + " r.video_cam ! fakesink"));
  std::lock_guard<std::mutex> g(v.lock);
  ck_assert_msg(v.error.find("mode-mismatch") != std::string::npos && v.error.find("e2ee") != std::string::npos,
      "%s", v.error.c_str());
}
END_TEST

// The transport asks for negotiation once every sink pad has caps, and the
// room session offers from its own thread at any moment after: the offer
// made the instant it is asked for must already carry audio and video. One
// made with the video pad alone was answered without audio, whose packets
// were then dropped on arrival (a recorder's files lacked audio under load).
void offer_now(GstElement* transport, gpointer data)
{
  gchar* offer = nullptr;
  g_signal_emit_by_name(transport, "create-offer", &offer);
  *static_cast<std::string*>(data) = offer ? offer : "(no offer)";
  g_free(offer);
}

START_TEST(test_viewer_offers_audio_and_video)
{
  const std::string token = g_server->token(g_server->room, "eager", 0);
  GError* err = nullptr;
  GstElement* src = gst_parse_launch(("roomsrc" + element_properties(token)).c_str(), &err);
  ck_assert_msg(src, "%s", err ? err->message : "?");
  GstElement* transport = gst_bin_get_by_name(GST_BIN(src), "transport");
  ck_assert(transport);
  std::string offer;
  g_signal_connect(transport, "on-negotiation-needed", G_CALLBACK(offer_now), &offer);
  GstElement* pipeline = gst_pipeline_new(nullptr);
  gst_bin_add(GST_BIN(pipeline), src);
  ck_assert(gst_element_set_state(pipeline, GST_STATE_PAUSED) != GST_STATE_CHANGE_FAILURE);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  g_signal_handlers_disconnect_by_data(transport, &offer);
  gst_object_unref(transport);
  gst_object_unref(pipeline);
  ck_assert_msg(offer.find("VP8/90000") != std::string::npos && offer.find("OPUS/48000") != std::string::npos,
      "the first offer lacks a kind:\n%s", offer.c_str());
}
END_TEST

int main(int argc, char** argv)
{
  gst_init(&argc, &argv);
  Suite* s = suite_create("room-appliance");
  TCase* tc = tcase_create("loopback");
  tcase_set_timeout(tc, 180);
  tcase_add_checked_fixture(tc, start_server, stop_server);
  tcase_add_test(tc, test_camera_and_viewers);
  tcase_add_test(tc, test_mode_mismatch_fails_clearly);
  tcase_add_test(tc, test_viewer_offers_audio_and_video);
  suite_add_tcase(s, tc);
  return run_suite(s);
}
