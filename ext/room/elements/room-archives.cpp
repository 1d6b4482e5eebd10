/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "room-archives.h"

#include "room-element.h"

#include <glib/gstdio.h>

GST_DEBUG_CATEGORY_STATIC(room_archives_debug);
#define GST_CAT_DEFAULT room_archives_debug

namespace gste2ee::room {

namespace {

// The frames' caps once decrypted: rtpsframedepay carries them as
// original-caps.
std::string decrypted_caps(GstPad* pad)
{
  GstCaps* caps = gst_pad_get_current_caps(pad);
  std::string out;
  if (caps) {
    const gchar* original = gst_structure_get_string(gst_caps_get_structure(caps, 0), "original-caps");
    out = original ? original : "";
    gst_caps_unref(caps);
  }
  return out;
}

} // namespace

Archives::Archives(GstBin* bin, std::string directory, std::function<void(guint32)> request_key_frame)
    : bin_(bin), directory_(std::move(directory)), request_key_frame_(std::move(request_key_frame))
{
  GST_DEBUG_CATEGORY_INIT(room_archives_debug, "roomrecorder", 0, "Record a gst-e2ee room");
}

Archives::~Archives()
{
  clear();
}

// With lock_ held. A new file for each time a participant comes.
Archives::File* Archives::open_file(const std::string& identity)
{
  auto file = std::make_unique<File>();
  file->identity = identity;
  const std::string name = file_safe_name(identity);
  for (int n = 1; n < 1000; n++) {
    const std::string candidate = n == 1 ? name : name + "-" + std::to_string(n);
    if (used_names_.count(candidate))
      continue;
    gchar* path = g_build_filename(directory_.c_str(), (candidate + ".sframe-archive").c_str(), nullptr);
    const bool exists = g_file_test(path, G_FILE_TEST_EXISTS);
    std::string error;
    const bool opened = !exists && file->writer.open(path, &error);
    g_free(path);
    if (!exists && !opened) {
      GST_ELEMENT_WARNING(bin_, RESOURCE, OPEN_WRITE, ("cannot archive %s", identity.c_str()), ("%s", error.c_str()));
      return nullptr;
    }
    if (opened) {
      used_names_.insert(candidate);
      GST_INFO_OBJECT(bin_, "archiving %s's ciphertext to %s.sframe-archive", identity.c_str(), candidate.c_str());
      files_.push_back(std::move(file));
      return files_.back().get();
    }
  }
  return nullptr;
}

void Archives::add_stream(GstPad* rtp, const ReceivedStream& s)
{
  // No decryption, no parsing: the depayloader cuts the SFrame frames out
  // of the RTP packets and says what they will be once decrypted.
  GError* err = nullptr;
  GstElement* chain = gst_parse_bin_from_description(
      "rtpjitterbuffer latency=200 ! rtpsframedepay ! fakesink name=frames sync=false async=false", TRUE, &err);
  if (!chain) {
    GST_ELEMENT_WARNING(bin_, CORE, MISSING_PLUGIN, ("cannot archive %s's %s: %s", s.identity.c_str(),
        s.kind.c_str(), err ? err->message : "?"), (nullptr));
    g_clear_error(&err);
    return;
  }
  Stream* st;
  {
    std::lock_guard<std::mutex> g(lock_);
    File* file = nullptr;
    for (auto& f : files_)
      if (f->identity == s.identity && f->writer.is_open() && f->next_stream < 255)
        file = f.get();
    if (!file)
      file = open_file(s.identity);
    if (!file) {
      gst_object_unref(gst_object_ref_sink(chain));
      return;
    }
    auto stream = std::make_unique<Stream>();
    stream->owner = this;
    stream->file = file;
    stream->id = file->next_stream++;
    stream->kind = s.kind;
    stream->ssrc = s.ssrc;
    stream->chain = GST_ELEMENT(gst_object_ref(chain));
    st = stream.get();
    streams_.push_back(std::move(stream));
  }
  GST_INFO_OBJECT(bin_, "archiving %s's %s (SSRC %08x) as stream %u", s.identity.c_str(), s.kind.c_str(), s.ssrc,
      st->id);
  GstElement* sink = gst_bin_get_by_name(GST_BIN(chain), "frames");
  GstPad* pad = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_frame, st, nullptr);
  gst_object_unref(pad);
  gst_object_unref(sink);
  add_linked(bin_, chain, rtp);
}

GstPadProbeReturn Archives::on_frame(GstPad* pad, GstPadProbeInfo* info, gpointer data)
{
  auto* st = static_cast<Stream*>(data);
  st->owner->write_frame(st, pad, GST_PAD_PROBE_INFO_BUFFER(info));
  return GST_PAD_PROBE_OK;  // to the fakesink
}

bool Archives::write_frame(Stream* st, GstPad* pad, GstBuffer* buf)
{
  const std::string caps = st->declared ? std::string() : decrypted_caps(pad);
  GstMapInfo map;
  if (!gst_buffer_map(buf, &map, GST_MAP_READ))
    return false;
  bool ok = true, warn = false, first = false;
  {
    std::lock_guard<std::mutex> g(lock_);
    File* f = st->file;
    if (!f->writer.is_open() || f->failed) {
      ok = false;  // finished (the participant left) or broken
    } else {
      if (!st->declared) {
        ok = f->writer.add_stream(st->id, st->kind, caps);
        st->declared = first = ok;
      }
      const GstClockTime pts = GST_BUFFER_PTS(buf);
      ok = ok && f->writer.add_frame(st->id, GST_CLOCK_TIME_IS_VALID(pts) ? pts : kArchiveNoPts, map.data, map.size);
      if (!ok) {
        f->failed = warn = true;
      }
    }
  }
  gst_buffer_unmap(buf, &map);
  if (first)
    GST_INFO_OBJECT(bin_, "%s's %s: first frame, %s", st->file->identity.c_str(), st->kind.c_str(), caps.c_str());
  if (first && st->kind != "audio" && request_key_frame_)
    request_key_frame_(st->ssrc);
  if (warn)
    GST_ELEMENT_WARNING(bin_, RESOURCE, WRITE, ("cannot write %s's archive: the rest of it is lost",
        st->file->identity.c_str()), (nullptr));
  return ok;
}

void Archives::finish(const std::string& identity)
{
  std::lock_guard<std::mutex> g(lock_);
  for (auto& f : files_)
    if (f->identity == identity && f->writer.is_open()) {
      GST_INFO_OBJECT(bin_, "finished the archive of %s (%" G_GUINT64_FORMAT " frames)", identity.c_str(),
          f->writer.frames());
      f->writer.close();
    }
}

void Archives::finish_all()
{
  std::lock_guard<std::mutex> g(lock_);
  for (auto& f : files_)
    if (f->writer.is_open())
      f->writer.close();
}

void Archives::clear()
{
  std::vector<std::unique_ptr<Stream>> streams;
  {
    std::lock_guard<std::mutex> g(lock_);
    streams.swap(streams_);
  }
  for (auto& st : streams)
    take_out(bin_, st->chain);
  std::lock_guard<std::mutex> g(lock_);
  files_.clear();  // closes what is still open
  used_names_.clear();
}

} // namespace gste2ee::room
