// SPDX-License-Identifier: LGPL-2.1-or-later
// roomrecorder against the server, on loopback, as launch lines, in a
// hop-by-hop room: a camera + microphone appliance (roomsink), a viewer
// (roomsrc, which decodes the camera) and a recorder. The camera is told a
// recorder is there. When the camera leaves,
// its file is finished; a second camera joins, and when the recorder gets
// EOS (gst-launch-1.0 -e) its file is finished too. Both files play back:
// decoded here, video and audio, aligned, with a duration (which only a
// finished file has). In an e2ee room it archives the ciphertext by
// default, which gst-e2ee-room-archive decrypts with a member's key log
// across a rekey; or it is a member. A token without the record permission
// records nothing.
#include "launched.h"
#include "server-process.h"
#include "run-suite.h"

#include <gst/gst.h>

#include <glib/gstdio.h>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace server_process;

namespace {

using launched::Pipeline;
using launched::launch;
using launched::wait_for;

std::string camera(const std::string& room, const std::string& identity, const char* mode = "hop-by-hop",
    const std::string& more = "")
{
  return "roomsink name=s" + more
      + element_properties(g_server->token(room, identity, r::kPublishVideo | r::kPublishAudio), mode, room)
      + " videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1 ! s.video_0"
        " audiotestsrc is-live=true wave=ticks ! s.audio_0";
}

std::string recorder(const std::string& room, const std::string& dir, unsigned perms, const char* mode = "hop-by-hop",
    const char* e2ee_recording = "ciphertext")
{
  return "roomrecorder location=" + dir + " e2ee-recording=" + e2ee_recording
      + element_properties(g_server->token(room, "recorder", perms), mode, room);
}

struct Played {
  int video_frames = 0, audio_buffers = 0;
  GstClockTime first_video = GST_CLOCK_TIME_NONE, last_video = 0, first_audio = GST_CLOCK_TIME_NONE, last_audio = 0;
  gint64 duration = -1;
  std::string error;
};

void count(GstElement* sink, GstBuffer* buf, GstPad*, gpointer data)
{
  auto* p = static_cast<Played*>(data);
  const bool video = g_str_has_prefix(GST_OBJECT_NAME(sink), "v");
  const GstClockTime t = GST_BUFFER_PTS(buf);
  (video ? p->video_frames : p->audio_buffers)++;
  GstClockTime& first = video ? p->first_video : p->first_audio;
  GstClockTime& last = video ? p->last_video : p->last_audio;
  if (GST_CLOCK_TIME_IS_VALID(t)) {
    if (!GST_CLOCK_TIME_IS_VALID(first))
      first = t;
    last = std::max(last, t);
  }
}

// A file without one of the two tracks leaves that branch unlinked; its
// sink would never see EOS and the player would wait for nothing. Take the
// branch out once the demuxer has made all its pads, so the counts fail.
void drop_unlinked_branches(GstElement* demux, gpointer data)
{
  auto* pipeline = static_cast<GstBin*>(data);
  for (const char* branch : { "vq", "aq" }) {
    GstElement* queue = gst_bin_get_by_name(pipeline, branch);
    GstPad* pad = gst_element_get_static_pad(queue, "sink");
    if (!gst_pad_is_linked(pad)) {
      GST_INFO_OBJECT(demux, "no %s track: branch %s taken out", branch[0] == 'v' ? "video" : "audio", branch);
      GstElement* decoder = gst_bin_get_by_name(pipeline, branch[0] == 'v' ? "vd" : "ad");
      GstElement* sink = gst_bin_get_by_name(pipeline, branch[0] == 'v' ? "v" : "a");
      for (GstElement* e : { queue, decoder, sink }) {
        gst_element_set_locked_state(e, TRUE);
        gst_element_set_state(e, GST_STATE_NULL);
        gst_bin_remove(pipeline, e);
      }
      gst_object_unref(sink);
      gst_object_unref(decoder);
    }
    gst_object_unref(pad);
    gst_object_unref(queue);
  }
}

// Decodes a recorded file to the end. The sinks do not preroll: a file
// whose video track holds no frame would otherwise never preroll its video
// sink while the audio queue filled, and hang instead of failing the counts.
Played play(const std::string& path)
{
  Played p;
  const std::string desc = "filesrc location=" + path + " ! matroskademux name=d"
      " d.video_0 ! queue name=vq ! vp8dec name=vd ! fakesink name=v sync=false async=false signal-handoffs=true"
      " d.audio_0 ! queue name=aq ! opusdec name=ad ! fakesink name=a sync=false async=false signal-handoffs=true";
  GError* err = nullptr;
  GstElement* pipeline = gst_parse_launch(desc.c_str(), &err);
  ck_assert_msg(pipeline, "%s", err ? err->message : "?");
  GstElement* demux = gst_bin_get_by_name(GST_BIN(pipeline), "d");
  g_signal_connect(demux, "no-more-pads", G_CALLBACK(drop_unlinked_branches), pipeline);
  gst_object_unref(demux);
  for (const char* name : { "v", "a" }) {
    GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), name);
    g_signal_connect(sink, "handoff", G_CALLBACK(count), &p);
    gst_object_unref(sink);
  }
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg = gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND,
      static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  if (!msg) {
    p.error = "no EOS within 30 s";
  } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    GError* e = nullptr;
    gst_message_parse_error(msg, &e, nullptr);
    p.error = e->message;
    g_clear_error(&e);
  }
  if (msg)
    gst_message_unref(msg);
  gst_element_query_duration(pipeline, GST_FORMAT_TIME, &p.duration);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  return p;
}

// A finished recording of a few seconds of 30 fps video and audio, the two
// starting and ending together.
void check_recording(const std::string& path)
{
  const Played p = play(path);
  const double s = 1e-9;
  g_print("%s: %d video frames (%.2f-%.2f s), %d audio buffers (%.2f-%.2f s), duration %.2f s\n", path.c_str(),
      p.video_frames, p.first_video * s, p.last_video * s, p.audio_buffers, p.first_audio * s, p.last_audio * s,
      p.duration * s);
  ck_assert_msg(p.error.empty(), "%s: %s", path.c_str(), p.error.c_str());
  ck_assert_int_ge(p.video_frames, 30);
  ck_assert_int_ge(p.audio_buffers, 50);  // 20 ms Opus frames: at least a second
  ck_assert_msg(p.duration > 0, "%s has no duration: not finished", path.c_str());
  ck_assert_msg(std::fabs(double(p.first_video) - double(p.first_audio)) * s < 0.3
          && std::fabs(double(p.last_video) - double(p.last_audio)) * s < 0.3,
      "audio and video are not aligned");
}

std::string temp_dir()
{
  gchar* d = g_dir_make_tmp("room-recorder-XXXXXX", nullptr);
  std::string out = d;
  g_free(d);
  return out;
}

void remove_dir(const std::string& dir)
{
  GDir* d = g_dir_open(dir.c_str(), 0, nullptr);
  while (const gchar* name = d ? g_dir_read_name(d) : nullptr) {
    gchar* path = g_build_filename(dir.c_str(), name, nullptr);
    g_unlink(path);
    g_free(path);
  }
  if (d)
    g_dir_close(d);
  g_rmdir(dir.c_str());
}

goffset file_size(const std::string& path)
{
  GStatBuf st;
  return g_stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

std::string create_room(const char* mode)
{
  std::string out;
  ck_assert_int_eq(g_server->admin({ "create", mode }, &out), 0);
  while (!out.empty() && g_ascii_isspace(out.back()))
    out.pop_back();
  return out;
}

} // namespace

START_TEST(test_hop_by_hop_recording)
{
  const std::string room = create_room("hop-by-hop");
  const std::string dir = temp_dir();
  const std::string cam1_file = dir + "/cam-1.webm", cam2_file = dir + "/cam-2.webm";
  {
    Pipeline cam1, cam2, viewer, rec;
    ck_assert(launch(cam1, camera(room, "cam-1")));
    ck_assert(launch(viewer, "roomsrc name=v" + element_properties(g_server->token(room, "viewer", 0), "hop-by-hop", room)
        + " v.video_cam-1 ! fakesink name=out sync=false async=false"));
    ck_assert(launch(rec, recorder(room, dir, r::kRecord)));
    // The camera and the viewer are told: nobody is recorded unknowingly.
    ck_assert(wait_for([&] { return cam1.saw_recorder("recorder") && viewer.saw_recorder("recorder"); }, 10));
    ck_assert_msg(wait_for([&] { return viewer.decoded >= 20; }, 30), "the viewer decoded %d frames ('%s')",
        viewer.decoded.load(), viewer.first_error().c_str());
    // A few seconds of cam-1; cam-2 comes (a camera only publishes: the
    // server sends it nobody's media), then cam-1 leaves: its file is
    // finished.
    ck_assert_msg(wait_for([&] { return file_size(cam1_file) > 30000; }, 30), "%s: %lld bytes (errors '%s' '%s')",
        cam1_file.c_str(), static_cast<long long>(file_size(cam1_file)), cam1.first_error().c_str(),
        rec.first_error().c_str());
    ck_assert(launch(cam2, camera(room, "cam-2")));
    ck_assert(wait_for([&] { return file_size(cam2_file) > 30000; }, 30));
    for (Pipeline* cam : { &cam1, &cam2 }) {
      GstElement* sink = gst_bin_get_by_name(GST_BIN(cam->pipeline), "s");
      GstElement* transport = gst_bin_get_by_name(GST_BIN(sink), "transport");
      GstStructure* stats = nullptr;
      g_object_get(transport, "stats", &stats, nullptr);
      guint64 received = 1;
      ck_assert(gst_structure_get_uint64(stats, "rtp-received", &received));
      ck_assert_uint_eq(received, 0);
      gst_structure_free(stats);
      gst_object_unref(transport);
      gst_object_unref(sink);
    }
    gst_element_set_state(cam1.pipeline, GST_STATE_NULL);
    ck_assert_msg(wait_for([&] { return rec.saw_file_closed(cam1_file); }, 10), "cam-1's file was not finished");
    // The recorder gets EOS (gst-launch-1.0 -e): cam-2's file is finished
    // before the recorder's EOS.
    gst_element_send_event(rec.pipeline, gst_event_new_eos());
    ck_assert(wait_for([&] { return rec.eos; }, 15));
    ck_assert(rec.saw_file_closed(cam2_file));
    ck_assert_msg(rec.first_error().empty(), "%s", rec.first_error().c_str());
  }
  check_recording(cam1_file);
  check_recording(cam2_file);
  remove_dir(dir);
}
END_TEST

// In an e2ee room the recorder is a member of the room's MLS group (so its
// files are in the clear): the camera sees it join as a recorder. Then the
// operator kicks the recorder: its element fails with the reason, and
// stopping it (as gst-launch-1.0 does on an error) finishes its file.
START_TEST(test_e2ee_recording_as_a_member)
{
  const std::string dir = temp_dir();
  const std::string file = dir + "/cam.webm";
  {
    Pipeline cam, rec;
    ck_assert(launch(cam, camera(g_server->room, "cam", "e2ee")));
    ck_assert(launch(rec, recorder(g_server->room, dir, r::kRecord, "e2ee", "member")));
    ck_assert(wait_for([&] { return cam.saw_recorder("recorder"); }, 10));
    ck_assert_msg(wait_for([&] { return file_size(file) > 30000; }, 30), "%s: %lld bytes (errors '%s' '%s')",
        file.c_str(), static_cast<long long>(file_size(file)), cam.first_error().c_str(), rec.first_error().c_str());
    ck_assert_int_eq(g_server->admin({ "kick", g_server->room, "recorder" }), 0);
    ck_assert(wait_for([&] { return rec.first_error().find("removed from the room") != std::string::npos; }, 10));
    gst_element_set_state(rec.pipeline, GST_STATE_NULL);
    ck_assert(rec.saw_file_closed(file));
  }
  check_recording(file);
  remove_dir(dir);
}
END_TEST

// `gst-e2ee-room-archive ARGS...`: its exit status, output in `out`.
int archive_tool(std::vector<std::string> args, std::string* out)
{
  std::vector<char*> argv{ const_cast<char*>(ROOM_ARCHIVE_TOOL_PATH) };
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  gchar *o = nullptr, *e = nullptr;
  gint status = 0;
  ck_assert(g_spawn_sync(nullptr, argv.data(), nullptr, G_SPAWN_DEFAULT, nullptr, nullptr, &o, &e, &status, nullptr));
  *out = std::string(o ? o : "") + (e ? e : "");
  g_free(o);
  g_free(e);
  return g_spawn_check_wait_status(status, nullptr) ? 0 : 1;
}

// By default an e2ee room is recorded as ciphertext: the recorder joins
// outside the MLS group (the cameras are told it records ciphertext), holds
// no key, and archives each camera's SFrame frames. cam-2 comes later, so
// the group rekeys while cam-1 is archived. After the meeting,
// gst-e2ee-room-archive decrypts both archives with cam-1's key log into
// WebM that plays, video and audio; without a key log that covers them,
// nothing comes out.
START_TEST(test_e2ee_ciphertext_archive)
{
  const std::string room = create_room("e2ee");
  const std::string dir = temp_dir(), out_dir = temp_dir();
  const std::string key_log = out_dir + "/cam-1.keys";
  const std::string cam1_archive = dir + "/cam-1.sframe-archive", cam2_archive = dir + "/cam-2.sframe-archive";
  {
    Pipeline cam1, cam2, rec;
    ck_assert(launch(cam1, camera(room, "cam-1", "e2ee", " key-log=" + key_log)));
    ck_assert_msg(launch(rec, recorder(room, dir, r::kRecord, "e2ee")), "%s", rec.first_error().c_str());
    ck_assert(wait_for([&] { return cam1.saw_recorder("recorder:ciphertext"); }, 10));
    std::string status;
    g_server->admin({ "list" }, &status);
    ck_assert_msg(status.find("recorder (recorder, ciphertext)") != std::string::npos, "%s", status.c_str());
    ck_assert_msg(wait_for([&] { return file_size(cam1_archive) > 30000; }, 30), "%s: %lld bytes (errors '%s' '%s')",
        cam1_archive.c_str(), static_cast<long long>(file_size(cam1_archive)), cam1.first_error().c_str(),
        rec.first_error().c_str());
    ck_assert(launch(cam2, camera(room, "cam-2", "e2ee")));
    ck_assert(wait_for([&] { return file_size(cam2_archive) > 30000; }, 30));
    const goffset cam1_before = file_size(cam1_archive);
    ck_assert(wait_for([&] { return file_size(cam1_archive) > cam1_before + 30000; }, 30));
    gst_element_send_event(rec.pipeline, gst_event_new_eos());
    ck_assert(wait_for([&] { return rec.eos; }, 15));
    ck_assert_msg(rec.first_error().empty(), "%s", rec.first_error().c_str());
  }
  gchar* log_text = nullptr;
  ck_assert(g_file_get_contents(key_log.c_str(), &log_text, nullptr, nullptr));
  const std::string keys = log_text;
  g_free(log_text);
  ck_assert_msg(std::count(keys.begin(), keys.end(), '\n') >= 2, "cam-1 logged one epoch only:\n%s", keys.c_str());
  GStatBuf st;
  ck_assert(g_stat(key_log.c_str(), &st) == 0 && (st.st_mode & 0777) == 0600);

  // With the log of the first epoch only, cam-2 (there from a later one)
  // decrypts to nothing: the tool fails rather than write an empty file.
  const std::string first_epoch = out_dir + "/first.keys", early_dir = out_dir + "/early";
  ck_assert(g_file_set_contents(first_epoch.c_str(), keys.substr(0, keys.find('\n') + 1).c_str(), -1, nullptr));
  g_mkdir(early_dir.c_str(), 0700);
  std::string out;
  ck_assert(archive_tool({ "decrypt", "--key-log", first_epoch, "--output", early_dir, cam2_archive }, &out) != 0);
  ck_assert_msg(out.find("opens none of its frames") != std::string::npos, "%s", out.c_str());
  ck_assert(!g_file_test((early_dir + "/cam-2.webm").c_str(), G_FILE_TEST_EXISTS));
  remove_dir(early_dir);
  g_unlink(first_epoch.c_str());

  // Into a directory not made yet, as README's line does.
  const std::string clear_dir = out_dir + "/clear";
  ck_assert_msg(archive_tool({ "decrypt", "--key-log", key_log, "--output", clear_dir, cam1_archive, cam2_archive },
      &out) == 0, "%s", out.c_str());
  g_print("%s", out.c_str());
  check_recording(clear_dir + "/cam-1.webm");
  check_recording(clear_dir + "/cam-2.webm");
  remove_dir(clear_dir);
  remove_dir(dir);
  remove_dir(out_dir);
}
END_TEST

START_TEST(test_recording_needs_the_permission)
{
  const std::string room = create_room("hop-by-hop");
  const std::string dir = temp_dir();
  Pipeline rec;
  ck_assert(!launch(rec, recorder(room, dir, r::kPublishVideo)));
  ck_assert_msg(rec.first_error().find("record permission") != std::string::npos, "%s", rec.first_error().c_str());
  remove_dir(dir);
}
END_TEST

// A missing directory is made; one that cannot be (under a file) fails the
// element at start with the reason.
START_TEST(test_location_made_or_refused)
{
  const std::string dir = temp_dir();
  const std::string file = dir + "/a-file";
  ck_assert(g_file_set_contents(file.c_str(), "x", 1, nullptr));
  {
    Pipeline rec;
    ck_assert(!launch(rec, recorder(g_server->room, file + "/sub", r::kRecord)));
    ck_assert_msg(rec.first_error().find("not a writable directory") != std::string::npos, "%s",
        rec.first_error().c_str());
  }
  {
    Pipeline rec;
    ck_assert_msg(launch(rec, recorder(g_server->room, dir + "/made/here", r::kRecord, "e2ee")), "%s",
        rec.first_error().c_str());
    ck_assert(g_file_test((dir + "/made/here").c_str(), G_FILE_TEST_IS_DIR));
  }
  g_rmdir((dir + "/made/here").c_str());
  g_rmdir((dir + "/made").c_str());
  remove_dir(dir);
}
END_TEST

int main(int argc, char** argv)
{
  gst_init(&argc, &argv);
  Suite* s = suite_create("room-recorder");
  TCase* tc = tcase_create("loopback");
  tcase_set_timeout(tc, 180);
  tcase_add_checked_fixture(tc, start_server, stop_server);
  tcase_add_test(tc, test_hop_by_hop_recording);
  tcase_add_test(tc, test_e2ee_recording_as_a_member);
  tcase_add_test(tc, test_e2ee_ciphertext_archive);
  tcase_add_test(tc, test_recording_needs_the_permission);
  tcase_add_test(tc, test_location_made_or_refused);
  suite_add_tcase(s, tc);
  return run_suite(s);
}
