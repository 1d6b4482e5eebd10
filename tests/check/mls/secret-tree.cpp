// SPDX-License-Identifier: LGPL-2.1-or-later
// The secret tree's hash ratchets beyond the vectors (RFC 9420 9.2): keys are
// consumed, reordering works inside the window, a replayed or too-old
// generation is refused, a far-future one cannot make us ratchet without
// bound, and each sender's keys are its own.
#include "mls/secret_tree.h"

#include <check.h>

namespace m = gste2ee::mls;

namespace {

m::Crypto suite1()
{
  return m::Crypto::for_suite(1).value();
}

const m::SecretBytes kEncryptionSecret(m::Bytes(32, 0x42));

} // namespace

START_TEST(test_sender_and_receiver_agree)
{
  m::SecretTree sender(suite1(), kEncryptionSecret, 4);
  m::SecretTree receiver(suite1(), kEncryptionSecret, 4);
  for (uint32_t g = 0; g < 5; g++) {
    auto mine = sender.next(2, m::ContentKind::Application);
    ck_assert(mine.ok() && mine.value().generation == g);
    auto theirs = receiver.get(2, m::ContentKind::Application, g);
    ck_assert(theirs.ok());
    ck_assert(mine.value().key == theirs.value().key);
    ck_assert(mine.value().nonce == theirs.value().nonce);
  }
}
END_TEST

START_TEST(test_reorder_within_window_and_replay_refused)
{
  m::SecretTree reference(suite1(), kEncryptionSecret, 4);
  m::SecretTree t(suite1(), kEncryptionSecret, 4, /*window*/ 8, /*max_forward*/ 100);
  auto g5 = t.get(1, m::ContentKind::Application, 5);
  ck_assert(g5.ok());
  auto g3 = t.get(1, m::ContentKind::Application, 3);  // arrived late
  ck_assert(g3.ok());
  for (uint32_t g = 0; g <= 3; g++) {
    auto r = reference.get(1, m::ContentKind::Application, g);
    ck_assert(r.ok());
    if (g == 3)
      ck_assert(r.value().key == g3.value().key);
  }
  ck_assert(!t.get(1, m::ContentKind::Application, 3).ok());  // replay
  ck_assert(!t.get(1, m::ContentKind::Application, 5).ok());  // replay
  ck_assert(t.get(1, m::ContentKind::Application, 4).ok());   // still kept
}
END_TEST

START_TEST(test_window_and_forward_bounds)
{
  m::SecretTree t(suite1(), kEncryptionSecret, 2, /*window*/ 4, /*max_forward*/ 50);
  ck_assert(t.get(0, m::ContentKind::Handshake, 20).ok());
  ck_assert(!t.get(0, m::ContentKind::Handshake, 10).ok());  // 10 behind, window 4: dropped
  ck_assert(t.get(0, m::ContentKind::Handshake, 17).ok());   // 3 behind: kept
  ck_assert(!t.get(0, m::ContentKind::Handshake, 21 + 51).ok());  // beyond max_forward
  ck_assert(t.get(0, m::ContentKind::Handshake, 21 + 50).ok());
}
END_TEST

START_TEST(test_senders_and_kinds_are_independent)
{
  m::SecretTree t(suite1(), kEncryptionSecret, 4);
  auto a = t.get(0, m::ContentKind::Application, 0);
  auto b = t.get(1, m::ContentKind::Application, 0);
  auto h = t.get(0, m::ContentKind::Handshake, 0);
  ck_assert(a.ok() && b.ok() && h.ok());
  ck_assert(!(a.value().key == b.value().key));
  ck_assert(!(a.value().key == h.value().key));
  ck_assert(!t.get(4, m::ContentKind::Application, 0).ok());  // no such leaf
}
END_TEST

int main()
{
  Suite* s = suite_create("mls-secret-tree");
  TCase* tc = tcase_create("ratchets");
  tcase_add_test(tc, test_sender_and_receiver_agree);
  tcase_add_test(tc, test_reorder_within_window_and_replay_refused);
  tcase_add_test(tc, test_window_and_forward_bounds);
  tcase_add_test(tc, test_senders_and_kinds_are_independent);
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  const int failed_count = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed_count == 0 ? 0 : 1;
}
