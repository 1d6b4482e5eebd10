/* SPDX-License-Identifier: LGPL-2.1-or-later */
// roomrecorder's files in an e2ee room when it is not an MLS member (its
// default there): one ciphertext archive per participant
// (<identity>.sframe-archive, room/sframe_archive.h), holding each of the
// participant's streams as the SFrame frames its sframeenc made, with their
// timestamps. The recorder never holds a key; gst-e2ee-room-archive
// decrypts an archive later with a member's key log and writes WebM.
// Nothing waits: every frame from the first is kept, since what the frames
// hold (key frames or not) is hidden; a key frame is asked for as each
// stream starts. A participant's archive is closed
// (flushed to disk) when it leaves, and every archive when the recorder
// stops; each frame is appended whole as it arrives, so a recorder that
// dies loses at most the frame it was writing.
#pragma once

#include "room-receiver.h"
#include "room/sframe_archive.h"

#include <gst/gst.h>

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace gste2ee::room {

class Archives {
public:
  // `request_key_frame` asks a stream's publisher for a key frame
  // (RoomReceiver's): sent once as each stream's archive starts, so that it
  // starts with a picture, whatever the recorder cannot see in the frames.
  Archives(GstBin* bin, std::string directory, std::function<void(guint32 ssrc)> request_key_frame);
  ~Archives();
  Archives(const Archives&) = delete;
  Archives& operator=(const Archives&) = delete;

  // A received stream whose owner is known (RoomReceiver::OnStream).
  void add_stream(GstPad* rtp, const ReceivedStream& stream);
  // The participant left: its archive is complete.
  void finish(const std::string& identity);
  void finish_all();
  // Once streaming has stopped: everything out of the bin.
  void clear();

private:
  struct File {
    std::string identity;
    ArchiveWriter writer;
    uint8_t next_stream = 0;
    bool failed = false;  // a write failed: told once, the rest dropped
  };
  struct Stream {
    Archives* owner = nullptr;
    File* file = nullptr;
    uint8_t id = 0;
    std::string kind;
    guint32 ssrc = 0;
    bool declared = false;
    GstElement* chain = nullptr;
  };
  static GstPadProbeReturn on_frame(GstPad* pad, GstPadProbeInfo* info, gpointer stream);
  bool write_frame(Stream* st, GstPad* pad, GstBuffer* buf);
  File* open_file(const std::string& identity);

  GstBin* bin_;
  std::string directory_;
  std::function<void(guint32)> request_key_frame_;
  std::mutex lock_;
  std::vector<std::unique_ptr<File>> files_;
  std::vector<std::unique_ptr<Stream>> streams_;
  std::set<std::string> used_names_;
};

} // namespace gste2ee::room
