// SPDX-License-Identifier: LGPL-2.1-or-later
// gst-e2ee-room as a child process for tests: a certificate and a token key
// made as an operator makes them, `serve` on a free loopback port with an
// e2ee room, `admin` commands, and signalling clients that verify the
// server's certificate.
#pragma once

#include "room/join_token.h"
#include "room/signalling_client.h"
#include "room/tls_identity.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include <check.h>

namespace r = gste2ee::room;

namespace server_process {

constexpr int kTimeoutMs = 10000;

struct ServerProcess {
  std::string dir;
  GPid pid = 0;
  uint16_t port = 0;
  std::string room;  // created at start: e2ee
  r::SigningKey key = r::generate_signing_key(r::JwsAlg::ES256, "ops-1").value();
  int jti = 0;

  std::string path(const char* name) const { return dir + "/" + name; }

  std::string token(const std::string& room_id, const std::string& identity, unsigned perms)
  {
    r::JoinClaims c;
    c.identity = identity;
    c.room = room_id;
    c.jti = "j" + std::to_string(++jti);
    c.iat = static_cast<uint64_t>(g_get_real_time() / G_USEC_PER_SEC);
    c.exp = c.iat + 60;
    c.permissions = perms;
    return r::mint_join_token(key, c);
  }

  // `gst-e2ee-room admin ...`: its exit status and output.
  int admin(std::vector<std::string> args, std::string* out = nullptr)
  {
    args.insert(args.begin(), { ROOM_SERVER_PATH, "admin", "--admin-socket", path("admin.sock") });
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    gchar* o = nullptr;
    gchar* e = nullptr;
    gint status = 0;
    ck_assert(g_spawn_sync(nullptr, argv.data(), nullptr, G_SPAWN_DEFAULT, nullptr, nullptr, &o, &e, &status,
        nullptr));
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code != 0)
      std::fprintf(stderr, "gst-e2ee-room admin %s: exit %d: %s%s", args[4].c_str(), code, o, e);
    if (out)
      *out = o;
    g_free(o);
    g_free(e);
    return code;
  }

};

inline ServerProcess* g_server;

inline bool read_line(FILE* f, std::string* line)
{
  char buf[512];
  if (!fgets(buf, sizeof buf, f))
    return false;
  *line = buf;
  return true;
}

inline void start_server_with(const std::vector<std::string>& extra)
{
  g_server = new ServerProcess();
  gchar* dir = g_dir_make_tmp("room-server-XXXXXX", nullptr);
  g_server->dir = dir;
  g_free(dir);
  std::string error;
  ck_assert_msg(r::make_self_signed_certificate({ "localhost", "127.0.0.1" }, 1, g_server->path("cert.pem"),
                    g_server->path("key.pem"), &error), "%s", error.c_str());
  ck_assert(g_file_set_contents(g_server->path("keys.jwks").c_str(), r::to_jwk_set({ g_server->key }).c_str(), -1,
      nullptr));
  const std::string cert = g_server->path("cert.pem"), key = g_server->path("key.pem"),
                    keys = g_server->path("keys.jwks"), sock = g_server->path("admin.sock");
  std::vector<std::string> args = { ROOM_SERVER_PATH, "serve", "--cert", cert, "--key", key, "--keys", keys, "--port",
    "0", "--admin-socket", sock, "--create-room", "e2ee" };
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  gint out_fd = -1;
  GError* err = nullptr;
  ck_assert_msg(g_spawn_async_with_pipes(nullptr, argv.data(), nullptr, G_SPAWN_DO_NOT_REAP_CHILD,
                    nullptr, nullptr, &g_server->pid, nullptr, &out_fd, nullptr, &err),
      "cannot start the server: %s", err ? err->message : "?");
  FILE* out = fdopen(out_fd, "r");
  std::string line;
  unsigned port = 0;
  char room[64] = "";
  ck_assert(read_line(out, &line) && std::sscanf(line.c_str(), "gst-e2ee-room: listening on 127.0.0.1:%u", &port) == 1);
  ck_assert(read_line(out, &line) && std::sscanf(line.c_str(), "room %63s [e2ee]", room) == 1);
  fclose(out);
  g_server->port = static_cast<uint16_t>(port);
  g_server->room = room;
}

inline void start_server()
{
  start_server_with({});
}

inline void stop_server()
{
  kill(g_server->pid, SIGTERM);
  int status = 0;
  waitpid(g_server->pid, &status, 0);
  g_spawn_close_pid(g_server->pid);
  // It exits cleanly on SIGTERM and removes its admin socket.
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ck_assert(!g_file_test(g_server->path("admin.sock").c_str(), G_FILE_TEST_EXISTS));
  for (const char* f : { "cert.pem", "key.pem", "keys.jwks", "other-cert.pem", "other-key.pem" })
    g_remove(g_server->path(f).c_str());
  g_rmdir(g_server->dir.c_str());
  delete g_server;
}

inline void connect(r::SignallingClient& c, const std::string& host = "localhost")
{
  std::string error;
  ck_assert_msg(c.connect(host, g_server->port, g_server->path("cert.pem"), kTimeoutMs, &error), "%s", error.c_str());
}

inline r::Message receive(r::SignallingClient& c)
{
  // The server's transport trickles its ICE candidates to every admitted
  // participant; tests of signalling alone skip them.
  for (;;) {
    std::string error;
    auto m = c.receive(kTimeoutMs, &error);
    ck_assert_msg(m.has_value(), "nothing received: %s", error.empty() ? "timeout" : error.c_str());
    if (m->type() != "candidate")
      return *m;
  }
}

// The properties of a room element joining the server's room (or `room`).
inline std::string element_properties(const std::string& token, const char* mode = "e2ee",
    const std::string& room = "")
{
  return std::string(" server=127.0.0.1:") + std::to_string(g_server->port) + " ca-file=" + g_server->path("cert.pem")
      + " room=" + (room.empty() ? g_server->room : room) + " token=" + token + " mode=" + mode
      + " local-address=127.0.0.1";
}

// The next message of `type`, skipping others (announcements of who is
// there and what they publish).
inline r::Message receive_of(r::SignallingClient& c, const std::string& type)
{
  for (;;) {
    r::Message m = receive(c);
    if (m.type() == type)
      return m;
  }
}

inline void expect_closed(r::SignallingClient& c)
{
  std::string error;
  std::optional<r::Message> m;
  do
    m = c.receive(kTimeoutMs, &error);
  while (m && m->type() == "candidate");
  ck_assert(!m.has_value());
  ck_assert_msg(c.closed(), "still open: %s", error.c_str());
}

inline r::Message join(r::SignallingClient& c, const std::string& room, const std::string& token, const char* mode = "e2ee")
{
  std::string error;
  ck_assert(c.send(r::Message("join").set("room", room).set("token", token).set("mode", mode), &error));
  return receive(c);
}

} // namespace server_process
