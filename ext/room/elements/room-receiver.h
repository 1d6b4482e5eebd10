/* SPDX-License-Identifier: LGPL-2.1-or-later */
// What roomsrc and roomrecorder receive alike: the transport's incoming RTP,
// split per SSRC, and whose stream each SSRC is (the server's "track"
// announcements). A stream that arrives before its announcement is dropped
// until the announcement comes (holding it would stall every stream of its
// payload type); once its owner is known, `on_stream` links it.
#pragma once

#include "room/message.h"
#include "room/room_server.h"

#include <gst/gst.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace gste2ee::room {

struct ReceivedStream {
  std::string identity;
  std::string kind;  // audio, video, screen
  guint32 ssrc = 0;
};

class RoomReceiver {
public:
  // `rtp` is an rtpssrcdemux src pad carrying one stream's RTP (SRTP
  // removed; SFrame ciphertext in an e2ee room). Called on a streaming
  // thread or the session's thread; it links `rtp` to what it makes.
  using OnStream = std::function<void(GstPad* rtp, const ReceivedStream& stream)>;

  RoomReceiver(GstBin* bin, GstElement* transport, OnStream on_stream);
  ~RoomReceiver();
  RoomReceiver(const RoomReceiver&) = delete;
  RoomReceiver& operator=(const RoomReceiver&) = delete;

  // Before the session's offer: the transport's offer must describe what we
  // receive, so one sink pad per kind gets caps and no data.
  void describe_reception(RoomMode mode);
  // A "track" message from the server.
  void on_track(const Message& m);
  // Asks the publisher of `ssrc` for a key frame (an RTCP PLI through the
  // server, which forwards it). Any thread.
  void request_key_frame(guint32 ssrc);
  // When the element stops: the demuxers out of the bin, everything forgotten.
  void stop();

private:
  struct Pending {
    GstPad* pad;  // rtpssrcdemux's src pad, dropping until we know whose it is
    gulong probe;
  };
  static void on_transport_pad(GstElement*, GstPad* pad, gpointer self);
  static void on_ssrc_pad(GstElement*, GstPad* pad, gpointer self);

  GstBin* bin_;
  GstElement* transport_;
  OnStream on_stream_;
  gulong pad_added_ = 0;
  std::mutex lock_;
  std::map<guint32, ReceivedStream> tracks_;  // announced by the server
  std::map<guint32, Pending> pending_;        // arrived before their announcement
  std::vector<GstPad*> dummy_pads_;
  GstPad* feedback_ = nullptr;  // the transport's sink pad for our RTCP (one of dummy_pads_)
  std::vector<GstElement*> demuxers_;
};

} // namespace gste2ee::room
