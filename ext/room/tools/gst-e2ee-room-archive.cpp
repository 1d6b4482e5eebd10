// SPDX-License-Identifier: LGPL-2.1-or-later
// gst-e2ee-room-archive: turns the ciphertext archives roomrecorder writes
// in an e2ee room (<identity>.sframe-archive) into WebM files, with the key
// log a member kept (roomsink/roomsrc key-log, mlskeyer key-log):
//   gst-e2ee-room-archive decrypt --key-log FILE [--output DIR] ARCHIVE...
// Each archive becomes DIR/<name>.webm (VP8 video and screen, Opus audio),
// starting at the first video key frame; frames of epochs missing from the
// log are counted and left out. docs/elements/roomrecorder.md.
#include "archive-decryptor.h"
#include "command-line.h"
#include "mls/sframe_key_log.h"
#include "room/sframe_archive.h"

#include <glib.h>
#include <gst/app/gstappsrc.h>
#include <gst/e2ee/e2ee.h>
#include <gst/gst.h>
#include <openssl/crypto.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace r = gste2ee::room;
namespace m = gste2ee::mls;

namespace {

int fail(const std::string& message)
{
  return gste2ee::room::command_failed("gst-e2ee-room-archive", message);
}

bool read_file(const std::string& path, std::vector<uint8_t>* out, std::string* error)
{
  gchar* data = nullptr;
  gsize size = 0;
  GError* err = nullptr;
  if (!g_file_get_contents(path.c_str(), &data, &size, &err)) {
    *error = err->message;
    g_error_free(err);
    return false;
  }
  out->assign(reinterpret_cast<uint8_t*>(data), reinterpret_cast<uint8_t*>(data) + size);
  OPENSSL_cleanse(data, size);
  g_free(data);
  return true;
}

// What makes a decrypted stream muxable: VP8's and Opus's own payloader and
// depayloader give the frames their key-frame flags, picture size and Opus
// headers (roomrecorder's member chain does the same).
const char* muxable_chain(const std::string& caps)
{
  if (g_str_has_prefix(caps.c_str(), "video/x-vp8"))
    return "rtpvp8pay ! rtpvp8depay wait-for-keyframe=true";
  if (g_str_has_prefix(caps.c_str(), "audio/x-opus"))
    return "rtpopuspay ! rtpopusdepay ! opusparse";
  return nullptr;
}

struct Counts {
  guint64 decrypted = 0, undecryptable = 0;
};

// One archive to one WebM file.
int convert(const std::string& archive_path, const std::string& out_dir, r::ArchiveDecryptor& decryptor)
{
  std::vector<uint8_t> bytes;
  std::string error;
  if (!read_file(archive_path, &bytes, &error))
    return fail(error);
  r::Archive archive;
  if (!r::parse_archive(bytes, &archive, &error))
    return fail(archive_path + ": " + error);
  bytes.clear();
  if (archive.truncated)
    std::fprintf(stderr, "%s: its last record is cut short (the recorder stopped in it); the rest is used\n",
        archive_path.c_str());

  gchar* base = g_path_get_basename(archive_path.c_str());
  std::string name = base;
  g_free(base);
  if (g_str_has_suffix(name.c_str(), ".sframe-archive"))
    name.resize(name.size() - std::strlen(".sframe-archive"));
  gchar* out_path = g_build_filename(out_dir.c_str(), (name + ".webm").c_str(), nullptr);
  const std::string output = out_path;
  g_free(out_path);
  if (g_file_test(output.c_str(), G_FILE_TEST_EXISTS))
    return fail(output + " exists: not overwritten");

  std::string desc = "webmmux name=mux ! filesink name=out";
  std::map<uint8_t, std::string> appsrc_of;
  int videos = 0, audios = 0;
  for (const auto& s : archive.streams) {
    const char* chain = muxable_chain(s.caps);
    if (!chain) {
      std::fprintf(stderr, "%s: stream %u (%s, \"%s\") is not VP8 or Opus: left out\n", archive_path.c_str(), s.id,
          s.kind.c_str(), s.caps.c_str());
      continue;
    }
    const std::string src = "s" + std::to_string(s.id);
    const bool video = g_str_has_prefix(s.caps.c_str(), "video/");
    desc += " appsrc name=" + src + " format=time ! " + chain + " ! queue max-size-time=0 max-size-bytes=0 "
        "max-size-buffers=0 ! mux." + (video ? "video_" + std::to_string(videos++) : "audio_" + std::to_string(audios++));
    appsrc_of[s.id] = src;
  }
  if (appsrc_of.empty())
    return fail(archive_path + ": no VP8 or Opus stream");
  // Decrypted first: an archive none of whose frames the log opens gives
  // no file at all.
  std::map<uint8_t, Counts> counts;
  guint64 decrypted = 0;
  std::vector<uint8_t> plain;
  for (auto& f : archive.frames) {
    if (!appsrc_of.count(f.stream))
      continue;
    if (!decryptor.decrypt(f.data, &plain)) {
      counts[f.stream].undecryptable++;
      continue;
    }
    counts[f.stream].decrypted++;
    decrypted++;
    f.data.swap(plain);
    f.decrypted = true;
  }
  auto report = [&] {
    for (const auto& s : archive.streams)
      if (appsrc_of.count(s.id))
        std::printf("%s: %s stream %u: %" G_GUINT64_FORMAT " frames decrypted, %" G_GUINT64_FORMAT
            " not (no key in the log)\n", archive_path.c_str(), s.kind.c_str(), s.id, counts[s.id].decrypted,
            counts[s.id].undecryptable);
  };
  report();
  if (decrypted == 0)
    return fail(archive_path + ": the key log opens none of its frames (a log of other epochs, or another room)");
  GError* err = nullptr;
  GstElement* pipeline = gst_parse_launch(desc.c_str(), &err);
  if (!pipeline) {
    const int rc = fail(std::string("cannot build the pipeline: ") + (err ? err->message : "?"));
    g_clear_error(&err);
    return rc;
  }
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "out");
  g_object_set(sink, "location", output.c_str(), nullptr);
  gst_object_unref(sink);
  std::map<uint8_t, GstElement*> srcs;
  for (const auto& s : archive.streams) {
    if (!appsrc_of.count(s.id))
      continue;
    GstElement* src = gst_bin_get_by_name(GST_BIN(pipeline), appsrc_of[s.id].c_str());
    GstCaps* caps = gst_caps_from_string(s.caps.c_str());
    g_object_set(src, "caps", caps, "block", FALSE, nullptr);
    if (caps)
      gst_caps_unref(caps);
    srcs[s.id] = src;
  }
  gst_element_set_state(pipeline, GST_STATE_PLAYING);

  // Timestamps start at the archive's first: the recorder's clock is not
  // the file's.
  uint64_t first = r::kArchiveNoPts;
  for (const auto& f : archive.frames)
    if (f.pts_ns != r::kArchiveNoPts && srcs.count(f.stream))
      first = std::min(first, f.pts_ns);
  for (auto& f : archive.frames) {
    auto it = srcs.find(f.stream);
    if (it == srcs.end() || !f.decrypted)
      continue;
    GstBuffer* buf = gst_buffer_new_memdup(f.data.data(), f.data.size());
    OPENSSL_cleanse(f.data.data(), f.data.size());
    if (f.pts_ns != r::kArchiveNoPts)
      GST_BUFFER_PTS(buf) = f.pts_ns - first;
    gst_app_src_push_buffer(GST_APP_SRC(it->second), buf);
  }
  for (auto& [id, src] : srcs)
    gst_app_src_end_of_stream(GST_APP_SRC(src));

  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg = gst_bus_timed_pop_filtered(bus, GST_CLOCK_TIME_NONE,
      static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  int rc = 0;
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    GError* e = nullptr;
    gst_message_parse_error(msg, &e, nullptr);
    rc = fail(output + ": " + e->message);
    g_clear_error(&e);
  }
  gst_message_unref(msg);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  for (auto& [id, src] : srcs)
    gst_object_unref(src);
  gst_object_unref(pipeline);
  if (rc == 0)
    std::printf("%s: written\n", output.c_str());
  return rc;
}

} // namespace

int main(int argc, char** argv)
{
  gst_e2ee_openssl_init();
  gchar* key_log = nullptr;
  gchar* output = nullptr;
  const GOptionEntry entries[] = {
    { "key-log", 0, 0, G_OPTION_ARG_FILENAME, &key_log, "A member's key log (roomsink/roomsrc key-log)", "FILE" },
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &output, "Directory for the WebM files, made if missing (default: .)",
      "DIR" },
    {},
  };
  GOptionContext* ctx = g_option_context_new("decrypt ARCHIVE... - decrypt roomrecorder's ciphertext archives");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  g_option_context_add_group(ctx, gst_init_get_option_group());
  std::string parse_error;
  if (!gste2ee::room::parse_command_line(ctx, &argc, &argv, &parse_error))
    return fail(parse_error);
  if (argc < 3 || std::strcmp(argv[1], "decrypt") != 0 || !key_log)
    return fail("usage: gst-e2ee-room-archive decrypt --key-log FILE [--output DIR] ARCHIVE... (see --help)");
  std::vector<uint8_t> log_bytes;
  std::string error;
  if (!read_file(key_log, &log_bytes, &error))
    return fail(error);
  std::string log_text(log_bytes.begin(), log_bytes.end());
  OPENSSL_cleanse(log_bytes.data(), log_bytes.size());
  std::vector<m::KeyLogEntry> epochs;
  const bool ok = m::parse_key_log(log_text, &epochs, &error);
  OPENSSL_cleanse(log_text.data(), log_text.size());
  if (!ok)
    return fail(std::string(key_log) + ": " + error);
  if (epochs.empty())
    return fail(std::string(key_log) + " holds no epoch");
  r::ArchiveDecryptor decryptor(std::move(epochs));
  // The output directory is made if missing (owner-only: it will hold the
  // meeting in the clear).
  const std::string out_dir = output ? output : ".";
  if (!g_file_test(out_dir.c_str(), G_FILE_TEST_EXISTS))
    g_mkdir_with_parents(out_dir.c_str(), 0700);
  if (!g_file_test(out_dir.c_str(), G_FILE_TEST_IS_DIR))
    return fail(out_dir + " is not a directory and cannot be made one");
  int rc = 0;
  for (int i = 2; i < argc; i++)
    rc |= convert(argv[i], out_dir, decryptor);
  g_free(key_log);
  g_free(output);
  return rc;
}
