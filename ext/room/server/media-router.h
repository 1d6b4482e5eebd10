// SPDX-License-Identifier: LGPL-2.1-or-later
// The server's media path: one pipeline, one `sfuforward` per room, and per
// admitted participant a `peertransport` (ICE, DTLS-SRTP, SRTP) linked to
// the room's sfuforward pads named after the participant. The participant
// offers over signalling; the transport answers. The same in both room
// modes: in an e2ee room the payloads it forwards are SFrame ciphertext.
// Runs on the GLib main loop: the transports' signals from their threads
// are carried to it.
#pragma once

#include "room/message.h"
#include "room/room_server.h"

#include <gst/gst.h>

#include <atomic>
#include <functional>
#include <memory>
#include <map>
#include <string>

namespace gste2ee::room {

class MediaRouter {
public:
  using Send = std::function<void(ConnectionId, const Message&)>;
  // A participant's transport failed or lost its peer (ICE consent).
  using Lost = std::function<void(ConnectionId, const std::string& why)>;

  MediaRouter(std::string local_address, guint peer_timeout_ms, Send send, Lost lost);
  ~MediaRouter();
  MediaRouter(const MediaRouter&) = delete;
  MediaRouter& operator=(const MediaRouter&) = delete;

  bool start(std::string* error);
  // `receives` false: the participant only publishes, and is subscribed to
  // nobody (nor to whoever comes later).
  bool add(ConnectionId c, const std::string& room, bool receives);
  // "sdp" (an offer: answered) or "candidate" from the participant.
  void signal(ConnectionId c, const Message& m);
  void remove(ConnectionId c);
  // The SSRCs forwarded from `c` (RoomServer::allowed_ssrcs); its other
  // streams are dropped as they arrive, before sfuforward.
  void allow(ConnectionId c, const std::vector<uint32_t>& ssrcs);
  // Dropped so far: packets of streams the server did not allow.
  uint64_t refused_packets() const;

private:
  struct Allowed;
  struct Participant {
    GstElement* transport = nullptr;
    Allowed* allowed = nullptr;  // owned by the transport (object data)
    bool receives = true;
    std::string room;
    std::vector<GstPad*> sfu_pads;  // requested on the room's sfuforward
  };

  GstElement* sfu_of(const std::string& room);
  static void on_pad_added(GstElement* transport, GstPad* pad, gpointer self);
  static GstPadProbeReturn gate(GstPad* pad, GstPadProbeInfo* info, gpointer allowed);
  static void on_candidate(GstElement* transport, guint mline, const gchar* line, gpointer self);
  static gboolean on_bus(GstBus*, GstMessage* msg, gpointer self);
  ConnectionId connection_of(GstElement* transport) const;
  void link_src(ConnectionId c, GstElement* sfu, GstPad* pad);

  std::string local_address_;
  guint peer_timeout_ms_;
  Send send_;
  Lost lost_;
  GstElement* pipeline_ = nullptr;
  guint bus_watch_ = 0;
  std::map<std::string, GstElement*> sfus_;
  std::map<ConnectionId, Participant> people_;
  std::shared_ptr<std::atomic<uint64_t>> refused_ = std::make_shared<std::atomic<uint64_t>>(0);
};

} // namespace gste2ee::room
