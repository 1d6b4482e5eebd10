// SPDX-License-Identifier: LGPL-2.1-or-later
// gst-e2ee-room as a process on loopback, driven as its users do: the
// operator makes a certificate and a token key, starts `serve`, and runs
// `admin` commands; participants connect with the signalling client (TLS
// 1.3, the certificate verified). Valid tokens join, bad ones are refused
// with their reason and the connection closed; a client that trusts
// another certificate does not talk to the server at all; the waiting room
// holds a participant until `admin admit`; `admin kick` tells the
// participant and closes its connection; MLS messages of an e2ee room
// reach the other members through TLS.
#include "room/base64url.h"
#include "room/join_token.h"
#include "room/signalling_client.h"
#include "room/tls_identity.h"

#include "mls/group.h"
#include "mls/wire.h"

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

namespace {

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
    gint status = 0;
    ck_assert(g_spawn_sync(nullptr, argv.data(), nullptr, G_SPAWN_STDERR_TO_DEV_NULL, nullptr, nullptr, &o, nullptr,
        &status, nullptr));
    if (out)
      *out = o;
    g_free(o);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
};

ServerProcess* g_server;

bool read_line(FILE* f, std::string* line)
{
  char buf[512];
  if (!fgets(buf, sizeof buf, f))
    return false;
  *line = buf;
  return true;
}

void start_server()
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
  const char* argv[] = { ROOM_SERVER_PATH, "serve", "--cert", cert.c_str(), "--key", key.c_str(), "--keys",
    keys.c_str(), "--port", "0", "--admin-socket", sock.c_str(), "--create-room", "e2ee", nullptr };
  gint out_fd = -1;
  GError* err = nullptr;
  ck_assert_msg(g_spawn_async_with_pipes(nullptr, const_cast<gchar**>(argv), nullptr, G_SPAWN_DO_NOT_REAP_CHILD,
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

void stop_server()
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

void connect(r::SignallingClient& c, const std::string& host = "localhost")
{
  std::string error;
  ck_assert_msg(c.connect(host, g_server->port, g_server->path("cert.pem"), kTimeoutMs, &error), "%s", error.c_str());
}

r::Message receive(r::SignallingClient& c)
{
  std::string error;
  auto m = c.receive(kTimeoutMs, &error);
  ck_assert_msg(m.has_value(), "nothing received: %s", error.empty() ? "timeout" : error.c_str());
  return *m;
}

void expect_closed(r::SignallingClient& c)
{
  std::string error;
  ck_assert(!c.receive(kTimeoutMs, &error).has_value());
  ck_assert_msg(c.closed(), "still open: %s", error.c_str());
}

r::Message join(r::SignallingClient& c, const std::string& room, const std::string& token, const char* mode = "e2ee")
{
  std::string error;
  ck_assert(c.send(r::Message("join").set("room", room).set("token", token).set("mode", mode), &error));
  return receive(c);
}

} // namespace

START_TEST(test_join_refuse_kick)
{
  r::SignallingClient alice, bob, mallory;
  connect(alice, "127.0.0.1");  // by address: checked against the IP entry
  r::Message m = join(alice, g_server->room, g_server->token(g_server->room, "alice", r::kAdmin));
  ck_assert_msg(m.type() == "joined", "%s", m.to_json().c_str());
  ck_assert(m.str("mode") == "e2ee" && m.str("mls-role") == "create" && !m.str("external-sender").empty());

  // Bad tokens: refused with the reason, connection closed.
  const struct {
    std::string token, code;
  } bad[] = {
    { g_server->token("another-room", "mallory", 0), "wrong-room" },
    { "eyJhbGciOiJub25lIiwia2lkIjoib3BzLTEifQ.e30.", "algorithm-not-allowed" },
    { "garbage", "malformed" },
  };
  for (const auto& b : bad) {
    r::SignallingClient c;
    connect(c);
    m = join(c, g_server->room, b.token);
    ck_assert_msg(m.type() == "refused" && m.str("code") == b.code, "%s", m.to_json().c_str());
    expect_closed(c);
  }
  // The same token twice: the second is refused.
  const std::string bob_token = g_server->token(g_server->room, "bob", r::kPublishVideo);
  connect(bob);
  ck_assert(join(bob, g_server->room, bob_token).type() == "joined");
  ck_assert(receive(alice).str("event") == "joined");
  connect(mallory);
  m = join(mallory, g_server->room, bob_token);
  ck_assert(m.str("code") == "reused");
  expect_closed(mallory);

  // bob's KeyPackage goes through the delivery service to alice (and back
  // to bob): MLS over the signalling connection.
  const auto kp = gste2ee::mls::generate_key_package(1, gste2ee::mls::to_bytes("bob"), 0, UINT64_MAX).value();
  gste2ee::mls::MLSMessage kp_msg;
  kp_msg.message.emplace<gste2ee::mls::KeyPackage>(kp.key_package);
  const std::string kp_data = r::base64url_encode(gste2ee::mls::wire::encode(kp_msg).value());
  std::string error;
  ck_assert(bob.send(r::Message("mls").set("data", kp_data), &error));
  m = receive(alice);
  ck_assert(m.type() == "mls" && m.str("data") == kp_data);
  ck_assert(receive(bob).str("data") == kp_data);

  // The operator kicks bob.
  std::string out;
  ck_assert_int_eq(g_server->admin({ "kick", g_server->room, "bob" }, &out), 0);
  ck_assert(out.find("kicked [e2ee]") != std::string::npos);
  m = receive(bob);
  ck_assert_msg(m.type() == "removed", "%s", m.to_json().c_str());
  expect_closed(bob);
  m = receive(alice);
  ck_assert(m.type() == "participant" && m.str("identity") == "bob" && m.str("event") == "removed");
  // An unknown participant: a clear refusal, non-zero exit.
  ck_assert_int_eq(g_server->admin({ "kick", g_server->room, "nobody" }, &out), 1);
  ck_assert(out.find("no such participant") != std::string::npos);
}
END_TEST

START_TEST(test_waiting_room_and_modes)
{
  std::string room;
  ck_assert_int_eq(g_server->admin({ "create", "hop-by-hop", "waiting-room" }, &room), 0);
  room.pop_back();  // newline
  r::SignallingClient carol;
  connect(carol);
  // The wrong mode is refused, never downgraded.
  r::Message m = join(carol, room, g_server->token(room, "carol", r::kPublishAudio), "e2ee");
  ck_assert(m.str("code") == "mode-mismatch" && m.str("reason").find("hop-by-hop") != std::string::npos);
  expect_closed(carol);
  connect(carol);
  m = join(carol, room, g_server->token(room, "carol", r::kPublishAudio), "hop-by-hop");
  ck_assert_msg(m.type() == "waiting", "%s", m.to_json().c_str());
  std::string error;
  ck_assert(!carol.receive(300, &error).has_value() && !carol.closed());  // nothing while waiting
  std::string listing;
  g_server->admin({ "list" }, &listing);
  ck_assert(listing.find("[hop-by-hop] participants 0, waiting 1, waiting room") != std::string::npos);
  ck_assert_int_eq(g_server->admin({ "admit", room, "carol" }), 0);
  m = receive(carol);
  ck_assert(m.type() == "joined" && m.str("mode") == "hop-by-hop" && !m.has("mls-role"));
  ck_assert_int_eq(g_server->admin({ "end", room }), 0);
  ck_assert(receive(carol).type() == "room-ended");
  expect_closed(carol);
}
END_TEST

START_TEST(test_untrusted_certificate)
{
  // A client trusting another certificate refuses the server: no token is
  // ever sent to an impostor.
  std::string error;
  ck_assert(r::make_self_signed_certificate({ "localhost" }, 1, g_server->path("other-cert.pem"),
      g_server->path("other-key.pem"), &error));
  r::SignallingClient c;
  ck_assert(!c.connect("localhost", g_server->port, g_server->path("other-cert.pem"), kTimeoutMs, &error));
  ck_assert_msg(error.find("not trusted") != std::string::npos, "%s", error.c_str());
  // The right certificate, the wrong name.
  ck_assert(!c.connect("127.0.0.2", g_server->port, g_server->path("cert.pem"), kTimeoutMs, &error));
}
END_TEST

int main()
{
  Suite* s = suite_create("room-server-process");
  TCase* tc = tcase_create("loopback");
  tcase_set_timeout(tc, 120);
  tcase_add_checked_fixture(tc, start_server, stop_server);
  tcase_add_test(tc, test_join_refuse_kick);
  tcase_add_test(tc, test_waiting_room_and_modes);
  tcase_add_test(tc, test_untrusted_certificate);
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  const int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? 0 : 1;
}
