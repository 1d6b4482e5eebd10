// SPDX-License-Identifier: LGPL-2.1-or-later
// The appliance elements against the server, on loopback, as launch lines:
// a camera (roomsink) and two viewers (roomsrc) in an e2ee room. Both
// viewers decode the camera's video, decrypted with keys of the room's MLS
// group. The operator kicks one viewer: its element fails with the reason,
// it decodes nothing more, and the other viewer's group moves to a new
// epoch without it and goes on decoding. A viewer that expects a
// hop-by-hop room is refused by the e2ee room with the reason.
#include "server-process.h"

#include <gst/gst.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>

using namespace server_process;

namespace {

struct Pipeline {
  GstElement* pipeline = nullptr;
  std::atomic<int> decoded{ 0 };
  std::mutex lock;
  std::string error;
  std::vector<std::string> left;  // identities an mlskeyer-epoch said left
  gint64 last_decoded_us = 0;

  ~Pipeline()
  {
    if (pipeline) {
      gst_element_set_state(pipeline, GST_STATE_NULL);
      gst_object_unref(pipeline);
    }
  }
};

GstBusSyncReply on_bus(GstBus*, GstMessage* msg, gpointer data)
{
  auto* p = static_cast<Pipeline*>(data);
  std::lock_guard<std::mutex> g(p->lock);
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR && p->error.empty()) {
    GError* err = nullptr;
    gst_message_parse_error(msg, &err, nullptr);
    p->error = err ? err->message : "?";
    g_clear_error(&err);
  } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ELEMENT
      && gst_structure_has_name(gst_message_get_structure(msg), "mlskeyer-epoch")) {
    const GValue* left = gst_structure_get_value(gst_message_get_structure(msg), "left");
    for (guint i = 0; left && i < gst_value_array_get_size(left); i++)
      p->left.push_back(g_value_get_string(gst_value_array_get_value(left, i)));
  }
  return GST_BUS_PASS;
}

void on_handoff(GstElement*, GstBuffer*, GstPad*, gpointer data)
{
  auto* p = static_cast<Pipeline*>(data);
  p->decoded++;
  std::lock_guard<std::mutex> g(p->lock);
  p->last_decoded_us = g_get_monotonic_time();
}

std::string common(const std::string& token, const char* mode = "e2ee")
{
  return std::string(" server=127.0.0.1:") + std::to_string(g_server->port) + " ca-file=" + g_server->path("cert.pem")
      + " room=" + g_server->room + " token=" + token + " mode=" + mode + " local-address=127.0.0.1";
}

// Starts a launch line; false (with the element's error) if it does not start.
bool launch(Pipeline& p, const std::string& desc)
{
  GError* err = nullptr;
  p.pipeline = gst_parse_launch(desc.c_str(), &err);
  ck_assert_msg(p.pipeline != nullptr, "%s", err ? err->message : "?");
  GstBus* bus = gst_element_get_bus(p.pipeline);
  gst_bus_set_sync_handler(bus, on_bus, &p, nullptr);
  gst_object_unref(bus);
  if (GstElement* out = gst_bin_get_by_name(GST_BIN(p.pipeline), "out")) {
    g_object_set(out, "signal-handoffs", TRUE, nullptr);
    g_signal_connect(out, "handoff", G_CALLBACK(on_handoff), &p);
    gst_object_unref(out);
  }
  return gst_element_set_state(p.pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE;
}

bool wait_for(const std::function<bool()>& done, int seconds)
{
  const gint64 until = g_get_monotonic_time() + gint64(seconds) * G_USEC_PER_SEC;
  while (!done() && g_get_monotonic_time() < until)
    g_usleep(20000);
  return done();
}

std::string viewer(const std::string& token)
{
  return "roomsrc name=r" + common(token) + " r.video_cam ! fakesink name=out sync=false async=false";
}

} // namespace

START_TEST(test_camera_and_viewers)
{
  Pipeline cam, v1, v2;
  ck_assert(launch(cam, "roomsink name=s" + common(g_server->token(g_server->room, "cam", r::kPublishVideo))
      + " videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1 ! s.video_0"));
  ck_assert(launch(v1, viewer(g_server->token(g_server->room, "viewer-1", 0))));
  ck_assert(launch(v2, viewer(g_server->token(g_server->room, "viewer-2", 0))));
  ck_assert_msg(wait_for([&] { return v1.decoded >= 20 && v2.decoded >= 20; }, 30),
      "decoded: viewer-1 %d, viewer-2 %d (errors: '%s' '%s' '%s')", v1.decoded.load(), v2.decoded.load(),
      cam.error.c_str(), v1.error.c_str(), v2.error.c_str());

  // The operator kicks viewer-2.
  const gint64 kicked_at = g_get_monotonic_time();
  ck_assert_int_eq(g_server->admin({ "kick", g_server->room, "viewer-2" }), 0);
  ck_assert(wait_for([&] {
    std::lock_guard<std::mutex> g(v2.lock);
    return !v2.error.empty();
  }, 10));
  ck_assert_msg(v2.error.find("removed from the room") != std::string::npos, "%s", v2.error.c_str());
  // The others' group moves on without it, and viewer-1 keeps decoding.
  ck_assert(wait_for([&] {
    std::lock_guard<std::mutex> g(v1.lock);
    return std::find(v1.left.begin(), v1.left.end(), "viewer-2") != v1.left.end();
  }, 10));
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
}
END_TEST

START_TEST(test_mode_mismatch_fails_clearly)
{
  Pipeline v;
  ck_assert(!launch(v, "roomsrc name=r" + common(g_server->token(g_server->room, "lost", 0), "hop-by-hop")
      + " r.video_cam ! fakesink"));
  std::lock_guard<std::mutex> g(v.lock);
  ck_assert_msg(v.error.find("mode-mismatch") != std::string::npos && v.error.find("e2ee") != std::string::npos,
      "%s", v.error.c_str());
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
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  const int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? 0 : 1;
}
