// SPDX-License-Identifier: LGPL-2.1-or-later
// The delivery service core: it fans out what members send in one order,
// lets the first commit of an epoch win and refuses the one that lost the
// race (whose author then follows the winner and agrees with everyone), and
// refuses handshake messages of other epochs and other groups, and garbage;
// application data of a recent epoch passes.
#include "mls/delivery_service.h"
#include "mls/group.h"

#include <check.h>

namespace m = gste2ee::mls;
using V = m::DeliveryService::Verdict;

namespace {

m::Bytes text(const char* s)
{
  return m::Bytes(s, s + std::char_traits<char>::length(s));
}

m::Bytes bytes(const m::MLSMessage& msg)
{
  auto b = m::wire::encode(msg);
  ck_assert(b.ok());
  return b.value();
}

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
  suite_add_tcase(s, tc);
  SRunner* r = srunner_create(s);
  srunner_run_all(r, CK_NORMAL);
  const int failed = srunner_ntests_failed(r);
  srunner_free(r);
  return failed == 0 ? 0 : 1;
}
