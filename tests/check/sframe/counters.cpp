// SPDX-License-Identifier: LGPL-2.1-or-later
// The sending counter (RFC 9605 section 4.4.3: a (key, CTR) pair must never
// repeat, or AES-GCM and AES-CTR lose confidentiality): exhaustion without
// wrap, continuity across remove/add of a KID, counter grants that must not
// rewind, duplicate KIDs, and failed calls that consume nothing. Counters
// are read back from the frames' headers, not from the context.
#include "helpers.h"
#include "run-suite.h"

using namespace coretest;

START_TEST(test_exhaustion_without_wrap)
{
  sf::Encryptor enc;
  ck_assert(enc.add_key(2, kGcm, kBaseKey, { UINT64_MAX - 1, UINT64_MAX }).ok());
  ck_assert_uint_eq(ctr_of(protect(enc, 2, { 1 })), UINT64_MAX - 1);
  ck_assert_uint_eq(ctr_of(protect(enc, 2, { 1 })), UINT64_MAX);
  Bytes out(64, kSentinel);
  expect_error("third frame", enc.protect(2, {}, Bytes{ 1 }, out), sf::Error::CounterExhausted);
  ck_assert(out == Bytes(64, kSentinel));
  expect_error("fourth frame", enc.protect(2, {}, Bytes{ 1 }, out), sf::Error::CounterExhausted);
  expect_error("next_counter", enc.next_counter(2), sf::Error::CounterExhausted);
  expect_error("output_size", enc.output_size(2, 1), sf::Error::CounterExhausted);
  // Removed and added again, the KID stays exhausted: no wrap to 0.
  ck_assert(enc.remove_key(2).ok());
  ck_assert(enc.add_key(2, kGcm, kBaseKey).ok());
  expect_error("after re-adding", enc.protect(2, {}, Bytes{ 1 }, out), sf::Error::CounterExhausted);
  expect_error("grant from 0", enc.grant_counters(2, { 0, 10 }), sf::Error::CounterRewind);
  expect_error("grant of the last counter", enc.grant_counters(2, { UINT64_MAX, UINT64_MAX }),
               sf::Error::CounterRewind);
}
END_TEST

// A small range ends too; the range's last counter is used, not skipped.
START_TEST(test_exhaustion_of_a_range)
{
  sf::Encryptor enc;
  ck_assert(enc.add_key(1, kGcm, kBaseKey, { 10, 12 }).ok());
  for (uint64_t want = 10; want <= 12; want++)
    ck_assert_uint_eq(ctr_of(protect(enc, 1, { 0 })), want);
  Bytes out(64);
  expect_error("past the range", enc.protect(1, {}, Bytes{ 0 }, out), sf::Error::CounterExhausted);
}
END_TEST

START_TEST(test_counter_continues_after_readd)
{
  sf::Encryptor enc;
  ck_assert(enc.add_key(7, kGcm, kBaseKey).ok());
  for (uint64_t want = 0; want < 3; want++)
    ck_assert_uint_eq(ctr_of(protect(enc, 7, { 0 })), want);
  ck_assert(enc.remove_key(7).ok());
  ck_assert(!enc.has_key(7));
  ck_assert(enc.add_key(7, kGcm, kBaseKey).ok());
  ck_assert_uint_eq(enc.next_counter(7).value(), 3);
  ck_assert_uint_eq(ctr_of(protect(enc, 7, { 0 })), 3);
  // A range starting lower still continues where the KID stopped...
  ck_assert(enc.remove_key(7).ok());
  ck_assert(enc.add_key(7, kGcm, kBaseKey, { 1, 100 }).ok());
  ck_assert_uint_eq(ctr_of(protect(enc, 7, { 0 })), 4);
  // ...and one starting higher starts there.
  ck_assert(enc.remove_key(7).ok());
  ck_assert(enc.add_key(7, kGcm, kBaseKey, { 50, 100 }).ok());
  ck_assert_uint_eq(ctr_of(protect(enc, 7, { 0 })), 50);
  ck_assert(enc.remove_key(7).ok());
  ck_assert(enc.add_key(7, kGcm, kBaseKey).ok());
  ck_assert_uint_eq(ctr_of(protect(enc, 7, { 0 })), 51);
  // The memory is per KID, and per Encryptor.
  ck_assert(enc.add_key(8, kGcm, kBaseKey).ok());
  ck_assert_uint_eq(ctr_of(protect(enc, 8, { 0 })), 0);
  sf::Encryptor other;
  ck_assert(other.add_key(7, kGcm, kBaseKey).ok());
  ck_assert_uint_eq(ctr_of(protect(other, 7, { 0 })), 0);
}
END_TEST

// A KID re-added with a range that ends before where it stopped is
// exhausted; a later grant must still not hand out counters it already
// used. (Same base key, so a repeated counter is a repeated nonce: the two
// frames below would be byte-identical.)
START_TEST(test_grant_after_readd_never_reuses_counters)
{
  sf::Encryptor enc;
  ck_assert(enc.add_key(5, kGcm, kBaseKey).ok());
  std::vector<Bytes> sent;
  for (int i = 0; i < 10; i++)
    sent.push_back(protect(enc, 5, { 1, 2, 3 }));
  ck_assert(enc.remove_key(5).ok());
  ck_assert(enc.add_key(5, kGcm, kBaseKey, { 0, 3 }).ok());
  expect_error("re-added below where it stopped", enc.next_counter(5), sf::Error::CounterExhausted);
  auto grant = enc.grant_counters(5, { 4, 100 });
  if (grant.ok()) {
    const Bytes frame = protect(enc, 5, { 1, 2, 3 });
    ck_assert_msg(ctr_of(frame) >= 10, "counter %llu used twice under one key (frames identical: %d)",
                  static_cast<unsigned long long>(ctr_of(frame)), frame == sent[ctr_of(frame) % 10]);
  } else {
    expect_error("grant into used counters", grant, sf::Error::CounterRewind);
  }
}
END_TEST

// nonce = salt XOR CTR over all 64 bits: counters that differ in any one bit
// encrypt the same plaintext differently. (A nonce that dropped a counter
// byte would repeat for counters 2^56 apart, which no round trip notices.)
START_TEST(test_every_counter_bit_changes_the_nonce)
{
  const Bytes pt(16, 0);  // ciphertext = keystream, for GCM and CTR alike
  for (auto suite : kAllSuites) {
    std::vector<Bytes> bodies;
    for (int bit = -1; bit < 64; bit++) {
      const uint64_t ctr = bit < 0 ? 0 : uint64_t{ 1 } << bit;
      sf::Encryptor enc;
      ck_assert(enc.add_key(4, suite, kBaseKey, { ctr, UINT64_MAX }).ok());
      const Bytes frame = protect(enc, 4, pt);
      const size_t hsize = sf::header_size(4, ctr);
      const auto body = frame.begin() + static_cast<long>(hsize);
      bodies.emplace_back(body, body + static_cast<long>(pt.size()));
      for (size_t i = 0; i + 1 < bodies.size(); i++)
        ck_assert_msg(bodies[i] != bodies.back(), "suite %d: counter bit %d repeats the keystream of entry %zu",
                      num(suite), bit, i);
    }
  }
}
END_TEST

START_TEST(test_grants)
{
  sf::Encryptor enc;
  ck_assert(enc.add_key(1, kGcm, kBaseKey, { 0, 1 }).ok());
  protect(enc, 1, { 0 });
  protect(enc, 1, { 0 });
  Bytes out(64);
  expect_error("range used up", enc.protect(1, {}, Bytes{ 0 }, out), sf::Error::CounterExhausted);
  expect_error("grant overlapping the used range", enc.grant_counters(1, { 1, 5 }), sf::Error::CounterRewind);
  expect_error("empty grant", enc.grant_counters(1, { 9, 8 }), sf::Error::InvalidArgument);
  expect_error("grant to an unknown KID", enc.grant_counters(2, { 100, 200 }), sf::Error::UnknownKeyId);
  ck_assert(enc.grant_counters(1, { 2, 3 }).ok());  // right after the used ones: no gap needed
  ck_assert_uint_eq(ctr_of(protect(enc, 1, { 0 })), 2);
  // A grant while counters remain may skip ahead, never go back.
  expect_error("grant before the next counter", enc.grant_counters(1, { 2, 200 }), sf::Error::CounterRewind);
  ck_assert(enc.grant_counters(1, { 100, 200 }).ok());
  ck_assert_uint_eq(ctr_of(protect(enc, 1, { 0 })), 100);
  expect_error("grant behind", enc.grant_counters(1, { 50, 60 }), sf::Error::CounterRewind);
  ck_assert_uint_eq(ctr_of(protect(enc, 1, { 0 })), 101);
  // A refused grant left the range as it was.
  ck_assert(enc.grant_counters(1, { 102, 102 }).ok());
  ck_assert_uint_eq(ctr_of(protect(enc, 1, { 0 })), 102);
  expect_error("after the one-counter grant", enc.protect(1, {}, Bytes{ 0 }, out), sf::Error::CounterExhausted);
}
END_TEST

START_TEST(test_duplicate_kid_refused)
{
  sf::Encryptor enc;
  sf::Decryptor dec;
  ck_assert(enc.add_key(7, kGcm, kBaseKey).ok());
  ck_assert(dec.add_key(7, kGcm, kBaseKey).ok());
  const Bytes first = protect(enc, 7, { 0 });
  Bytes other = kBaseKey;
  other[0] ^= 0xff;
  // Refused, even with another key or suite: never a silent replacement.
  expect_error("Encryptor duplicate", enc.add_key(7, kGcm, other), sf::Error::DuplicateKeyId);
  expect_error("Encryptor duplicate", enc.add_key(7, kAllSuites[0], kBaseKey), sf::Error::DuplicateKeyId);
  expect_error("Decryptor duplicate", dec.add_key(7, kGcm, other), sf::Error::DuplicateKeyId);
  // The original keys and counter are still in place.
  const Bytes second = protect(enc, 7, { 0 });
  ck_assert_uint_eq(ctr_of(second), 1);
  Bytes out(1);
  ck_assert(dec.unprotect(first, {}, out).ok());
  ck_assert(dec.unprotect(second, {}, out).ok());
}
END_TEST

// A refused protect consumes no counter: the next frame gets the same one.
START_TEST(test_failures_consume_nothing)
{
  sf::Encryptor enc;
  ck_assert(enc.add_key(1, kGcm, kBaseKey).ok());
  Bytes small(10);
  expect_error("short output", enc.protect(1, {}, Bytes(20), small), sf::Error::BufferTooSmall);
  // Metadata is joined with the header on the stack, up to a fixed size.
  Bytes out(64);
  ck_assert(!enc.protect(1, Bytes(100000, 1), Bytes{ 0 }, out).ok());
  ck_assert_uint_eq(enc.next_counter(1).value(), 0);
  ck_assert_uint_eq(ctr_of(protect(enc, 1, { 0 })), 0);
}
END_TEST

int main()
{
  Suite* s = suite_create("sframe-counters");
  TCase* tc = tcase_create("counters");
  tcase_add_test(tc, test_exhaustion_without_wrap);
  tcase_add_test(tc, test_exhaustion_of_a_range);
  tcase_add_test(tc, test_counter_continues_after_readd);
  tcase_add_test(tc, test_grant_after_readd_never_reuses_counters);
  tcase_add_test(tc, test_every_counter_bit_changes_the_nonce);
  tcase_add_test(tc, test_grants);
  tcase_add_test(tc, test_duplicate_kid_refused);
  tcase_add_test(tc, test_failures_consume_nothing);
  suite_add_tcase(s, tc);
  return run_suite(s);
}
