/* SPDX-License-Identifier: LGPL-2.1-or-later */
// The files of roomrecorder: one WebM file (VP8 + Opus) per participant,
// audio and video together on the pipeline's clock, and one more for a
// screen share. A participant's streams arrive one by one (each "track"
// announcement), and a muxer cannot take a new stream once it has written
// its header, so a file starts one settle time after its participant's
// first stream; a stream that comes later starts a file of its own. Video
// starts at a key frame (one is asked for), and the audio with it, so the
// file starts with both. A file is finished (its muxer
// gets EOS, so its index and duration are written) when its participant
// leaves, and every file when the recorder stops or gets EOS. With
// max-size-time, splitmuxsink closes a fragment every so often, which
// bounds what a crash of the recorder can lose.
#pragma once

#include "room-receiver.h"

#include <gst/gst.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace gste2ee::room {

class Recordings {
public:
  struct Options {
    std::string directory;
    guint64 max_size_time = 0;  // 0: one file per participant
    RoomMode mode = RoomMode::HopByHop;
    // Asks a stream's publisher for a key frame (RoomReceiver's).
    std::function<void(guint32 ssrc)> request_key_frame;
  };

  Recordings(GstBin* bin, Options options);
  ~Recordings();
  Recordings(const Recordings&) = delete;
  Recordings& operator=(const Recordings&) = delete;

  // A received stream whose owner is known (RoomReceiver::OnStream).
  void add_stream(GstPad* rtp, const ReceivedStream& stream);
  // The participant left: its files are finished.
  void finish(const std::string& identity);
  // Finishes every file and waits until all are written; false if some
  // were not within `timeout_ms`.
  bool finish_all(int timeout_ms);
  // For the element's message handler: true if `msg` is the EOS of one of
  // our files (it is ours to consume; the file is complete).
  bool take_message(GstMessage* msg);
  // Once streaming has stopped: everything out of the bin.
  void clear();

private:
  enum class State { Waiting, Starting, Recording, Finishing, Done };
  struct Recording;
  struct Stream {
    Recordings* owner = nullptr;
    Recording* recording = nullptr;
    GstElement* chain = nullptr;
    GstPad* src = nullptr;      // the chain's output: encoded frames
    GstPad* mux_pad = nullptr;  // splitmuxsink's request pad, once started
    guint32 ssrc = 0;
    bool video = false;
    bool key_seen = false;
    gint64 key_asked_at = 0;
  };
  struct Recording {
    std::string identity;
    bool screen = false;
    bool has_video = false;
    bool video_started = false;  // its key frame passed: the audio may too
    gint64 first_at = 0;
    gint64 started_at = 0;
    State state = State::Waiting;
    bool finish_requested = false;
    std::string path_base;  // directory/name, without the extension
    GstElement* splitmux = nullptr;
    std::vector<std::unique_ptr<Stream>> streams;
  };

  static GstPadProbeReturn gate(GstPad* pad, GstPadProbeInfo* info, gpointer stream);
  static GstPadProbeReturn end_stream(GstPad* pad, GstPadProbeInfo* info, gpointer stream);
  static gchar* format_location(GstElement* splitmux, guint fragment, gpointer recording);
  std::string unique_base(const Recording& r);
  void start(Recording* r);
  // With lock_ held: the streams to end (their recording now Finishing).
  std::vector<Stream*> begin_finish(Recording* r);
  void end_streams(const std::vector<Stream*>& streams);

  GstBin* bin_;
  Options options_;
  std::mutex lock_;
  std::condition_variable finished_;
  std::vector<std::unique_ptr<Recording>> recordings_;
  std::set<std::string> used_names_;
};

} // namespace gste2ee::room
