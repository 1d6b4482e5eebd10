// SPDX-License-Identifier: LGPL-2.1-or-later
// Media through the room server on loopback: two participants join an e2ee
// room over signalling, each offers a peertransport (ICE, DTLS-SRTP) that
// the server answers, and each receives the other's video through the
// server's sfuforward, but only the streams the server allowed: alice also
// sends a screen share her token does not grant, refused at signalling, and
// the media path drops it too. Then one vanishes (its pipeline stops: no media, no
// ICE consent answers): the server notices within its peer timeout, tells
// it, closes its signalling, and the other hears that it left.
#include "media-client.h"
#include "run-suite.h"

using namespace server_process;

using namespace media_client;

START_TEST(test_media_through_the_server)
{
  Client alice, bob;
  alice.name = "alice";
  bob.name = "bob";
  for (Client* c : { &alice, &bob }) {
    connect(c->signalling);
    const r::Message m = join(c->signalling, g_server->room, g_server->token(g_server->room, c->name,
        r::kPublishVideo));
    ck_assert_msg(m.type() == "joined", "%s", m.to_json().c_str());
  }
  publish(alice, "video", 1111);
  publish(alice, "screen", 3333);
  publish(bob, "video", 2222);
  start_pipeline(alice, publishing(1111, 3333));
  start_pipeline(bob, publishing(2222));
  bool alice_refused = false;
  const gint64 until = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
  while ((alice.received < 30 || bob.received < 60) && g_get_monotonic_time() < until) {
    for (const auto& m : pump(alice))
      alice_refused = alice_refused || (m.type() == "track-refused" && m.str("track") == "screen");
    pump(bob);
  }
  ck_assert_msg(alice.received >= 30 && bob.received >= 60, "received: alice %d, bob %d", alice.received.load(),
      bob.received.load());
  ck_assert(alice_refused);
  {
    std::lock_guard<std::mutex> g(bob.lock);
    ck_assert(bob.ssrcs_received.count(1111) == 1);
    ck_assert_msg(bob.ssrcs_received.count(3333) == 0, "the refused screen share reached bob");
  }
  std::string before;
  g_server->admin({ "list" }, &before);
  ck_assert_msg(before.find("media: 0 packets") == std::string::npos, "%s", before.c_str());

  // alice vanishes: her pipeline stops (no media, no consent answers), her
  // signalling stays open. The server removes her within its peer timeout.
  gst_element_set_state(alice.pipeline, GST_STATE_NULL);
  bool bob_heard = false, alice_told = false;
  const gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
  while (!(bob_heard && alice_told) && g_get_monotonic_time() < deadline) {
    for (const auto& m : pump(bob))
      bob_heard = bob_heard || (m.type() == "participant" && m.str("identity") == "alice" && m.str("event") == "left");
    std::string error;
    if (auto m = alice.signalling.receive(20, &error))
      alice_told = alice_told || m->type() == "removed";
  }
  ck_assert(bob_heard && alice_told);
  std::string listing;
  g_server->admin({ "list" }, &listing);
  ck_assert_msg(listing.find("participants 1,") != std::string::npos, "%s", listing.c_str());
}
END_TEST

int main(int argc, char** argv)
{
  gst_init(&argc, &argv);
  Suite* s = suite_create("room-media");
  TCase* tc = tcase_create("loopback");
  tcase_set_timeout(tc, 120);
  tcase_add_checked_fixture(tc, [] { start_server_with({ "--peer-timeout", "2000" }); }, stop_server);
  tcase_add_test(tc, test_media_through_the_server);
  suite_add_tcase(s, tc);
  return run_suite(s);
}
