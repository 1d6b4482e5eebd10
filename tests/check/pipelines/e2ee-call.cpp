// SPDX-License-Identifier: LGPL-2.1-or-later
// The e2ee-call example's call (examples/e2ee-call/call.h) with test
// sources, checked: three participants on loopback through sfuforward, keys
// from their MLS group through mlskeyer, frames of each codec whole through
// rtpsframepay. Every participant decrypts every other's audio and video; no
// frame is refused across an epoch change beyond one per stream and change;
// a member that left, and one the server threw out, decrypts nothing sent
// after (its sframedec counts those as refused) while the others go on; a
// member who joined late cannot decrypt ciphertext captured before it joined;
// every safety code agrees in each epoch.
#include <gst/check/gstcheck.h>

#include "call.h"
#include "fatal-log-domains.h"

using mls_call::Call;
using mls_call::Kind;

namespace {

guint64 total_decoded_by(Call& call, int receiver)
{
  guint64 n = 0;
  for (int s = 0; s < call.participants(); s++)
    if (s != receiver)
      n += call.decoded(receiver, s, Kind::Video) + call.decoded(receiver, s, Kind::Audio);
  return n;
}

} // namespace

GST_START_TEST(test_keys_follow_the_members)
{
  Call call(false);
  std::string error;
  fail_unless(call.start_server(&error), "%s", error.c_str());
  fail_unless(call.add_participant(0, "alice", &error), "%s", error.c_str());
  fail_unless(call.add_participant(1, "bob", &error), "%s", error.c_str());
  fail_unless(call.wait_until([&] { return call.epoch_of(0) == 1 && call.epoch_of(1) == 1; }, 10000),
              "bob was not added");
  g_usleep(1500000);
  // alice's video ciphertext of epoch 1, before carol joins.
  call.start_capture(0);
  g_usleep(500000);
  std::vector<GstBuffer*> before_carol = call.take_capture(0);
  fail_unless(before_carol.size() >= 5, "captured %zu frames", before_carol.size());

  fail_unless(call.add_participant(2, "carol", &error), "%s", error.c_str());
  fail_unless(call.wait_until([&] { return call.epoch_of(0) == 2 && call.epoch_of(1) == 2 && call.epoch_of(2) == 2; },
                              10000),
              "carol was not added");
  g_usleep(2500000);
  for (int r = 0; r < 3; r++)
    for (int s = 0; s < 3; s++)
      if (r != s) {
        fail_unless(call.decoded(r, s, Kind::Video) > 0, "participant %d decoded no video of %d", r, s);
        fail_unless(call.decoded(r, s, Kind::Audio) > 0, "participant %d decoded no audio of %d", r, s);
      }
  // carol, replayed what alice sent before she joined: nothing decrypts.
  guint64 refused = 0;
  fail_unless_equals_uint64(call.replay_to(2, before_carol, &refused), 0);
  fail_unless_equals_uint64(refused, before_carol.size());
  for (GstBuffer* b : before_carol)
    gst_buffer_unref(b);

  // bob leaves: from his removal on he decrypts nothing, the others go on.
  fail_unless(call.leave(1));
  fail_unless(call.wait_until([&] { return call.removed(1) && call.epoch_of(0) == 3 && call.epoch_of(2) == 3; },
                              10000),
              "bob's leaving was not committed");
  // Frames sent under the old epoch's keys before the commit may still be
  // in bob's jitter buffer; they drain before the count is taken.
  g_usleep(500000);
  const guint64 bob_decoded = total_decoded_by(call, 1), bob_refused = call.refused(1);
  const guint64 alice_from_carol = call.decoded(0, 2, Kind::Audio);
  g_usleep(1500000);
  fail_unless_equals_uint64(total_decoded_by(call, 1), bob_decoded);
  fail_unless(call.refused(1) > bob_refused + 20, "bob refused %" G_GUINT64_FORMAT " frames after leaving",
              call.refused(1) - bob_refused);
  fail_unless(call.decoded(0, 2, Kind::Audio) > alice_from_carol + 20);

  // The server throws carol out.
  fail_unless(call.kick(2, &error), "%s", error.c_str());
  fail_unless(call.wait_until([&] { return call.removed(2) && call.epoch_of(0) == 4; }, 10000),
              "carol's removal was not committed");
  g_usleep(500000);  // as for bob: what was in flight drains first
  const guint64 carol_decoded = total_decoded_by(call, 2), carol_refused = call.refused(2);
  g_usleep(1500000);
  fail_unless_equals_uint64(total_decoded_by(call, 2), carol_decoded);
  fail_unless(call.refused(2) > carol_refused + 20);

  // alice, in the group throughout: at most one frame per stream and epoch
  // change refused (4 streams, 3 changes while receiving).
  fail_unless(call.refused(0) <= 12, "alice refused %" G_GUINT64_FORMAT " frames", call.refused(0));
  // One safety code per epoch, whoever shows it.
  std::map<guint64, std::string> codes;
  for (int i = 0; i < 3; i++)
    for (const auto& [epoch, code] : call.safety_codes(i)) {
      fail_unless(!code.empty());
      auto [it, fresh] = codes.emplace(epoch, code);
      fail_unless(fresh || it->second == code, "epoch %" G_GUINT64_FORMAT ": safety codes %s and %s", epoch,
                  it->second.c_str(), code.c_str());
    }
  fail_unless_equals_int(codes.size(), 5);  // epochs 0-4
  fail_unless(call.error().empty(), "%s", call.error().c_str());
}
GST_END_TEST;

static Suite* e2ee_call_suite()
{
  Suite* s = suite_create("e2ee-call");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 120);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_keys_follow_the_members);
  return s;
}

GST_CHECK_MAIN(e2ee_call);
