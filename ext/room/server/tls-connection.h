// SPDX-License-Identifier: LGPL-2.1-or-later
// One participant's signalling connection on the server: a non-blocking
// socket with OpenSSL TLS 1.3 driven from the GLib main loop, cut into
// frames. It reports whole messages and its end; the daemon decides.
// Bounded: a frame at most kMaxFrameBytes, at most kMaxQueuedBytes waiting
// to be sent (a peer that does not read is dropped).
#pragma once

#include "room/framing.h"
#include "room/message.h"
#include "room/room_server.h"

#include <glib.h>
#include <openssl/ssl.h>

#include <functional>
#include <string>

namespace gste2ee::room {

class TlsConnection {
public:
  using MessageHandler = std::function<void(ConnectionId, const Message&)>;
  // Called once, when the connection is over (closed by either side or
  // broken); the daemon then deletes it from an idle callback.
  using EndHandler = std::function<void(ConnectionId, const std::string& why)>;

  static constexpr size_t kMaxQueuedBytes = 4 * 1024 * 1024;

  TlsConnection(int fd, SSL_CTX* ctx, ConnectionId id, MessageHandler on_message, EndHandler on_end);
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  ConnectionId id() const { return id_; }
  void send(const Message& m);
  // Sends what is queued, then closes.
  void close_after_flush();
  bool ended() const { return ended_; }

private:
  static gboolean on_io(gint fd, GIOCondition cond, gpointer self);
  void pump();
  bool flush();
  void end(const std::string& why);
  void watch(bool want_write);

  int fd_;
  SSL* ssl_;
  ConnectionId id_;
  MessageHandler on_message_;
  EndHandler on_end_;
  FrameReader reader_;
  std::string out_;
  bool handshaken_ = false;
  bool closing_ = false;
  bool ended_ = false;
  bool watching_write_ = false;
  guint source_ = 0;
};

} // namespace gste2ee::room
