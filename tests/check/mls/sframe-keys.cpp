// SPDX-License-Identifier: LGPL-2.1-or-later
// SFrame keys from MLS (RFC 9605 section 5.2): the KID layout reproduces the
// RFC's own example sequence (E=4, S=6); S follows the tree's width; KIDs
// that do not fit are refused; two members of an epoch derive the same
// base_key (the exporter with the RFC's label) and safety code, and a new
// epoch gives new ones. The key plan across epochs: the new epoch's KIDs for
// every member and context, ours for encryption, old epochs kept within the
// overlap (count and time) and never beyond 2^E - 1, an older epoch with the
// same low bits removed first, so the live KIDs are always unique.
#include <set>

#include <sys/stat.h>
#include <unistd.h>

#include "mls/sframe_epoch.h"
#include "mls/sframe_key_log.h"
#include "mls/sframe_key_plan.h"

#include <check.h>

#include "test-bytes.h"

namespace m = gste2ee::mls;
using mls_test::text;

namespace {

uint64_t kid(unsigned s, unsigned e, uint64_t context, uint32_t index, uint64_t epoch)
{
  uint64_t k = 0;
  ck_assert(m::sframe_kid(m::SframeKidLayout{ s, e }, context, index, epoch, &k));
  return k;
}

// An epoch of `n` members (leaf indexes 0..n-1) with our own leaf `own`.
m::SframeEpoch fake_epoch(uint64_t epoch, uint32_t n, uint32_t own, unsigned e_bits)
{
  m::SframeEpoch e;
  e.epoch = epoch;
  e.base_key = m::SecretBytes(m::Bytes(16, static_cast<uint8_t>(epoch)));
  e.layout = m::SframeKidLayout{ m::sframe_index_bits(n), e_bits };
  e.own_index = own;
  for (uint32_t i = 0; i < n; i++)
    e.members.emplace_back(i, text("member"));
  return e;
}

} // namespace

START_TEST(test_kids_of_the_rfc_example)
{
  // RFC 9605, "An Example Sequence of KIDs for an MLS-based SFrame Session".
  ck_assert_uint_eq(kid(6, 4, 0, 3, 14), 0x3e);
  ck_assert_uint_eq(kid(6, 4, 0, 7, 14), 0x7e);
  ck_assert_uint_eq(kid(6, 4, 0, 20, 14), 0x14e);
  ck_assert_uint_eq(kid(6, 4, 0, 3, 15), 0x3f);
  ck_assert_uint_eq(kid(6, 4, 0, 5, 15), 0x5f);
  ck_assert_uint_eq(kid(6, 4, 2, 2, 16), 0x820);
  ck_assert_uint_eq(kid(6, 4, 3, 2, 16), 0xc20);
  ck_assert_uint_eq(kid(6, 4, 0, 33, 17), 0x211);
  ck_assert_uint_eq(kid(6, 4, 0, 51, 17), 0x331);
}
END_TEST

START_TEST(test_index_bits_and_limits)
{
  const uint32_t leaves[] = { 1, 2, 3, 4, 5, 64, 65, 1024, 1025 };
  const unsigned bits[] = { 0, 1, 2, 2, 3, 6, 7, 10, 11 };
  for (size_t i = 0; i < sizeof leaves / sizeof leaves[0]; i++)
    ck_assert_uint_eq(m::sframe_index_bits(leaves[i]), bits[i]);
  uint64_t k;
  ck_assert(!m::sframe_kid(m::SframeKidLayout{ 6, 4 }, 0, 64, 1, &k));              // index beyond S bits
  ck_assert(!m::sframe_kid(m::SframeKidLayout{ 6, 4 }, uint64_t{ 1 } << 54, 1, 1, &k));  // context beyond 64-S-E
  ck_assert(m::sframe_kid(m::SframeKidLayout{ 6, 4 }, (uint64_t{ 1 } << 54) - 1, 63, 1, &k));
  ck_assert_uint_eq(k, ~uint64_t{ 0 } - 14);
  ck_assert(!m::sframe_kid(m::SframeKidLayout{ 40, 30 }, 0, 0, 0, &k));  // S + E >= 64
}
END_TEST

START_TEST(test_members_of_an_epoch_agree)
{
  const uint16_t suite = 1;
  const auto alice_kp = m::generate_key_package(suite, text("alice"), 0, UINT64_MAX).value();
  const auto bob_kp = m::generate_key_package(suite, text("bob"), 0, UINT64_MAX).value();
  auto alice = m::Group::create(alice_kp, text("room")).value();
  auto add = alice.commit({ bob_kp.key_package }, {}).value();
  alice = add.next;
  auto bob = m::Group::join(std::get<m::Welcome>(add.welcome->message), bob_kp, std::nullopt, {}).value();
  auto ea = m::sframe_epoch(alice, 16, 4), eb = m::sframe_epoch(bob, 16, 4);
  ck_assert(ea.ok() && eb.ok());
  ck_assert(ea.value().base_key == eb.value().base_key);
  ck_assert_uint_eq(ea.value().base_key.size(), 16);
  ck_assert(ea.value().base_key == alice.export_secret(text("SFrame 1.0 Base Key"), {}, 16).value());
  ck_assert_str_eq(ea.value().safety_code.c_str(), eb.value().safety_code.c_str());
  ck_assert_uint_eq(ea.value().safety_code.size(), 19);  // "dddd dddd dddd dddd"
  ck_assert_uint_eq(ea.value().own_index, 0);
  ck_assert_uint_eq(eb.value().own_index, 1);
  ck_assert_uint_eq(ea.value().layout.index_bits, 1);
  ck_assert_uint_eq(ea.value().members.size(), 2);
  // SFrame's key size is its own: AES-256-GCM wants 32 bytes from the same group.
  ck_assert_uint_eq(m::sframe_epoch(alice, 32, 4).value().base_key.size(), 32);
  auto update = bob.commit({}, {}).value();
  alice = alice.handle(update.commit, {}).value();
  auto next = m::sframe_epoch(alice, 16, 4).value();
  ck_assert_uint_eq(next.epoch, ea.value().epoch + 1);
  ck_assert(!(next.base_key == ea.value().base_key));
  ck_assert_str_ne(next.safety_code.c_str(), ea.value().safety_code.c_str());
}
END_TEST

START_TEST(test_plan_adds_every_member_and_context)
{
  m::SframeKeyPlan plan(m::SframeKeyPlan::Config{ 3, 1, 1'000'000 });
  m::SframeKeyPlan::Changes c;
  ck_assert(plan.enter(fake_epoch(5, 4, 2, 4), 0, &c));
  ck_assert_uint_eq(c.add.size(), 12);  // 4 members x 3 contexts
  ck_assert_uint_eq(c.encrypt.size(), 3);
  for (uint64_t ctx = 0; ctx < 3; ctx++)
    ck_assert_uint_eq(c.encrypt[ctx], kid(2, 4, ctx, 2, 5));
  ck_assert(c.remove.empty());
  ck_assert_uint_eq(c.base_key.size(), 16);
  // The same epoch again (a reload) changes nothing.
  ck_assert(plan.enter(fake_epoch(5, 4, 2, 4), 10, &c));
  ck_assert(c.empty());
  // A layout too small for the contexts is refused.
  m::SframeKeyPlan huge(m::SframeKeyPlan::Config{ 3, 1, 1 });
  auto e = fake_epoch(1, 4, 0, 4);
  e.layout.epoch_bits = 62;  // leaves no bit for a context beyond 0
  ck_assert(!huge.enter(e, 0, &c));
}
END_TEST

START_TEST(test_plan_overlap_and_wrap)
{
  // E = 2: at most 3 old epochs, whatever overlap_epochs says.
  m::SframeKeyPlan plan(m::SframeKeyPlan::Config{ 1, 10, 1'000'000 });
  std::set<uint64_t> live;
  for (uint64_t epoch = 1; epoch <= 20; epoch++) {
    m::SframeKeyPlan::Changes c;
    ck_assert(plan.enter(fake_epoch(epoch, 3, 0, 2), epoch * 10, &c));
    for (uint64_t k : c.remove)
      ck_assert_msg(live.erase(k) == 1, "removed a KID that was not live");
    for (uint64_t k : c.add)
      ck_assert_msg(live.insert(k).second, "epoch %lu: KID %lu already live", epoch, k);
    ck_assert_uint_le(plan.live_epochs(), 4);
    ck_assert_uint_eq(live.size(), 3 * plan.live_epochs());
  }
  // Overlap by count: one old epoch.
  m::SframeKeyPlan one(m::SframeKeyPlan::Config{ 1, 1, 1'000'000 });
  m::SframeKeyPlan::Changes c;
  ck_assert(one.enter(fake_epoch(1, 2, 0, 4), 0, &c));
  ck_assert(one.enter(fake_epoch(2, 2, 0, 4), 100, &c));
  ck_assert(c.remove.empty());
  ck_assert(one.enter(fake_epoch(3, 2, 0, 4), 200, &c));
  ck_assert_uint_eq(c.remove.size(), 2);  // epoch 1's two KIDs
  ck_assert(c.remove[0] == kid(1, 4, 0, 0, 1) && c.remove[1] == kid(1, 4, 0, 1, 1));
  // Overlap by time: epoch 2 (replaced at 200) goes at 200 + 1 s, not before.
  ck_assert_uint_eq(one.next_expiry_us(), 1'000'200);
  ck_assert(one.expire(1'000'199).remove.empty());
  ck_assert_uint_eq(one.expire(1'000'200).remove.size(), 2);
  ck_assert_uint_eq(one.live_epochs(), 1);
  ck_assert_uint_eq(one.next_expiry_us(), 0);
  // Leaving the group removes everything.
  ck_assert_uint_eq(one.clear().remove.size(), 2);
  ck_assert(!one.has_epoch());
  // An epoch that jumps a whole window ahead replaces the one it wraps onto.
  m::SframeKeyPlan jump(m::SframeKeyPlan::Config{ 1, 3, 1'000'000 });
  ck_assert(jump.enter(fake_epoch(4, 1, 0, 2), 0, &c));
  ck_assert(jump.enter(fake_epoch(8, 1, 0, 2), 1, &c));  // 8 mod 4 == 4 mod 4
  ck_assert_uint_eq(c.remove.size(), 1);
  ck_assert_uint_eq(c.remove[0], c.add[0]);  // same KID, now the new epoch's
  ck_assert_uint_eq(jump.live_epochs(), 1);
}
END_TEST

// The key log: what one member appends, epoch by epoch, reads back whole;
// the file is owner-only; bad lines are refused with their number.
START_TEST(test_key_log_round_trip)
{
  char path[] = "/tmp/key-log-XXXXXX";
  const int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  unlink(path);
  for (uint64_t epoch = 1; epoch <= 3; epoch++) {
    m::KeyLogEntry e;
    e.epoch = epoch;
    e.sframe_suite = 4;
    e.epoch_bits = 4;
    e.base_key = m::SecretBytes(16);
    e.base_key.data()[0] = static_cast<uint8_t>(epoch);
    e.base_key.data()[15] = 0xab;
    std::string error;
    ck_assert_msg(m::append_key_log(path, e, &error), "%s", error.c_str());
  }
  struct stat st;
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_int_eq(st.st_mode & 0777, 0600);
  std::string text;
  if (FILE* f = fopen(path, "r")) {
    char buf[512];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
      text.append(buf, n);
    fclose(f);
  }
  unlink(path);
  std::vector<m::KeyLogEntry> entries;
  std::string error;
  ck_assert_msg(m::parse_key_log(text, &entries, &error), "%s", error.c_str());
  ck_assert_uint_eq(entries.size(), 3);
  for (size_t i = 0; i < 3; i++) {
    ck_assert_uint_eq(entries[i].epoch, i + 1);
    ck_assert_uint_eq(entries[i].sframe_suite, 4);
    ck_assert_uint_eq(entries[i].epoch_bits, 4);
    ck_assert_uint_eq(entries[i].base_key.size(), 16);
    ck_assert_uint_eq(entries[i].base_key.data()[0], i + 1);
    ck_assert_uint_eq(entries[i].base_key.data()[15], 0xab);
  }
  for (const char* bad : { "epoch=1 sframe-cipher-suite=4 epoch-bits=4\n",  // no key
                           "epoch=1 sframe-cipher-suite=4 epoch-bits=4 base-key=0g\n",
                           "epoch=x sframe-cipher-suite=4 epoch-bits=4 base-key=00\n",
                           "epoch=1 sframe-cipher-suite=4 epoch-bits=4 base-key=00 extra=1\n" }) {
    entries.clear();
    error.clear();
    ck_assert(!m::parse_key_log(std::string("\n") + bad, &entries, &error));
    ck_assert_msg(error.find("line 2") != std::string::npos, "%s", error.c_str());
  }
}
END_TEST

int main()
{
  Suite* s = suite_create("mls-sframe-keys");
  TCase* tc = tcase_create("keys");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_kids_of_the_rfc_example);
  tcase_add_test(tc, test_index_bits_and_limits);
  tcase_add_test(tc, test_members_of_an_epoch_agree);
  tcase_add_test(tc, test_plan_adds_every_member_and_context);
  tcase_add_test(tc, test_plan_overlap_and_wrap);
  tcase_add_test(tc, test_key_log_round_trip);
  suite_add_tcase(s, tc);
  SRunner* r = srunner_create(s);
  srunner_run_all(r, CK_NORMAL);
  const int failed = srunner_ntests_failed(r);
  srunner_free(r);
  return failed == 0 ? 0 : 1;
}
