// SPDX-License-Identifier: LGPL-2.1-or-later
// A whole group with our own implementation on every side, for every cipher
// suite: Alice creates it and adds Bob and Carol (Commit + Welcome), Bob
// commits a path update, Alice removes Carol, Bob sends application data.
// After each step the members agree (epoch authenticator, exporter), the
// removed member cannot follow, and stale or replayed messages are refused.
#include "mls/group.h"

#include <check.h>

#include "test-bytes.h"

namespace m = gste2ee::mls;
using mls_test::text;

namespace {

m::KeyPackageSecrets member(uint16_t suite, const char* name)
{
  auto kp = m::generate_key_package(suite, text(name), 0, UINT64_MAX);
  ck_assert_msg(kp.ok(), "%s", kp.message());
  return kp.value();
}

m::Group join(const m::MLSMessage& welcome, const m::KeyPackageSecrets& kp)
{
  auto g = m::Group::join(std::get<m::Welcome>(welcome.message), kp, std::nullopt, {});
  ck_assert_msg(g.ok(), "join: %s", g.message());
  return g.value();
}

m::Group handle(const m::Group& g, const m::MLSMessage& msg)
{
  auto r = g.handle(msg, {});
  ck_assert_msg(r.ok(), "handle: %s", r.message());
  return r.value();
}

void agree(const m::Group& a, const m::Group& b)
{
  ck_assert_uint_eq(a.epoch(), b.epoch());
  ck_assert(a.epoch_authenticator() == b.epoch_authenticator());
  auto ea = a.export_secret(text("SFrame 1.0 Base Key"), {}, 16);
  auto eb = b.export_secret(text("SFrame 1.0 Base Key"), {}, 16);
  ck_assert(ea.ok() && eb.ok() && ea.value() == eb.value());
}

} // namespace

START_TEST(test_group_lifecycle)
{
  const auto suite = static_cast<uint16_t>(_i);
  const auto alice_kp = member(suite, "alice"), bob_kp = member(suite, "bob"), carol_kp = member(suite, "carol");
  auto created = m::Group::create(alice_kp, text("room-1"));
  ck_assert_msg(created.ok(), "%s", created.message());
  m::Group alice = created.value();

  // Alice adds Bob and Carol.
  auto add = alice.commit({ bob_kp.key_package, carol_kp.key_package }, {});
  ck_assert_msg(add.ok(), "%s", add.message());
  ck_assert(add.value().welcome.has_value());
  alice = add.value().next;
  m::Group bob = join(*add.value().welcome, bob_kp);
  m::Group carol = join(*add.value().welcome, carol_kp);
  ck_assert_uint_eq(alice.epoch(), 1);
  agree(alice, bob);
  agree(alice, carol);
  ck_assert_uint_eq(alice.members().size(), 3);

  // Bob refreshes his keys with a path-only commit; Alice and Carol follow.
  auto update = bob.commit({}, {});
  ck_assert_msg(update.ok(), "%s", update.message());
  bob = update.value().next;
  const auto stale_alice = alice;
  alice = handle(alice, update.value().commit);
  carol = handle(carol, update.value().commit);
  agree(alice, bob);
  agree(alice, carol);
  ck_assert(!(alice.epoch_authenticator() == stale_alice.epoch_authenticator()));
  ck_assert(!alice.handle(update.value().commit, {}).ok());  // replay: another epoch now

  // Alice removes Carol: Bob follows; Carol cannot, and her keys differ.
  uint32_t carol_leaf = 0;
  for (const auto& [index, id] : alice.members())
    if (id == text("carol"))
      carol_leaf = index;
  auto remove = alice.commit({}, { carol_leaf });
  ck_assert_msg(remove.ok(), "%s", remove.message());
  alice = remove.value().next;
  bob = handle(bob, remove.value().commit);
  agree(alice, bob);
  auto removed = carol.handle(remove.value().commit, {});
  ck_assert(!removed.ok());
  ck_assert_uint_eq(alice.members().size(), 2);

  // Saved and loaded states carry on exactly (an appliance restarting).
  auto reloaded = m::Group::load(alice.save().value());
  ck_assert_msg(reloaded.ok(), "%s", reloaded.message());
  agree(reloaded.value(), bob);
  alice = reloaded.value();

  // Application data from Bob to Alice, once.
  auto sent = bob.protect(text("hello"));
  ck_assert(sent.ok());
  bob = sent.value().first;
  auto got = alice.unprotect(sent.value().second);
  ck_assert_msg(got.ok(), "%s", got.message());
  ck_assert(got.value().second.bytes() == text("hello"));
  alice = got.value().first;
  ck_assert(!alice.unprotect(sent.value().second).ok());   // replayed
  ck_assert(!carol.unprotect(sent.value().second).ok());   // removed member, old epoch

  // A reloaded sender never reuses a generation (the nonce would repeat).
  auto bob_again = m::Group::load(bob.save().value()).value();
  auto second = bob_again.protect(text("again"));
  ck_assert(second.ok());
  auto got2 = alice.unprotect(second.value().second);
  ck_assert_msg(got2.ok(), "%s", got2.message());
  ck_assert(got2.value().second.bytes() == text("again"));
}
END_TEST

START_TEST(test_welcome_needs_the_right_key_package)
{
  const auto alice_kp = member(1, "alice"), bob_kp = member(1, "bob"), eve_kp = member(1, "eve");
  auto alice = m::Group::create(alice_kp, text("room-2")).value();
  auto add = alice.commit({ bob_kp.key_package }, {}).value();
  auto g = m::Group::join(std::get<m::Welcome>(add.welcome->message), eve_kp, std::nullopt, {});
  ck_assert(!g.ok() && g.error() == m::Error::InvalidArgument);
}
END_TEST

int main()
{
  Suite* s = suite_create("mls-lifecycle");
  TCase* tc = tcase_create("lifecycle");
  tcase_set_timeout(tc, 300);
  tcase_add_loop_test(tc, test_group_lifecycle, 1, 8);  // cipher suites 1-7
  tcase_add_test(tc, test_welcome_needs_the_right_key_package);
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  const int failed_count = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed_count == 0 ? 0 : 1;
}
