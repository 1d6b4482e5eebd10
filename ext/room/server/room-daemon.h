// SPDX-License-Identifier: LGPL-2.1-or-later
// The room server's I/O shell around the sans-IO core (room/room_server.h):
// the TLS listener and the participants' connections, the admin socket,
// and carrying out the core's actions. Runs on the GLib main loop.
#pragma once

#include "media-router.h"
#include "room/room_server.h"
#include "tls-connection.h"

#include <glib.h>
#include <openssl/ssl.h>

#include <map>
#include <memory>
#include <string>

namespace gste2ee::room {

struct DaemonOptions {
  bool log_identities = false;  // otherwise participants are logged by connection number
  guint join_timeout_s = 10;    // to send a valid "join" after connecting
  size_t max_connections = 1000;
  std::string media_address;    // where the transports gather ICE candidates (empty: every interface)
  guint peer_timeout_ms = 10000;  // a participant's media silent this long is removed
};

class RoomDaemon {
public:
  RoomDaemon(RoomServer core, SSL_CTX* tls, DaemonOptions options);
  ~RoomDaemon();

  // Listens on host:port (port 0: any); `bound_port` gets the port.
  bool listen(const std::string& host, uint16_t port, uint16_t* bound_port, std::string* error);
  // The admin socket: a Unix stream socket, mode 0600, and only clients of
  // this user are served. A stale socket file is replaced; a live one is not.
  bool open_admin_socket(const std::string& path, std::string* error);

  RoomServer& core() { return core_; }
  // The media path (one pipeline, sfuforward per room, a transport per
  // participant); false if the plugins are missing.
  bool start_media(std::string* error);

private:
  struct AdminClient {
    int fd = -1;
    guint source = 0;
    FrameReader reader;
  };

  static gboolean on_accept(gint fd, GIOCondition, gpointer self);
  static gboolean on_admin_accept(gint fd, GIOCondition, gpointer self);
  static gboolean on_admin_io(gint fd, GIOCondition, gpointer self);
  void on_message(ConnectionId from, const Message& m);
  void on_end(ConnectionId c, const std::string& why);
  void dispatch(const std::vector<Action>& actions);
  void close_admin_client(int fd);
  void on_media_lost(ConnectionId c, const std::string& why);
  std::string who(ConnectionId c, const std::string& identity) const;
  uint64_t now() const;

  RoomServer core_;
  SSL_CTX* tls_;
  DaemonOptions options_;
  int listen_fd_ = -1;
  guint listen_source_ = 0;
  int admin_fd_ = -1;
  guint admin_source_ = 0;
  std::string admin_path_;
  ConnectionId next_id_ = 1;
  std::map<ConnectionId, std::unique_ptr<TlsConnection>> connections_;
  std::map<ConnectionId, guint> join_timers_;
  std::map<int, AdminClient> admin_clients_;
  std::unique_ptr<MediaRouter> media_;
};

} // namespace gste2ee::room
