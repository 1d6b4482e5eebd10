// SPDX-License-Identifier: LGPL-2.1-or-later
#include "tls-connection.h"

#include <glib-unix.h>
#include <openssl/err.h>
#include <unistd.h>

namespace gste2ee::room {

TlsConnection::TlsConnection(int fd, SSL_CTX* ctx, ConnectionId id, MessageHandler on_message, EndHandler on_end)
    : fd_(fd), ssl_(SSL_new(ctx)), id_(id), on_message_(std::move(on_message)), on_end_(std::move(on_end))
{
  if (ssl_) {
    SSL_set_fd(ssl_, fd_);
    SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_set_accept_state(ssl_);
  }
  watch(false);
}

TlsConnection::~TlsConnection()
{
  if (source_)
    g_source_remove(source_);
  if (ssl_)
    SSL_free(ssl_);
  close(fd_);
}

void TlsConnection::watch(bool want_write)
{
  if (source_ && want_write == watching_write_)
    return;
  if (source_)
    g_source_remove(source_);
  watching_write_ = want_write;
  source_ = g_unix_fd_add(fd_, GIOCondition(G_IO_IN | G_IO_HUP | G_IO_ERR | (want_write ? G_IO_OUT : 0)), on_io, this);
}

gboolean TlsConnection::on_io(gint, GIOCondition, gpointer self)
{
  auto* c = static_cast<TlsConnection*>(self);
  c->pump();
  if (c->ended_) {
    c->source_ = 0;
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

void TlsConnection::send(const Message& m)
{
  if (ended_ || closing_)
    return;
  if (out_.size() > kMaxQueuedBytes) {
    end("the peer does not read what it is sent");
    return;
  }
  out_ += encode_frame(m.to_json());
  if (handshaken_ && !flush())
    return;
}

void TlsConnection::close_after_flush()
{
  closing_ = true;
  if (handshaken_ && !ended_ && flush() && out_.empty())
    end("closed by the server");
}

void TlsConnection::end(const std::string& why)
{
  if (ended_)
    return;
  ended_ = true;
  if (ssl_ && handshaken_)
    SSL_shutdown(ssl_);  // close_notify, best effort
  ERR_clear_error();
  on_end_(id_, why);
}

// Writes what it can; false if the connection ended.
bool TlsConnection::flush()
{
  while (!out_.empty()) {
    size_t n = 0;
    const int rc = SSL_write_ex(ssl_, out_.data(), out_.size(), &n);
    if (rc == 1) {
      out_.erase(0, n);
      continue;
    }
    const int e = SSL_get_error(ssl_, rc);
    if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
      watch(e == SSL_ERROR_WANT_WRITE);
      return true;
    }
    end("send failed");
    return false;
  }
  watch(false);
  return true;
}

void TlsConnection::pump()
{
  if (ended_)
    return;
  if (!ssl_) {
    end("no TLS state");
    return;
  }
  if (!handshaken_) {
    const int rc = SSL_do_handshake(ssl_);
    if (rc != 1) {
      const int e = SSL_get_error(ssl_, rc);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        watch(e == SSL_ERROR_WANT_WRITE);
        return;
      }
      end("TLS handshake failed");
      return;
    }
    handshaken_ = true;
  }
  if (!flush())
    return;
  while (!ended_) {
    uint8_t buf[16384];
    size_t n = 0;
    const int rc = SSL_read_ex(ssl_, buf, sizeof buf, &n);
    if (rc != 1) {
      const int e = SSL_get_error(ssl_, rc);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        break;
      end(e == SSL_ERROR_ZERO_RETURN ? "closed by the peer" : "connection lost");
      return;
    }
    if (closing_)
      continue;  // draining: nothing more is acted on
    if (!reader_.push(buf, n)) {
      end(std::string("bad framing: ") + reader_.error());
      return;
    }
    while (auto frame = reader_.next()) {
      Message m;
      std::string error;
      if (!parse_message(*frame, &m, &error)) {
        // A client that breaks the protocol gets the reason and is closed.
        send(Message("refused").set("code", "malformed").set("reason", error));
        close_after_flush();
        return;
      }
      on_message_(id_, m);
      if (ended_ || closing_)
        return;
    }
  }
  if (closing_ && out_.empty())
    end("closed by the server");
}

} // namespace gste2ee::room
