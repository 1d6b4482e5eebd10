// SPDX-License-Identifier: LGPL-2.1-or-later
// The delivery service core: it fans out what members send in one order,
// lets the first commit of an epoch win and refuses the one that lost the
// race (whose author then follows the winner and agrees with everyone), and
// refuses handshake messages of other epochs and other groups, and garbage;
// application data of a recent epoch passes.
#include "mls/delivery_service.h"
#include "mls/group.h"

#include <check.h>

#include "test-bytes.h"

#include <optional>

namespace m = gste2ee::mls;
using mls_test::text;
using mls_test::bytes;
using V = m::DeliveryService::Verdict;

namespace {

m::MLSMessage key_package_message(const m::KeyPackageSecrets& kp)
{
  m::MLSMessage msg;
  msg.message.emplace<m::KeyPackage>(kp.key_package);
  return msg;
}

void expect(m::DeliveryService& ds, const m::MLSMessage& msg, V want, const char* what)
{
  const V got = ds.submit(bytes(msg));
  ck_assert_msg(got == want, "%s: %s, expected %s", what, m::verdict_name(got), m::verdict_name(want));
}

} // namespace

START_TEST(test_first_commit_of_an_epoch_wins)
{
  const auto alice_kp = m::generate_key_package(1, text("alice"), 0, UINT64_MAX).value();
  const auto bob_kp = m::generate_key_package(1, text("bob"), 0, UINT64_MAX).value();
  m::DeliveryService ds(text("room"));
  ck_assert(!ds.epoch().has_value());
  m::Group alice = m::Group::create(alice_kp, text("room")).value();
  expect(ds, key_package_message(bob_kp), V::Accepted, "bob's KeyPackage");
  auto add = alice.commit({ bob_kp.key_package }, {}).value();
  expect(ds, add.commit, V::Accepted, "alice's Add");
  ck_assert_uint_eq(ds.epoch().value(), 1);
  expect(ds, *add.welcome, V::Accepted, "the Welcome");
  alice = add.next;
  m::Group bob = m::Group::join(std::get<m::Welcome>(add.welcome->message), bob_kp, std::nullopt, {}).value();

  // Both commit an update for epoch 1; bob's reaches the service first.
  auto bob_update = bob.commit({}, {}).value();
  auto alice_update = alice.commit({}, {}).value();
  expect(ds, bob_update.commit, V::Accepted, "bob's update");
  expect(ds, alice_update.commit, V::LateCommit, "alice's update, second");
  ck_assert_uint_eq(ds.epoch().value(), 2);
  // Everyone follows the winner: alice discards her commit and applies bob's.
  bob = bob_update.next;
  alice = alice.handle(bob_update.commit, {}).value();
  ck_assert(alice.epoch_authenticator() == bob.epoch_authenticator());
  // Alice retries in the next epoch, and wins it.
  auto retry = alice.commit({}, {}).value();
  expect(ds, retry.commit, V::Accepted, "alice's retry");
  ck_assert_uint_eq(ds.epoch().value(), 3);

  // An old commit replayed (epoch 0): not the current epoch.
  expect(ds, add.commit, V::WrongEpoch, "a commit of epoch 0");
  // Application data of epoch 2 (still in flight) passes.
  auto [next_bob, app] = bob.protect(text("hello")).value();
  (void) next_bob;
  expect(ds, app, V::Accepted, "application data of epoch 2");
  ck_assert_uint_eq(ds.accepted(), 6);
  ck_assert_uint_eq(ds.refused(), 2);
}
END_TEST

namespace {

// Hands a message the service accepted to each member, as the fan-out does.
void deliver(const m::MLSMessage& msg, std::initializer_list<m::Group*> members)
{
  for (m::Group* g : members)
    *g = g->handle(msg, {}).value();
}

struct Room {
  m::DeliveryService ds{ text("room") };
  m::KeyPackageSecrets kp[3];
  std::optional<m::Group> alice, bob, carol;
};

// alice creates the group with the service as its external sender, adds bob
// and carol in two commits through the service.
void open_room(Room& r)
{
  const auto sender = r.ds.make_external_sender(text("room-server")).value();
  const char* names[] = { "alice", "bob", "carol" };
  for (int i = 0; i < 3; i++)
    r.kp[i] = m::generate_key_package(1, text(names[i]), 0, UINT64_MAX).value();
  r.alice = m::Group::create(r.kp[0], text("room"), { sender }).value();
  ck_assert_uint_eq(r.alice->external_senders().value().size(), 1);
  auto add_bob = r.alice->commit({ r.kp[1].key_package }, {}).value();
  expect(r.ds, add_bob.commit, V::Accepted, "add bob");
  r.alice = add_bob.next;
  r.bob = m::Group::join(std::get<m::Welcome>(add_bob.welcome->message), r.kp[1], std::nullopt, {}).value();
  auto add_carol = r.bob->commit({ r.kp[2].key_package }, {}).value();
  expect(r.ds, add_carol.commit, V::Accepted, "add carol");
  r.bob = add_carol.next;
  deliver(add_carol.commit, { &*r.alice });
  r.carol = m::Group::join(std::get<m::Welcome>(add_carol.welcome->message), r.kp[2], std::nullopt, {}).value();
  ck_assert(r.carol->external_senders().value().size() == 1);  // the Welcome carries the extension
}

} // namespace

// The service follows who sits where, proposes a removal as the group's
// external sender, and the next commit (by whoever makes it) carries it:
// the removed member is out, the others agree on the new epoch.
START_TEST(test_external_sender_removes_a_member)
{
  Room r;
  open_room(r);
  const auto roster = r.ds.roster();
  ck_assert_uint_eq(roster.size(), 3);
  ck_assert(r.ds.leaf_of(text("alice")) == 0u && r.ds.leaf_of(text("bob")) == 1u);
  ck_assert(r.ds.leaf_of(text("carol")) == 2u && !r.ds.leaf_of(text("mallory")));

  const auto proposal = m::wire::decode<m::MLSMessage>(r.ds.propose_removal(2).value()).value();
  deliver(proposal, { &*r.alice, &*r.bob, &*r.carol });
  ck_assert(r.bob->pending_removals() == std::vector<uint32_t>{ 2 });
  // The proposal alone changes no epoch; carol cannot commit her own removal.
  ck_assert_uint_eq(r.alice->epoch(), 2);
  ck_assert(!r.carol->commit({}, {}).ok());
  auto commit = r.alice->commit({}, {}).value();
  expect(r.ds, commit.commit, V::Accepted, "the commit of the removal");
  r.alice = commit.next;
  deliver(commit.commit, { &*r.bob });
  ck_assert(r.carol->handle(commit.commit, {}).error() == m::Error::RemovedFromGroup);
  ck_assert_uint_eq(r.bob->members().size(), 2);
  ck_assert(r.alice->epoch_authenticator() == r.bob->epoch_authenticator());
  ck_assert(!r.ds.leaf_of(text("carol")));
  ck_assert(r.bob->pending_removals().empty());
}
END_TEST

// A commit already on its way when the service proposed a removal ends the
// epoch without it: the service proposes again for the new epoch, and the
// next commit carries it.
START_TEST(test_removal_outlives_a_racing_commit)
{
  Room r;
  open_room(r);
  auto racing = r.bob->commit({}, {}).value();  // made before the proposal arrived
  const auto proposal = m::wire::decode<m::MLSMessage>(r.ds.propose_removal(2).value()).value();
  ck_assert(r.ds.take_own_messages().empty());
  expect(r.ds, racing.commit, V::Accepted, "bob's update, which lacks the removal");
  r.bob = racing.next;
  deliver(proposal, { &*r.alice, &*r.carol });  // fanned out before the commit
  deliver(racing.commit, { &*r.alice, &*r.carol });
  ck_assert_uint_eq(r.carol->members().size(), 3);  // still in
  auto again = r.ds.take_own_messages();
  ck_assert_uint_eq(again.size(), 1);
  ck_assert(r.ds.take_own_messages().empty());
  const auto second = m::wire::decode<m::MLSMessage>(again[0]).value();
  deliver(second, { &*r.alice, &*r.bob, &*r.carol });
  auto commit = r.alice->commit({}, {}).value();
  expect(r.ds, commit.commit, V::Accepted, "alice's commit of the removal");
  r.alice = commit.next;
  deliver(commit.commit, { &*r.bob });
  ck_assert(r.carol->handle(commit.commit, {}).error() == m::Error::RemovedFromGroup);
  ck_assert(r.alice->epoch_authenticator() == r.bob->epoch_authenticator());
  ck_assert(r.ds.take_own_messages().empty());  // done: carol is out
}
END_TEST

// A Welcome goes only to the clients whose KeyPackages it names; anything
// else, and a Welcome of KeyPackages the service never saw, to everyone.
START_TEST(test_welcomes_go_to_their_joiners)
{
  m::DeliveryService ds(text("room"));
  const auto alice_kp = m::generate_key_package(1, text("alice"), 0, UINT64_MAX).value();
  const auto bob_kp = m::generate_key_package(1, text("bob"), 0, UINT64_MAX).value();
  const auto carol_kp = m::generate_key_package(1, text("carol"), 0, UINT64_MAX).value();
  const auto dave_kp = m::generate_key_package(1, text("dave"), 0, UINT64_MAX).value();
  ck_assert(ds.submit(bytes(key_package_message(bob_kp)), 1) == V::Accepted);
  ck_assert(ds.submit(bytes(key_package_message(carol_kp)), 2) == V::Accepted);
  ck_assert(!ds.recipients(bytes(key_package_message(bob_kp))));
  m::Group alice = m::Group::create(alice_kp, text("room")).value();
  auto add = alice.commit({ carol_kp.key_package }, {}).value();
  ck_assert(ds.submit(bytes(add.commit), 0) == V::Accepted);
  ck_assert(!ds.recipients(bytes(add.commit)));
  const auto to = ds.recipients(bytes(*add.welcome));
  ck_assert(to && *to == std::vector<m::DeliveryService::Client>{ 2 });
  // dave's KeyPackage came some other way: his Welcome goes to everyone.
  auto add_dave = add.next.commit({ dave_kp.key_package }, {}).value();
  ck_assert(!ds.recipients(bytes(*add_dave.welcome)));
}
END_TEST

// A member leaves by proposing its own removal; another member commits it.
// Members refuse removal proposals signed with a key the group does not
// list, and a group without external senders refuses any.
START_TEST(test_leaving_and_forged_removals)
{
  Room r;
  open_room(r);
  auto leave = r.bob->propose_remove(r.bob->own_leaf()).value();
  expect(r.ds, leave, V::Accepted, "bob leaves");
  deliver(leave, { &*r.alice, &*r.bob, &*r.carol });
  ck_assert(!r.bob->commit({}, {}).ok());
  auto commit = r.carol->commit({}, {}).value();
  expect(r.ds, commit.commit, V::Accepted, "carol commits bob's leaving");
  r.carol = commit.next;
  deliver(commit.commit, { &*r.alice });
  ck_assert(r.bob->handle(commit.commit, {}).error() == m::Error::RemovedFromGroup);
  ck_assert(r.alice->epoch_authenticator() == r.carol->epoch_authenticator());
  ck_assert(r.ds.roster().size() == 2 && !r.ds.leaf_of(text("bob")));

  // Another service, with a key of its own, for the same group and epoch.
  m::DeliveryService impostor(text("room"));
  impostor.make_external_sender(text("room-server")).value();
  ck_assert(impostor.submit(m::wire::encode(commit.commit).value()) == V::Accepted);
  const auto forged = m::wire::decode<m::MLSMessage>(impostor.propose_removal(0).value()).value();
  ck_assert(r.carol->handle(forged, {}).error() == m::Error::BadSignature);
  ck_assert(r.carol->pending_removals().empty());

  // Without the extension there is no external sender to speak for.
  m::Group solo = m::Group::create(m::generate_key_package(1, text("dave"), 0, UINT64_MAX).value(), text("room")).value();
  m::DeliveryService solo_ds(text("room"));
  solo_ds.make_external_sender(text("room-server")).value();
  ck_assert(!solo_ds.propose_removal(0).ok());  // the epoch is not known yet
  ck_assert(solo_ds.submit(m::wire::encode(solo.propose_remove(0).value()).value()) == V::Accepted);
  const auto stray = m::wire::decode<m::MLSMessage>(solo_ds.propose_removal(0).value()).value();
  ck_assert(!solo.handle(stray, {}).ok());
  // A service that is no external sender proposes nothing.
  m::DeliveryService plain(text("room"));
  ck_assert(!plain.propose_removal(0).ok());
}
END_TEST

// A commit with nothing to commit is the periodic self-update: a new epoch
// and a new leaf key for its author, which everyone follows.
START_TEST(test_empty_commit_refreshes_the_leaf)
{
  Room r;
  open_room(r);
  const m::Bytes before = r.bob->tree().leaf(r.bob->own_leaf())->encryption_key;
  auto update = r.bob->commit({}, {}).value();
  expect(r.ds, update.commit, V::Accepted, "bob's update");
  ck_assert(!update.welcome);
  r.bob = update.next;
  deliver(update.commit, { &*r.alice, &*r.carol });
  ck_assert(r.bob->tree().leaf(r.bob->own_leaf())->encryption_key != before);
  ck_assert(r.alice->tree().leaf(1)->encryption_key == r.bob->tree().leaf(1)->encryption_key);
  ck_assert(r.alice->epoch_authenticator() == r.bob->epoch_authenticator());
  ck_assert(r.carol->epoch_authenticator() == r.bob->epoch_authenticator());
  ck_assert_uint_eq(r.ds.roster().size(), 3);
}
END_TEST

START_TEST(test_other_groups_and_garbage_refused)
{
  const auto kp = m::generate_key_package(1, text("mallory"), 0, UINT64_MAX).value();
  const auto other_kp = m::generate_key_package(1, text("x"), 0, UINT64_MAX).value();
  m::DeliveryService ds(text("room"));
  m::Group elsewhere = m::Group::create(kp, text("another room")).value();
  expect(ds, elsewhere.commit({ other_kp.key_package }, {}).value().commit, V::OtherGroup, "another group's commit");
  const m::Bytes garbage = { 0, 1, 0, 2, 0xff, 0xff };
  ck_assert(ds.submit(garbage) == V::Malformed);
  ck_assert(ds.submit({}) == V::Malformed);
  ck_assert(!ds.epoch().has_value());
  ck_assert_uint_eq(ds.refused(), 3);
  ck_assert_uint_eq(ds.accepted(), 0);
}
END_TEST

int main()
{
  Suite* s = suite_create("mls-delivery-service");
  TCase* tc = tcase_create("ds");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_first_commit_of_an_epoch_wins);
  tcase_add_test(tc, test_other_groups_and_garbage_refused);
  tcase_add_test(tc, test_external_sender_removes_a_member);
  tcase_add_test(tc, test_leaving_and_forged_removals);
  tcase_add_test(tc, test_removal_outlives_a_racing_commit);
  tcase_add_test(tc, test_welcomes_go_to_their_joiners);
  tcase_add_test(tc, test_empty_commit_refreshes_the_leaf);
  suite_add_tcase(s, tc);
  SRunner* r = srunner_create(s);
  srunner_run_all(r, CK_NORMAL);
  const int failed = srunner_ntests_failed(r);
  srunner_free(r);
  return failed == 0 ? 0 : 1;
}
