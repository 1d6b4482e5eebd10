// SPDX-License-Identifier: LGPL-2.1-or-later
// The client end of a room's signalling connection: TCP, TLS 1.3 only, the
// server's certificate verified (against `ca_file`, or the system's trust
// store) for the host name or address connected to, then framed messages
// (room/framing.h, room/message.h). Blocking with timeouts: the appliance
// elements run it on their own thread, tests call it directly.
#pragma once

#include "room/framing.h"
#include "room/message.h"

#include <cstdint>
#include <optional>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace gste2ee::room {

class SignallingClient {
public:
  SignallingClient() = default;
  SignallingClient(const SignallingClient&) = delete;
  SignallingClient& operator=(const SignallingClient&) = delete;
  ~SignallingClient();

  bool connect(const std::string& host, uint16_t port, const std::string& ca_file, int timeout_ms,
      std::string* error);
  bool send(const Message& m, std::string* error);
  // The next message within `timeout_ms`. nullopt with an empty `error` on
  // timeout; with the reason when the connection closed or broke (then
  // closed() is true).
  std::optional<Message> receive(int timeout_ms, std::string* error);
  void close();
  bool closed() const { return ssl_ == nullptr; }

private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  FrameReader reader_;
};

} // namespace gste2ee::room
