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
#include "server-process.h"
#include "run-suite.h"

#include "mls/group.h"
#include "mls/wire.h"
#include "room/base64url.h"

using namespace server_process;

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
  m = receive_of(alice, "mls");
  ck_assert(m.str("data") == kp_data);
  // bob learned who was there when he came in, then gets his KeyPackage back.
  ck_assert(receive_of(bob, "participant").str("identity") == "alice");
  ck_assert(receive_of(bob, "mls").str("data") == kp_data);

  // The operator kicks bob.
  std::string out;
  ck_assert_int_eq(g_server->admin({ "kick", g_server->room, "bob" }, &out), 0);
  ck_assert(out.find("kicked [e2ee]") != std::string::npos);
  m = receive_of(bob, "removed");
  ck_assert_msg(m.str("reason").find("admin") != std::string::npos, "%s", m.to_json().c_str());
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
  ck_assert(!carol.receive(300, &error).has_value() && !carol.closed());  // nothing while waiting, not even ICE
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
  return run_suite(s);
}
