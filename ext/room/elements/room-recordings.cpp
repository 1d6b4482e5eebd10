/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "room-recordings.h"

#include "room-element.h"

#include <glib/gstdio.h>

GST_DEBUG_CATEGORY_STATIC(room_recordings_debug);
#define GST_CAT_DEFAULT room_recordings_debug

namespace gste2ee::room {

namespace {

// How long after a participant's first stream its file starts: its other
// tracks are announced together with it (an appliance publishes its pads
// at once), well within this.
constexpr gint64 kSettleUs = G_USEC_PER_SEC;
// How often a video stream that waits for a key frame asks for one.
constexpr gint64 kKeyRequestUs = G_USEC_PER_SEC / 2;
// How long the audio waits for the video's first key frame before it is
// recorded alone (a publisher whose video never comes).
constexpr gint64 kAudioWaitUs = 3 * G_USEC_PER_SEC;

// What a stream becomes before the muxer: depayloaded (and in an e2ee room
// decrypted), still encoded. sframedec gives the decrypted frames bare caps
// (video/x-vp8) and no key-frame flags, and the muxer needs the picture size
// and the key frames: VP8's own payloader and depayloader, with no codec
// work, describe them as in a hop-by-hop room.
std::string chain_description(RoomMode mode, bool audio)
{
  std::string d = "rtpjitterbuffer latency=200 ! ";
  if (mode == RoomMode::EndToEnd)
    d += audio ? "rtpsframedepay ! sframedec ! rtpopuspay ! " : "rtpsframedepay ! sframedec ! rtpvp8pay ! ";
  d += audio ? "rtpopusdepay ! opusparse" : "rtpvp8depay request-keyframe=true wait-for-keyframe=true";
  return d;
}

} // namespace

Recordings::Recordings(GstBin* bin, Options options) : bin_(bin), options_(std::move(options))
{
  GST_DEBUG_CATEGORY_INIT(room_recordings_debug, "roomrecorder", 0, "Record a gst-e2ee room");
}

Recordings::~Recordings()
{
  clear();
}

void Recordings::add_stream(GstPad* rtp, const ReceivedStream& s)
{
  const bool audio = s.kind == "audio";
  GError* err = nullptr;
  GstElement* chain = gst_parse_bin_from_description(chain_description(options_.mode, audio).c_str(), TRUE, &err);
  if (!chain) {
    GST_ELEMENT_WARNING(bin_, CORE, MISSING_PLUGIN, ("cannot record %s's %s: %s", s.identity.c_str(),
        s.kind.c_str(), err ? err->message : "?"), (nullptr));
    g_clear_error(&err);
    return;
  }
  auto stream = std::make_unique<Stream>();
  stream->owner = this;
  stream->video = !audio;
  stream->ssrc = s.ssrc;
  stream->chain = GST_ELEMENT(gst_object_ref(chain));
  stream->src = gst_element_get_static_pad(chain, "src");
  Stream* st = stream.get();
  GST_INFO_OBJECT(bin_, "%s's %s (%s)", s.identity.c_str(), s.kind.c_str(), GST_PAD_NAME(rtp));
  // The chain is in the bin before its recording can see it: a file that
  // starts (on another stream's thread) links every stream it has to its
  // muxer, which fails for a chain not yet in the bin (that stream was then
  // silently missing from the file). Until then the gate drops.
  gst_pad_add_probe(st->src, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      gate, st, nullptr);
  add_linked(bin_, chain, rtp);
  {
    std::lock_guard<std::mutex> g(lock_);
    // The participant's file that has not started yet, unless it has this
    // kind of video already; else a new one.
    const bool screen = s.kind == "screen";
    Recording* r = nullptr;
    for (auto& rec : recordings_)
      if (rec->identity == s.identity && rec->screen == screen && rec->state == State::Waiting
          && !(st->video && rec->has_video))
        r = rec.get();
    if (!r) {
      recordings_.push_back(std::make_unique<Recording>());
      r = recordings_.back().get();
      r->identity = s.identity;
      r->screen = screen;
      r->first_at = g_get_monotonic_time();
    }
    r->has_video |= st->video;
    st->recording = r;
    r->streams.push_back(std::move(stream));
  }
}

// Every buffer of a stream passes here: dropped until its file started (the
// first thread past the settle time starts it), then video until a key
// frame, and everything once the file is finishing.
GstPadProbeReturn Recordings::gate(GstPad*, GstPadProbeInfo* info, gpointer data)
{
  auto* st = static_cast<Stream*>(data);
  Recordings* self = st->owner;
  Recording* r;
  bool start = false;
  {
    std::lock_guard<std::mutex> g(self->lock_);
    r = st->recording;
    if (!r)
      return GST_PAD_PROBE_DROP;  // not in a recording yet (add_stream)
    if (r->state == State::Waiting && g_get_monotonic_time() - r->first_at >= kSettleUs) {
      r->state = State::Starting;
      start = true;
    }
  }
  if (start)
    self->start(r);
  bool ask_key = false;
  {
    std::lock_guard<std::mutex> g(self->lock_);
    if (r->state != State::Recording || !st->mux_pad)
      return GST_PAD_PROBE_DROP;
    if (!st->video && r->has_video && !r->video_started && g_get_monotonic_time() - r->started_at < kAudioWaitUs)
      return GST_PAD_PROBE_DROP;
    if (st->video && !st->key_seen) {
      GstBuffer* buf = (info->type & GST_PAD_PROBE_TYPE_BUFFER)
          ? GST_PAD_PROBE_INFO_BUFFER(info)
          : gst_buffer_list_get(GST_PAD_PROBE_INFO_BUFFER_LIST(info), 0);
      if (buf && !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT)) {
        GST_DEBUG_OBJECT(self->bin_, "%s: key frame, the video starts", r->identity.c_str());
        st->key_seen = true;
        r->video_started = true;
      } else {
        const gint64 now = g_get_monotonic_time();
        ask_key = now - st->key_asked_at >= kKeyRequestUs;
        if (ask_key)
          st->key_asked_at = now;
      }
    }
  }
  if (st->video && !st->key_seen) {
    if (ask_key)
      GST_DEBUG_OBJECT(self->bin_, "%s: asking for a key frame", r->identity.c_str());
    if (ask_key && self->options_.request_key_frame)
      self->options_.request_key_frame(st->ssrc);
    return GST_PAD_PROBE_DROP;
  }
  return GST_PAD_PROBE_OK;
}

std::string Recordings::unique_base(const Recording& r)
{
  const std::string name = file_safe_name(r.identity) + (r.screen ? "-screen" : "");
  for (int n = 1;; n++) {
    const std::string candidate = n == 1 ? name : name + "-" + std::to_string(n);
    gchar* path = g_build_filename(options_.directory.c_str(), (candidate + ".webm").c_str(), nullptr);
    gchar* fragment = g_build_filename(options_.directory.c_str(), (candidate + ".001.webm").c_str(), nullptr);
    const bool taken = used_names_.count(candidate) || g_file_test(path, G_FILE_TEST_EXISTS)
        || g_file_test(fragment, G_FILE_TEST_EXISTS);
    g_free(path);
    g_free(fragment);
    if (!taken) {
      used_names_.insert(candidate);
      gchar* base = g_build_filename(options_.directory.c_str(), candidate.c_str(), nullptr);
      std::string out = base;
      g_free(base);
      return out;
    }
  }
}

gchar* Recordings::format_location(GstElement*, guint fragment, gpointer data)
{
  const auto* r = static_cast<Recording*>(data);
  return fragment == 0 ? g_strdup_printf("%s.webm", r->path_base.c_str())
                       : g_strdup_printf("%s.%03u.webm", r->path_base.c_str(), fragment);
}

// On the streaming thread that found the settle time over, without lock_
// (the new elements' state changes post messages the element handles).
void Recordings::start(Recording* r)
{
  GstElement* split = gst_element_factory_make("splitmuxsink", nullptr);
  GstElement* mux = gst_element_factory_make("webmmux", nullptr);
  GstElement* sink = gst_element_factory_make("filesink", nullptr);
  if (!split || !mux || !sink) {
    for (GstElement* e : { split, mux, sink })
      if (e)
        gst_object_unref(gst_object_ref_sink(e));
    GST_ELEMENT_WARNING(bin_, CORE, MISSING_PLUGIN, ("cannot record %s: splitmuxsink, webmmux or filesink is "
        "missing", r->identity.c_str()), (nullptr));
    std::lock_guard<std::mutex> g(lock_);
    r->state = State::Done;
    finished_.notify_all();
    return;
  }
  {
    std::lock_guard<std::mutex> g(lock_);
    r->path_base = unique_base(*r);
  }
  // A sink added while the pipeline plays must not make it preroll again.
  g_object_set(sink, "async", FALSE, "sync", FALSE, nullptr);
  g_object_set(split, "muxer", mux, "sink", sink, "max-size-time", options_.max_size_time, "send-keyframe-requests",
      options_.max_size_time > 0, nullptr);
  g_signal_connect(split, "format-location", G_CALLBACK(format_location), r);
  gst_bin_add(bin_, split);
  {
    std::lock_guard<std::mutex> g(lock_);  // take_message reads it
    r->splitmux = GST_ELEMENT(gst_object_ref(split));
  }
  for (auto& st : r->streams) {
    GstPad* pad = gst_element_request_pad_simple(split, st->video ? "video" : "audio_%u");
    const GstPadLinkReturn linked = pad ? gst_pad_link(st->src, pad) : GST_PAD_LINK_REFUSED;
    if (linked == GST_PAD_LINK_OK) {
      std::lock_guard<std::mutex> g(lock_);
      st->mux_pad = pad;
      continue;
    }
    GST_ELEMENT_WARNING(bin_, STREAM, MUX, ("%s's %s is missing from its recording", r->identity.c_str(),
        st->video ? "video" : "audio"), ("cannot link it to the muxer: %s", gst_pad_link_get_name(linked)));
    if (pad) {
      gst_element_release_request_pad(split, pad);
      gst_object_unref(pad);
    }
  }
  gst_element_sync_state_with_parent(split);
  GST_INFO_OBJECT(bin_, "recording %s to %s.webm", r->identity.c_str(), r->path_base.c_str());
  std::vector<Stream*> to_end;
  {
    std::lock_guard<std::mutex> g(lock_);
    r->state = State::Recording;
    r->started_at = g_get_monotonic_time();
    if (r->finish_requested)
      to_end = begin_finish(r);
  }
  end_streams(to_end);
}

std::vector<Recordings::Stream*> Recordings::begin_finish(Recording* r)
{
  std::vector<Stream*> out;
  switch (r->state) {
    case State::Waiting:
      r->state = State::Done;  // nothing was written
      finished_.notify_all();
      break;
    case State::Starting:
      r->finish_requested = true;  // start() finishes it
      break;
    case State::Recording:
      r->state = State::Finishing;
      for (auto& st : r->streams)
        if (st->mux_pad)
          out.push_back(st.get());
      if (out.empty()) {
        r->state = State::Done;
        finished_.notify_all();
      }
      break;
    case State::Finishing:
    case State::Done:
      break;
  }
  return out;
}

// Once no buffer is on its way through the stream's output (an idle
// probe), it is taken off the muxer and the muxer's pad gets EOS; the gate
// drops whatever comes after.
GstPadProbeReturn Recordings::end_stream(GstPad* pad, GstPadProbeInfo*, gpointer data)
{
  auto* st = static_cast<Stream*>(data);
  gst_pad_unlink(pad, st->mux_pad);
  gst_pad_send_event(st->mux_pad, gst_event_new_eos());
  return GST_PAD_PROBE_REMOVE;
}

void Recordings::end_streams(const std::vector<Stream*>& streams)
{
  for (Stream* st : streams)
    gst_pad_add_probe(st->src, GST_PAD_PROBE_TYPE_IDLE, end_stream, st, nullptr);
}

void Recordings::finish(const std::string& identity)
{
  std::vector<Stream*> to_end;
  {
    std::lock_guard<std::mutex> g(lock_);
    for (auto& r : recordings_) {
      if (r->identity != identity)
        continue;
      auto more = begin_finish(r.get());
      to_end.insert(to_end.end(), more.begin(), more.end());
    }
  }
  end_streams(to_end);
}

bool Recordings::finish_all(int timeout_ms)
{
  std::vector<Stream*> to_end;
  {
    std::lock_guard<std::mutex> g(lock_);
    for (auto& r : recordings_) {
      auto more = begin_finish(r.get());
      to_end.insert(to_end.end(), more.begin(), more.end());
    }
  }
  end_streams(to_end);
  std::unique_lock<std::mutex> g(lock_);
  return finished_.wait_for(g, std::chrono::milliseconds(timeout_ms), [this] {
    for (auto& r : recordings_)
      if (r->state == State::Starting || r->state == State::Finishing)
        return false;
    return true;
  });
}

bool Recordings::take_message(GstMessage* msg)
{
  if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_EOS)
    return false;
  std::lock_guard<std::mutex> g(lock_);
  for (auto& r : recordings_) {
    if (r->splitmux && gst_object_has_as_ancestor(GST_MESSAGE_SRC(msg), GST_OBJECT(r->splitmux))) {
      GST_INFO_OBJECT(bin_, "finished the recording of %s", r->identity.c_str());
      r->state = State::Done;
      finished_.notify_all();
      return true;
    }
  }
  return false;
}

void Recordings::clear()
{
  std::vector<std::unique_ptr<Recording>> recordings;
  {
    std::lock_guard<std::mutex> g(lock_);
    recordings.swap(recordings_);
    used_names_.clear();
  }
  for (auto& r : recordings) {
    for (auto& st : r->streams) {
      if (st->mux_pad && r->splitmux) {
        gst_element_release_request_pad(r->splitmux, st->mux_pad);
        gst_object_unref(st->mux_pad);
      }
      gst_object_unref(st->src);
      take_out(bin_, st->chain);
    }
    if (r->splitmux)
      take_out(bin_, r->splitmux);
  }
}

} // namespace gste2ee::room
