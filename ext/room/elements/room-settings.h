/* SPDX-License-Identifier: LGPL-2.1-or-later */
// The properties roomsink, roomsrc and roomrecorder share: which server (and the
// certificate to trust), which room, the join token, the room mode the
// element expects (joining a room of the other mode fails, never
// downgrades), and where an e2ee member keeps its key log, if anywhere.
#pragma once

#include "room-session.h"

#include <gst/gst.h>

#include <mutex>
#include <string>

#define GST_TYPE_ROOM_MODE (gst_room_mode_get_type ())
GType gst_room_mode_get_type (void);

namespace gste2ee::room {

class RoomElementSettings {
public:
  static constexpr guint kFirstProperty = 1;
  static constexpr guint kPropertyCount = 8;

  static void install(GObjectClass* klass);
  // False if `id` is not one of these properties.
  bool set(guint id, const GValue* value);
  bool get(guint id, GValue* value) const;
  RoomSession::Settings session() const;
  // The transport's ICE settings (local-address, stun-server), before it starts.
  void configure_transport(GstElement* transport) const;
  // roomrecorder joins as a recorder.
  void set_recorder(bool recorder) { recorder_ = recorder; }
  // roomsink only publishes.
  void set_publish_only(bool publish_only) { publish_only_ = publish_only; }
  // roomrecorder archiving ciphertext joins an e2ee room outside its MLS group.
  void set_mls_member(bool member)
  {
    std::lock_guard<std::mutex> g(lock_);
    mls_member_ = member;
  }

private:
  mutable std::mutex lock_;
  std::string server_ = "127.0.0.1:7443";
  std::string ca_file_;
  std::string room_;
  std::string token_;  // write-only: a credential
  RoomMode mode_ = RoomMode::EndToEnd;
  std::string local_address_;
  std::string stun_server_;
  bool recorder_ = false;
  bool publish_only_ = false;
  bool mls_member_ = true;
  std::string key_log_;  // for mlskeyer
};

} // namespace gste2ee::room
