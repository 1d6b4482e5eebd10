/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "room-settings.h"

GType
gst_room_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { static_cast<gint> (gste2ee::room::RoomMode::EndToEnd),
      "End-to-end: SFrame keys from the room's MLS group; the server forwards ciphertext", "e2ee" },
    { static_cast<gint> (gste2ee::room::RoomMode::HopByHop),
      "Hop-by-hop: SRTP to the server only; the server sees the media", "hop-by-hop" },
    { 0, nullptr, nullptr },
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstRoomMode", values));
  return type;
}

namespace gste2ee::room {

namespace {
enum {
  PROP_SERVER = RoomElementSettings::kFirstProperty, PROP_CA_FILE, PROP_ROOM, PROP_TOKEN, PROP_MODE,
  PROP_LOCAL_ADDRESS, PROP_STUN_SERVER, PROP_KEY_LOG
};
}

void RoomElementSettings::install(GObjectClass* klass)
{
  const auto rw = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property(klass, PROP_SERVER, g_param_spec_string("server", "Server",
      "The room server's signalling address, HOST:PORT", "127.0.0.1:7443", rw));
  g_object_class_install_property(klass, PROP_CA_FILE, g_param_spec_string("ca-file", "CA file",
      "PEM certificates trusted for the server (its self-signed certificate, or its CA); unset: the system's",
      nullptr, rw));
  g_object_class_install_property(klass, PROP_ROOM, g_param_spec_string("room", "Room", "The room ID", nullptr, rw));
  g_object_class_install_property(klass, PROP_TOKEN, g_param_spec_string("token", "Token",
      "The join token (a JWT from gst-e2ee-room-token or the operator); write-only, never logged", nullptr,
      static_cast<GParamFlags>(G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY)));
  g_object_class_install_property(klass, PROP_MODE, g_param_spec_enum("mode", "Mode",
      "The room mode this element expects; a room of the other mode is refused, never joined downgraded",
      GST_TYPE_ROOM_MODE, static_cast<gint>(RoomMode::EndToEnd), rw));
  g_object_class_install_property(klass, PROP_LOCAL_ADDRESS, g_param_spec_string("local-address", "Local address",
      "Gather ICE candidates on this local IP only (unset: every interface but loopback, libnice's choice)", nullptr,
      rw));
  g_object_class_install_property(klass, PROP_STUN_SERVER, g_param_spec_string("stun-server", "STUN server",
      "IP[:port] of a STUN server, for a server-reflexive candidate behind NAT", nullptr, rw));
  g_object_class_install_property(klass, PROP_KEY_LOG, g_param_spec_string("key-log", "Key log",
      "e2ee room: append every epoch's SFrame base key to this file (created 0600; mlskeyer's key-log), so that "
      "the room's ciphertext archive (roomrecorder) can be decrypted later with gst-e2ee-room-archive; as secret "
      "as the meeting. Unset (default): keys never leave memory", nullptr, rw));
}

bool RoomElementSettings::set(guint id, const GValue* value)
{
  std::lock_guard<std::mutex> g(lock_);
  const char* s = G_VALUE_HOLDS_STRING(value) ? g_value_get_string(value) : nullptr;
  switch (id) {
    case PROP_SERVER: server_ = s ? s : ""; return true;
    case PROP_CA_FILE: ca_file_ = s ? s : ""; return true;
    case PROP_ROOM: room_ = s ? s : ""; return true;
    case PROP_TOKEN: token_ = s ? s : ""; return true;
    case PROP_MODE: mode_ = static_cast<RoomMode>(g_value_get_enum(value)); return true;
    case PROP_LOCAL_ADDRESS: local_address_ = s ? s : ""; return true;
    case PROP_STUN_SERVER: stun_server_ = s ? s : ""; return true;
    case PROP_KEY_LOG: key_log_ = s ? s : ""; return true;
    default: return false;
  }
}

bool RoomElementSettings::get(guint id, GValue* value) const
{
  std::lock_guard<std::mutex> g(lock_);
  switch (id) {
    case PROP_SERVER: g_value_set_string(value, server_.c_str()); return true;
    case PROP_CA_FILE: g_value_set_string(value, ca_file_.empty() ? nullptr : ca_file_.c_str()); return true;
    case PROP_ROOM: g_value_set_string(value, room_.empty() ? nullptr : room_.c_str()); return true;
    case PROP_MODE: g_value_set_enum(value, static_cast<gint>(mode_)); return true;
    case PROP_LOCAL_ADDRESS:
      g_value_set_string(value, local_address_.empty() ? nullptr : local_address_.c_str());
      return true;
    case PROP_STUN_SERVER: g_value_set_string(value, stun_server_.empty() ? nullptr : stun_server_.c_str()); return true;
    case PROP_KEY_LOG: g_value_set_string(value, key_log_.empty() ? nullptr : key_log_.c_str()); return true;
    default: return false;
  }
}

void RoomElementSettings::configure_transport(GstElement* transport) const
{
  std::lock_guard<std::mutex> g(lock_);
  g_object_set(transport, "local-address", local_address_.empty() ? nullptr : local_address_.c_str(), "stun-server",
      stun_server_.empty() ? nullptr : stun_server_.c_str(), nullptr);
}

RoomSession::Settings RoomElementSettings::session() const
{
  std::lock_guard<std::mutex> g(lock_);
  RoomSession::Settings s;
  s.server = server_;
  s.ca_file = ca_file_;
  s.room = room_;
  s.token = token_;
  s.mode = mode_;
  s.recorder = recorder_;
  s.receive = !publish_only_;
  s.mls_member = mls_member_;
  s.key_log = key_log_;
  return s;
}

} // namespace gste2ee::room
