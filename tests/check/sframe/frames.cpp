// SPDX-License-Identifier: LGPL-2.1-or-later
// Whole frames through Encryptor and Decryptor (RFC 9605 section 4.4) for
// every suite: sizes from empty up, metadata, in-place decryption, output
// sizes, and several keys used interleaved in one context.
#include "helpers.h"
#include "run-suite.h"

using namespace coretest;

// Empty plaintext is a valid frame: header and tag only, still authenticated.
START_TEST(test_empty_plaintext_all_suites)
{
  for (auto suite : kAllSuites) {
    sf::Encryptor enc;
    sf::Decryptor dec;
    ck_assert(enc.add_key(3, suite, kBaseKey).ok());
    ck_assert(dec.add_key(3, suite, kBaseKey).ok());
    const Bytes frame = protect(enc, 3, {});
    ck_assert_uint_eq(frame.size(), 1 + sf::suite_info(suite).tag_size);
    uint8_t unused = kSentinel;
    auto r = dec.unprotect(frame, {}, { &unused, 0 });
    ck_assert_msg(r.ok(), "suite %d: %s", num(suite), r.message());
    ck_assert_uint_eq(r.value().plaintext_size, 0);
    ck_assert_uint_eq(r.value().header_size, 1);
    // The tag covers the header: the next frame's header on this one fails.
    const Bytes next = protect(enc, 3, {});
    Bytes forged = frame;
    forged[0] = next[0];
    expect_error("empty frame with another header", dec.unprotect(forged, {}, { &unused, 0 }),
                 sf::Error::AuthenticationFailed);
    Bytes in_place = next;
    ck_assert(dec.unprotect_in_place(in_place, {}).ok());
  }
}
END_TEST

START_TEST(test_round_trip_sizes_all_suites)
{
  const size_t sizes[] = { 1, 15, 16, 17, 63, 64, 65, 1200, 65537 };
  const size_t meta_sizes[] = { 0, 1, 12, 1000 };
  for (auto suite : kAllSuites) {
    sf::Encryptor enc;
    sf::Decryptor dec;
    ck_assert(enc.add_key(1234, suite, kBaseKey).ok());
    ck_assert(dec.add_key(1234, suite, kBaseKey).ok());
    for (size_t n : sizes) {
      for (size_t m : meta_sizes) {
        const Bytes pt = plaintext(n), meta(m, 0x33);
        const Bytes frame = protect(enc, 1234, pt, meta);
        Bytes back(n, kSentinel);
        auto r = dec.unprotect(frame, meta, back);
        ck_assert_msg(r.ok(), "suite %d, %zu bytes, %zu metadata: %s", num(suite), n, m, r.message());
        ck_assert(back == pt);
        ck_assert_uint_eq(r.value().plaintext_size, n);
        ck_assert_uint_eq(r.value().header_size + n + sf::suite_info(suite).tag_size, frame.size());
      }
    }
  }
}
END_TEST

START_TEST(test_in_place_all_suites)
{
  for (auto suite : kAllSuites) {
    sf::Encryptor enc;
    sf::Decryptor dec;
    ck_assert(enc.add_key(77, suite, kBaseKey).ok());
    ck_assert(dec.add_key(77, suite, kBaseKey).ok());
    const Bytes pt = plaintext(1000), meta = { 1, 2, 3 };
    Bytes frame = protect(enc, 77, pt, meta);
    auto r = dec.unprotect_in_place(frame, meta);
    ck_assert_msg(r.ok(), "suite %d: %s", num(suite), r.message());
    const auto start = frame.begin() + static_cast<long>(r.value().header_size);
    ck_assert(Bytes(start, start + static_cast<long>(r.value().plaintext_size)) == pt);
  }
}
END_TEST

// output_size is exact, max_overhead is an upper bound reached at the
// longest header, and an output buffer one byte short is refused untouched.
START_TEST(test_sizes_and_short_buffers)
{
  for (auto suite : kAllSuites) {
    const size_t tag = sf::suite_info(suite).tag_size;
    ck_assert_uint_eq(sf::max_overhead(suite), sf::kMaxHeaderSize + tag);
    sf::Encryptor enc;
    sf::Decryptor dec;
    ck_assert(enc.add_key(UINT64_MAX, suite, kBaseKey, { UINT64_MAX - 1, UINT64_MAX }).ok());
    ck_assert(dec.add_key(UINT64_MAX, suite, kBaseKey).ok());
    const Bytes pt = plaintext(100);
    ck_assert_uint_eq(enc.output_size(UINT64_MAX, pt.size()).value(), pt.size() + sf::max_overhead(suite));
    Bytes out(pt.size() + sf::max_overhead(suite) - 1, kSentinel);
    expect_error("protect into a short buffer", enc.protect(UINT64_MAX, {}, pt, out),
                 sf::Error::BufferTooSmall);
    ck_assert(out == Bytes(out.size(), kSentinel));
    ck_assert_uint_eq(enc.next_counter(UINT64_MAX).value(), UINT64_MAX - 1);  // not consumed

    const Bytes frame = protect(enc, UINT64_MAX, pt);
    ck_assert_uint_eq(frame.size(), pt.size() + sf::max_overhead(suite));
    Bytes small(pt.size() - 1, kSentinel);
    expect_error("unprotect into a short buffer", dec.unprotect(frame, {}, small), sf::Error::BufferTooSmall);
    ck_assert(small == Bytes(small.size(), kSentinel));
    Bytes back(pt.size());
    ck_assert(dec.unprotect(frame, {}, back).ok());  // the refusal did not mark the counter seen
    ck_assert(back == pt);
  }
}
END_TEST

// Several KIDs with different suites used in turn: each frame goes through
// the right key, also after keys come and go (the contexts cache the last
// key used, which must not outlive its removal).
START_TEST(test_interleaved_keys)
{
  sf::Encryptor enc;
  sf::Decryptor dec;
  for (uint64_t kid = 0; kid < 8; kid++) {
    ck_assert(enc.add_key(kid * 1000, kAllSuites[kid], kBaseKey).ok());
    ck_assert(dec.add_key(kid * 1000, kAllSuites[kid], kBaseKey).ok());
  }
  std::vector<Bytes> frames;
  for (int round = 0; round < 3; round++)
    for (uint64_t kid = 0; kid < 8; kid++)
      frames.push_back(protect(enc, kid * 1000, plaintext(kid + 10)));
  for (size_t i = frames.size(); i-- > 0;) {  // opposite order
    Bytes back(64);
    auto r = dec.unprotect(frames[i], {}, back);
    ck_assert_msg(r.ok(), "frame %zu: %s", i, r.message());
    ck_assert_uint_eq(r.value().kid, (i % 8) * 1000);
    ck_assert_uint_eq(r.value().ctr, i / 8);
  }
  // Use a key, remove it, and use its KID again.
  Bytes out(64);
  const Bytes frame = protect(enc, 2000, plaintext(5));
  ck_assert(dec.unprotect(frame, {}, out).ok());
  ck_assert(enc.remove_key(2000).ok());
  ck_assert(dec.remove_key(2000).ok());
  ck_assert(!enc.has_key(2000) && !dec.has_key(2000));
  expect_error("protect with a removed key", enc.protect(2000, {}, plaintext(5), out), sf::Error::UnknownKeyId);
  expect_error("unprotect with a removed key", dec.unprotect(frame, {}, out), sf::Error::UnknownKeyId);
  expect_error("remove twice", enc.remove_key(2000), sf::Error::UnknownKeyId);
  expect_error("remove twice", dec.remove_key(2000), sf::Error::UnknownKeyId);
  ck_assert(enc.has_key(3000) && dec.has_key(3000));
}
END_TEST

// Keys whose preparation waits for their first frame (what sframedec does
// with keyring keys) decrypt the same, refuse the same, and keep their replay
// window when removed and added again.
START_TEST(test_deferred_keys)
{
  for (auto suite : kAllSuites) {
    sf::Encryptor enc;
    sf::Decryptor dec;
    ck_assert(enc.add_key(5, suite, kBaseKey).ok());
    ck_assert(dec.add_key_deferred(5, suite, kBaseKey).ok());
    ck_assert(dec.add_key_deferred(6, suite, kBaseKey).ok());  // never used
    expect_error("deferred twice", dec.add_key_deferred(5, suite, kBaseKey), sf::Error::DuplicateKeyId);
    const Bytes frame = protect(enc, 5, plaintext(30));
    Bytes out(64);
    auto r = dec.unprotect(frame, {}, out);
    ck_assert_msg(r.ok(), "suite %d: %s", num(suite), r.message());
    ck_assert(Bytes(out.begin(), out.begin() + 30) == plaintext(30));
    const Bytes second = protect(enc, 5, plaintext(30));
    Bytes tampered = second;
    tampered.back() ^= 1;
    expect_error("tampered", dec.unprotect(tampered, {}, out), sf::Error::AuthenticationFailed);
    ck_assert(dec.unprotect(second, {}, out).ok());
    ck_assert(dec.remove_key(5).ok());
    ck_assert(dec.add_key_deferred(5, suite, kBaseKey).ok());
    expect_error("replayed after re-adding", dec.unprotect(frame, {}, out), sf::Error::Replay);
  }
}
END_TEST

// KIDs that share a base key (an MLS epoch's) and KIDs that do not, added
// in alternation to one Decryptor: each decrypts only what its own key
// encrypted, whichever base key the Decryptor saw last.
START_TEST(test_shared_and_distinct_base_keys)
{
  const Bytes other = { 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 };
  sf::Encryptor enc;
  sf::Decryptor dec;
  for (uint64_t kid = 1; kid <= 6; kid++) {
    const Bytes& key = kid % 3 == 0 ? other : kBaseKey;  // A A B A A B
    ck_assert(enc.add_key(kid, kGcm, key).ok());
    ck_assert(dec.add_key(kid, kGcm, key).ok());
  }
  for (uint64_t kid = 1; kid <= 6; kid++) {
    Bytes out(64);
    auto r = dec.unprotect(protect(enc, kid, plaintext(20)), {}, out);
    ck_assert_msg(r.ok(), "KID %lu: %s", static_cast<unsigned long>(kid), r.message());
  }
  // KID 7 under key B on one side and key A on the other: refused.
  ck_assert(enc.add_key(7, kGcm, other).ok());
  ck_assert(dec.add_key(7, kGcm, kBaseKey).ok());
  Bytes out(64);
  expect_error("KID 7, other base key", dec.unprotect(protect(enc, 7, plaintext(20)), {}, out),
               sf::Error::AuthenticationFailed);
}
END_TEST

// Same KID and base key but another suite: the derived keys differ (the suite
// is in the KDF label), so nothing decrypts across suites.
START_TEST(test_cross_suite_fails)
{
  for (auto a : kAllSuites) {
    sf::Encryptor enc;
    ck_assert(enc.add_key(9, a, kBaseKey).ok());
    const Bytes frame = protect(enc, 9, plaintext(32));
    for (auto b : kAllSuites) {
      if (a == b)
        continue;
      sf::Decryptor dec;
      ck_assert(dec.add_key(9, b, kBaseKey).ok());
      Bytes out(64, kSentinel);
      auto r = dec.unprotect(frame, {}, out);
      ck_assert_msg(!r.ok(), "suite %d frame opened as suite %d", num(a), num(b));
      ck_assert(r.error() == sf::Error::AuthenticationFailed || r.error() == sf::Error::TruncatedHeader);
    }
  }
}
END_TEST

START_TEST(test_bad_arguments)
{
  sf::Encryptor enc;
  sf::Decryptor dec;
  expect_error("suite 0", enc.add_key(1, static_cast<sf::CipherSuite>(0), kBaseKey),
               sf::Error::UnsupportedCipherSuite);
  expect_error("suite 9", dec.add_key(1, static_cast<sf::CipherSuite>(9), kBaseKey),
               sf::Error::UnsupportedCipherSuite);
  expect_error("empty base key", enc.add_key(1, kGcm, Bytes{}), sf::Error::InvalidArgument);
  expect_error("empty base key", dec.add_key(1, kGcm, Bytes{}), sf::Error::InvalidArgument);
  expect_error("empty range", enc.add_key(1, kGcm, kBaseKey, { 5, 4 }), sf::Error::InvalidArgument);
  ck_assert(!enc.has_key(1) && !dec.has_key(1));  // refused keys leave nothing behind
  ck_assert(enc.add_key(1, kGcm, kBaseKey).ok());
  ck_assert(dec.add_key(1, kGcm, kBaseKey).ok());
}
END_TEST

int main()
{
  Suite* s = suite_create("sframe-frames");
  TCase* tc = tcase_create("frames");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_empty_plaintext_all_suites);
  tcase_add_test(tc, test_round_trip_sizes_all_suites);
  tcase_add_test(tc, test_shared_and_distinct_base_keys);
  tcase_add_test(tc, test_deferred_keys);
  tcase_add_test(tc, test_in_place_all_suites);
  tcase_add_test(tc, test_sizes_and_short_buffers);
  tcase_add_test(tc, test_interleaved_keys);
  tcase_add_test(tc, test_cross_suite_fails);
  tcase_add_test(tc, test_bad_arguments);
  suite_add_tcase(s, tc);
  return run_suite(s);
}
