// SPDX-License-Identifier: LGPL-2.1-or-later
#include "room-daemon.h"

#include <glib-unix.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gste2ee::room {

namespace {

struct TimerData {
  RoomDaemon* daemon;
  ConnectionId id;
};

} // namespace

RoomDaemon::RoomDaemon(RoomServer core, SSL_CTX* tls, DaemonOptions options)
    : core_(std::move(core)), tls_(tls), options_(options)
{
  SSL_CTX_up_ref(tls_);
}

RoomDaemon::~RoomDaemon()
{
  media_.reset();
  for (auto& [id, timer] : join_timers_)
    g_source_remove(timer);
  connections_.clear();
  for (auto& [fd, client] : admin_clients_) {
    g_source_remove(client.source);
    close(fd);
  }
  if (listen_source_)
    g_source_remove(listen_source_);
  if (listen_fd_ >= 0)
    close(listen_fd_);
  if (admin_source_)
    g_source_remove(admin_source_);
  if (admin_fd_ >= 0) {
    close(admin_fd_);
    unlink(admin_path_.c_str());
  }
  SSL_CTX_free(tls_);
}

bool RoomDaemon::start_media(std::string* error)
{
  media_ = std::make_unique<MediaRouter>(options_.media_address, options_.peer_timeout_ms,
      [this](ConnectionId c, const Message& m) {
        const auto it = connections_.find(c);
        if (it != connections_.end())
          it->second->send(m);
      },
      [this](ConnectionId c, const std::string& why) { on_media_lost(c, why); });
  return media_->start(error);
}

void RoomDaemon::on_media_lost(ConnectionId c, const std::string& why)
{
  g_message("%s: media %s; removed", who(c, "").c_str(), why.c_str());
  const auto it = connections_.find(c);
  if (it != connections_.end()) {
    it->second->send(Message("removed").set("reason", "your media connection was lost"));
    it->second->close_after_flush();
  }
  dispatch(core_.on_closed(c));
}

uint64_t RoomDaemon::now() const
{
  return static_cast<uint64_t>(g_get_real_time() / G_USEC_PER_SEC);
}

std::string RoomDaemon::who(ConnectionId c, const std::string& identity) const
{
  // Identities are personal data: logged only when the operator asks.
  return options_.log_identities && !identity.empty() ? identity : "participant #" + std::to_string(c);
}

bool RoomDaemon::listen(const std::string& host, uint16_t port, uint16_t* bound_port, std::string* error)
{
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* list = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list); rc != 0) {
    *error = host + ": " + gai_strerror(rc);
    return false;
  }
  int fd = socket(list->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  const int one = 1;
  const bool ok = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0
      && bind(fd, list->ai_addr, list->ai_addrlen) == 0 && ::listen(fd, 64) == 0;
  freeaddrinfo(list);
  if (!ok) {
    *error = "listen on " + host + ":" + service + ": " + std::strerror(errno);
    if (fd >= 0)
      close(fd);
    return false;
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *bound_port = ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                                 : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  listen_fd_ = fd;
  listen_source_ = g_unix_fd_add(fd, G_IO_IN, on_accept, this);
  return true;
}

gboolean RoomDaemon::on_accept(gint fd, GIOCondition, gpointer self)
{
  auto* d = static_cast<RoomDaemon*>(self);
  for (;;) {
    const int c = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (c < 0)
      break;
    if (d->connections_.size() >= d->options_.max_connections) {
      close(c);
      g_warning("connection refused: %zu connections already", d->connections_.size());
      continue;
    }
    const ConnectionId id = d->next_id_++;
    d->connections_[id] = std::make_unique<TlsConnection>(c, d->tls_, id,
        [d](ConnectionId from, const Message& m) { d->on_message(from, m); },
        [d](ConnectionId c2, const std::string& why) { d->on_end(c2, why); });
    // A connection that does not join in time is closed.
    auto* data = new TimerData{ d, id };
    d->join_timers_[id] = g_timeout_add_seconds_full(G_PRIORITY_DEFAULT, d->options_.join_timeout_s,
        [](gpointer p) -> gboolean {
          auto* t = static_cast<TimerData*>(p);
          t->daemon->join_timers_.erase(t->id);
          const auto it = t->daemon->connections_.find(t->id);
          if (it != t->daemon->connections_.end() && !t->daemon->core_.admitted(t->id)
              && !t->daemon->core_.waiting(t->id)) {
            it->second->send(Message("refused").set("code", "timeout").set("reason", "no valid join in time"));
            it->second->close_after_flush();
          }
          return G_SOURCE_REMOVE;
        },
        data, [](gpointer p) { delete static_cast<TimerData*>(p); });
  }
  return G_SOURCE_CONTINUE;
}

void RoomDaemon::on_message(ConnectionId from, const Message& m)
{
  const auto actions = core_.on_message(from, m, now());
  for (const auto& a : actions) {
    if (a.kind != Action::Kind::Send || a.connection != from)
      continue;
    if (a.message.type() == "refused")
      g_message("%s refused (%s): %s", who(from, "").c_str(), a.message.str("code").c_str(),
          a.message.str("reason").c_str());
    else if (a.message.type() == "joined")
      g_message("room %s [%s]: %s joined", a.message.str("room").c_str(), a.message.str("mode").c_str(),
          who(from, a.message.str("identity")).c_str());
    else if (a.message.type() == "waiting")
      g_message("room %s: %s waits to be admitted", a.message.str("room").c_str(), who(from, "").c_str());
  }
  dispatch(actions);
}

void RoomDaemon::on_end(ConnectionId c, const std::string& why)
{
  g_message("%s: connection ended (%s)", who(c, "").c_str(), why.c_str());
  dispatch(core_.on_closed(c));
  if (const auto t = join_timers_.find(c); t != join_timers_.end()) {
    g_source_remove(t->second);
    join_timers_.erase(t);
  }
  // Deleted outside its own callback.
  auto* data = new TimerData{ this, c };
  g_idle_add_full(G_PRIORITY_DEFAULT, [](gpointer p) -> gboolean {
        auto* t = static_cast<TimerData*>(p);
        t->daemon->connections_.erase(t->id);
        return G_SOURCE_REMOVE;
      },
      data, [](gpointer p) { delete static_cast<TimerData*>(p); });
}

void RoomDaemon::dispatch(const std::vector<Action>& actions)
{
  for (const auto& a : actions) {
    // Media is stopped whatever became of the connection.
    if (a.kind == Action::Kind::StopMedia) {
      if (media_)
        media_->remove(a.connection);
      continue;
    }
    const auto it = connections_.find(a.connection);
    if (it == connections_.end() || it->second->ended())
      continue;
    switch (a.kind) {
      case Action::Kind::Send:
        it->second->send(a.message);
        break;
      case Action::Kind::Close:
        it->second->close_after_flush();
        break;
      case Action::Kind::StartMedia:
        if (media_ && !media_->add(a.connection, core_.room_of_connection(a.connection), core_.receives(a.connection)))
          g_warning("%s: no transport for its media", who(a.connection, "").c_str());
        break;
      case Action::Kind::Media:
        if (media_)
          media_->signal(a.connection, a.message);
        break;
      case Action::Kind::StopMedia:
        break;
    }
  }
  // What each participant may send, as the core now says (a publish
  // accepted, a screen share allowed or withdrawn): the media path forwards
  // nothing else.
  if (media_)
    for (const auto& [id, conn] : connections_)
      if (core_.admitted(id))
        media_->allow(id, core_.allowed_ssrcs(id));
}

bool RoomDaemon::open_admin_socket(const std::string& path, std::string* error)
{
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) {
    *error = path + ": path too long for a Unix socket";
    return false;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  // A socket file left by a dead server is replaced; a live server's is not.
  const int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe >= 0 && connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    close(probe);
    *error = path + ": another server is listening there";
    return false;
  }
  if (probe >= 0)
    close(probe);
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      *error = path + ": exists and is not a socket";
      return false;
    }
    unlink(path.c_str());
  }
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  // Owner-only from the start: no window in which others could connect.
  const mode_t old = umask(0177);
  const bool ok = fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  umask(old);
  if (!ok || chmod(path.c_str(), 0600) != 0 || ::listen(fd, 16) != 0) {
    *error = path + ": " + std::strerror(errno);
    if (fd >= 0)
      close(fd);
    return false;
  }
  admin_fd_ = fd;
  admin_path_ = path;
  admin_source_ = g_unix_fd_add(fd, G_IO_IN, on_admin_accept, this);
  return true;
}

gboolean RoomDaemon::on_admin_accept(gint fd, GIOCondition, gpointer self)
{
  auto* d = static_cast<RoomDaemon*>(self);
  for (;;) {
    const int c = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (c < 0)
      break;
    // Even with the file mode, check who is calling: root or this user only.
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || (cred.uid != getuid() && cred.uid != 0)) {
      g_warning("admin socket: refused a client of another user");
      close(c);
      continue;
    }
    AdminClient& client = d->admin_clients_[c];
    client.fd = c;
    client.source = g_unix_fd_add(c, GIOCondition(G_IO_IN | G_IO_HUP | G_IO_ERR), on_admin_io, d);
  }
  return G_SOURCE_CONTINUE;
}

void RoomDaemon::close_admin_client(int fd)
{
  const auto it = admin_clients_.find(fd);
  if (it == admin_clients_.end())
    return;
  close(fd);
  admin_clients_.erase(it);
}

gboolean RoomDaemon::on_admin_io(gint fd, GIOCondition, gpointer self)
{
  auto* d = static_cast<RoomDaemon*>(self);
  AdminClient& client = d->admin_clients_.at(fd);
  uint8_t buf[4096];
  const ssize_t n = read(fd, buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n <= 0 || !client.reader.push(buf, static_cast<size_t>(n))) {
    d->close_admin_client(fd);
    return G_SOURCE_REMOVE;
  }
  while (auto frame = client.reader.next()) {
    Message m, reply;
    std::string error;
    std::vector<Action> actions;
    if (!parse_message(*frame, &m, &error)) {
      reply = Message("reply").set("ok", false).set("text", error);
    } else {
      actions = d->core_.admin(m, d->now(), &reply);
      if (m.type() == "list" && d->media_)
        reply.set("text", reply.str("text") + "media: " + std::to_string(d->media_->refused_packets())
            + " packets of streams not allowed (unannounced, or a screen share without the grant) dropped\n");
      g_message("admin: %s -> %s", m.type().c_str(), reply.flag("ok") ? "ok" : "refused");
    }
    // Small replies on a local socket: written at once.
    const std::string out = encode_frame(reply.to_json());
    size_t done = 0;
    for (int tries = 0; done < out.size() && tries < 1000; tries++) {
      const ssize_t w = write(fd, out.data() + done, out.size() - done);
      if (w < 0 && errno == EAGAIN) {
        g_usleep(1000);  // at most a second for an admin client that does not read
        continue;
      }
      if (w <= 0)
        break;
      done += static_cast<size_t>(w);
    }
    d->dispatch(actions);
  }
  return G_SOURCE_CONTINUE;
}

} // namespace gste2ee::room
