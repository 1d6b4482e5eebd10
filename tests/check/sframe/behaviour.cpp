// SPDX-License-Identifier: LGPL-2.1-or-later
// What the vectors do not reach: header boundaries and truncation, empty
// frames, tampering, unknown KIDs, replay, counter exhaustion and continuity,
// duplicate KIDs, in-place decryption.
#include <check.h>

#include <algorithm>

#include "sframe/sframe.h"

namespace sf = gste2ee::sframe;
using Bytes = std::vector<uint8_t>;

static const Bytes kKey = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const sf::CipherSuite kAllSuites[] = {
  sf::CipherSuite::AES_128_CTR_HMAC_SHA256_80, sf::CipherSuite::AES_128_CTR_HMAC_SHA256_64,
  sf::CipherSuite::AES_128_CTR_HMAC_SHA256_32, sf::CipherSuite::AES_128_GCM_SHA256_128,
  sf::CipherSuite::AES_256_GCM_SHA512_128,     sf::CipherSuite::AES_256_CTR_HMAC_SHA512_80,
  sf::CipherSuite::AES_256_CTR_HMAC_SHA512_64, sf::CipherSuite::AES_256_CTR_HMAC_SHA512_32,
};

static Bytes protect(sf::Encryptor& enc, uint64_t kid, const Bytes& pt, const Bytes& meta = {})
{
  Bytes out(pt.size() + sf::kMaxOverhead);
  auto n = enc.protect(kid, meta, pt, out);
  ck_assert_msg(n.ok(), "protect failed: %s", n.message());
  out.resize(n.value());
  return out;
}

// Values 0-8 straddle the inline (0-7) / extended (8+) boundary.
START_TEST(test_header_boundaries)
{
  for (uint64_t kid = 0; kid <= 8; kid++) {
    for (uint64_t ctr = 0; ctr <= 8; ctr++) {
      uint8_t buf[sf::kMaxHeaderSize];
      auto n = sf::encode_header(kid, ctr, { buf, sizeof buf });
      ck_assert(n.ok());
      const size_t want = 1 + (kid >= 8) + (ctr >= 8);
      ck_assert_uint_eq(n.value(), want);
      ck_assert_uint_eq((buf[0] & 0x80) != 0, kid >= 8);
      ck_assert_uint_eq((buf[0] & 0x08) != 0, ctr >= 8);
      auto h = sf::decode_header({ buf, n.value() });
      ck_assert(h.ok());
      ck_assert_uint_eq(h.value().kid, kid);
      ck_assert_uint_eq(h.value().ctr, ctr);
    }
  }
  // Shortest form: 255 in one byte, 256 in two, 2^64-1 in eight.
  ck_assert_uint_eq(sf::header_size(255, 0), 2);
  ck_assert_uint_eq(sf::header_size(256, 0), 3);
  ck_assert_uint_eq(sf::header_size(UINT64_MAX, UINT64_MAX), 17);
  uint8_t small[2];
  ck_assert(sf::encode_header(300, 0, { small, sizeof small }).error() == sf::Error::BufferTooSmall);
}
END_TEST

START_TEST(test_truncated_headers)
{
  uint8_t buf[sf::kMaxHeaderSize];
  auto n = sf::encode_header(UINT64_MAX - 5, 0x0102030405060708ULL, { buf, sizeof buf });
  ck_assert(n.ok() && n.value() == 17);
  for (size_t len = 0; len < n.value(); len++) {
    auto h = sf::decode_header({ buf, len });
    ck_assert_msg(!h.ok() && h.error() == sf::Error::TruncatedHeader, "prefix of %zu bytes accepted", len);
  }
  ck_assert(sf::decode_header({ buf, n.value() }).ok());
}
END_TEST

START_TEST(test_empty_plaintext_all_suites)
{
  for (auto suite : kAllSuites) {
    sf::Encryptor enc;
    sf::Decryptor dec;
    ck_assert(enc.add_key(3, suite, kKey).ok());
    ck_assert(dec.add_key(3, suite, kKey).ok());
    const Bytes ct = protect(enc, 3, {});
    ck_assert_uint_eq(ct.size(), 1 + sf::suite_info(suite).tag_size);
    uint8_t dummy = 0;
    auto r = dec.unprotect(ct, {}, { &dummy, 0 });
    ck_assert_msg(r.ok(), "suite %d: %s", static_cast<int>(suite), r.message());
    ck_assert_uint_eq(r.value().plaintext_size, 0);
    // The tag still covers the header: a different counter fails.
    Bytes forged = ct;
    forged[0] ^= 0x01;
    ck_assert(dec.unprotect(forged, {}, { &dummy, 0 }).error() == sf::Error::AuthenticationFailed);
  }
}
END_TEST

// Every single-bit change anywhere fails, and no plaintext is written.
START_TEST(test_bit_flips_all_suites)
{
  const Bytes pt(40, 0xab);
  const Bytes meta = { 9, 8, 7 };
  for (auto suite : kAllSuites) {
    sf::Encryptor enc;
    ck_assert(enc.add_key(1000, suite, kKey).ok());
    const Bytes ct = protect(enc, 1000, pt, meta);
    for (size_t bit = 0; bit < (ct.size() + meta.size()) * 8; bit++) {
      sf::Decryptor dec;  // fresh: no replay state in the way
      ck_assert(dec.add_key(1000, suite, kKey).ok());
      Bytes c = ct, m = meta;
      const size_t byte = bit / 8;
      if (byte < c.size())
        c[byte] ^= static_cast<uint8_t>(1u << (bit % 8));
      else
        m[byte - c.size()] ^= static_cast<uint8_t>(1u << (bit % 8));
      Bytes out(pt.size() + 64, 0x00);
      auto r = dec.unprotect(c, m, out);
      ck_assert_msg(!r.ok(), "suite %d: flipped bit %zu accepted", static_cast<int>(suite), bit);
      ck_assert_msg(std::count(out.begin(), out.end(), 0xab) == 0, "suite %d: plaintext left after bit %zu",
                    static_cast<int>(suite), bit);
    }
  }
}
END_TEST

START_TEST(test_unknown_kid)
{
  sf::Encryptor enc;
  sf::Decryptor dec;
  ck_assert(enc.add_key(5, sf::CipherSuite::AES_128_GCM_SHA256_128, kKey).ok());
  ck_assert(dec.add_key(6, sf::CipherSuite::AES_128_GCM_SHA256_128, kKey).ok());
  const Bytes ct = protect(enc, 5, { 1, 2, 3 });
  Bytes out(3);
  ck_assert(dec.unprotect(ct, {}, out).error() == sf::Error::UnknownKeyId);
  ck_assert(enc.protect(6, {}, Bytes{ 1 }, out).error() == sf::Error::UnknownKeyId);
}
END_TEST

START_TEST(test_replay_window)
{
  sf::Encryptor enc;
  sf::Decryptor dec(16);
  ck_assert(enc.add_key(1, sf::CipherSuite::AES_128_GCM_SHA256_128, kKey).ok());
  ck_assert(dec.add_key(1, sf::CipherSuite::AES_128_GCM_SHA256_128, kKey).ok());
  std::vector<Bytes> frames;
  for (int i = 0; i < 40; i++)
    frames.push_back(protect(enc, 1, { static_cast<uint8_t>(i) }));
  Bytes out(1);
  auto open = [&](int i) { return dec.unprotect(frames[static_cast<size_t>(i)], {}, out); };
  ck_assert(open(20).ok());
  ck_assert(open(20).error() == sf::Error::Replay);  // duplicate
  ck_assert(open(10).ok());                          // reordered, within 16
  ck_assert(open(10).error() == sf::Error::Replay);
  ck_assert(open(4).error() == sf::Error::Replay);   // 20 - 4 >= 16: too old
  ck_assert(open(5).ok());                           // 20 - 5 = 15: still inside
  // A forged frame with a far-ahead counter must not move the window.
  sf::Encryptor ahead;
  ck_assert(ahead.add_key(1, sf::CipherSuite::AES_128_GCM_SHA256_128, kKey, { 1000, UINT64_MAX }).ok());
  Bytes forged = protect(ahead, 1, { 0 });
  forged.back() ^= 1;
  ck_assert(dec.unprotect(forged, {}, out).error() == sf::Error::AuthenticationFailed);
  ck_assert(open(19).ok());  // would be "too old" had the forgery moved the window
  ck_assert(open(39).ok());
  ck_assert(open(21).error() == sf::Error::Replay);  // slid out now
}
END_TEST

START_TEST(test_counter_exhaustion)
{
  sf::Encryptor enc;
  ck_assert(enc.add_key(2, sf::CipherSuite::AES_128_GCM_SHA256_128, kKey, { UINT64_MAX - 1, UINT64_MAX }).ok());
  const Bytes a = protect(enc, 2, { 1 });
  const Bytes b = protect(enc, 2, { 1 });
  ck_assert_uint_eq(sf::decode_header(a).value().ctr, UINT64_MAX - 1);
  ck_assert_uint_eq(sf::decode_header(b).value().ctr, UINT64_MAX);
  Bytes out(64);
  ck_assert(enc.protect(2, {}, Bytes{ 1 }, out).error() == sf::Error::CounterExhausted);
  ck_assert(enc.next_counter(2).error() == sf::Error::CounterExhausted);
  // Removed and added again, the KID stays exhausted: no wrap to 0.
  ck_assert(enc.remove_key(2).ok());
  ck_assert(enc.add_key(2, sf::CipherSuite::AES_128_GCM_SHA256_128, kKey).ok());
  ck_assert(enc.protect(2, {}, Bytes{ 1 }, out).error() == sf::Error::CounterExhausted);
  ck_assert(enc.grant_counters(2, { 0, 10 }).error() == sf::Error::CounterRewind);
}
END_TEST

START_TEST(test_counter_continues_after_readd)
{
  sf::Encryptor enc;
  ck_assert(enc.add_key(7, sf::CipherSuite::AES_128_GCM_SHA256_128, kKey).ok());
  for (int i = 0; i < 3; i++)
    protect(enc, 7, { 0 });
  ck_assert(enc.remove_key(7).ok());
  ck_assert(!enc.has_key(7));
  ck_assert(enc.add_key(7, sf::CipherSuite::AES_128_GCM_SHA256_128, kKey).ok());
  ck_assert_uint_eq(sf::decode_header(protect(enc, 7, { 0 })).value().ctr, 3);
  // A duplicate KID is refused rather than silently replacing the key.
  ck_assert(enc.add_key(7, sf::CipherSuite::AES_128_GCM_SHA256_128, kKey).error() == sf::Error::DuplicateKeyId);
  sf::Decryptor dec;
  ck_assert(dec.add_key(7, sf::CipherSuite::AES_128_GCM_SHA256_128, kKey).ok());
  ck_assert(dec.add_key(7, sf::CipherSuite::AES_128_GCM_SHA256_128, kKey).error() == sf::Error::DuplicateKeyId);
}
END_TEST

START_TEST(test_counter_grants)
{
  sf::Encryptor enc;
  ck_assert(enc.add_key(1, sf::CipherSuite::AES_128_GCM_SHA256_128, kKey, { 0, 1 }).ok());
  protect(enc, 1, { 0 });
  protect(enc, 1, { 0 });
  Bytes out(64);
  ck_assert(enc.protect(1, {}, Bytes{ 0 }, out).error() == sf::Error::CounterExhausted);
  ck_assert(enc.grant_counters(1, { 1, 5 }).error() == sf::Error::CounterRewind);
  ck_assert(enc.grant_counters(1, { 100, 200 }).ok());
  ck_assert_uint_eq(sf::decode_header(protect(enc, 1, { 0 })).value().ctr, 100);
  ck_assert(enc.grant_counters(1, { 50, 60 }).error() == sf::Error::CounterRewind);
}
END_TEST

START_TEST(test_unprotect_in_place_and_sizes)
{
  for (auto suite : kAllSuites) {
    sf::Encryptor enc;
    sf::Decryptor dec;
    ck_assert(enc.add_key(77, suite, kKey).ok());
    ck_assert(dec.add_key(77, suite, kKey).ok());
    Bytes pt(1000);
    for (size_t i = 0; i < pt.size(); i++)
      pt[i] = static_cast<uint8_t>(i);
    ck_assert_uint_eq(enc.output_size(77, pt.size()).value(), 2 + pt.size() + sf::suite_info(suite).tag_size);
    Bytes ct = protect(enc, 77, pt);
    auto r = dec.unprotect_in_place({ ct.data(), ct.size() }, {});
    ck_assert(r.ok());
    ck_assert(Bytes(ct.begin() + static_cast<long>(r.value().header_size),
                    ct.begin() + static_cast<long>(r.value().header_size + r.value().plaintext_size)) == pt);
    // Too small an output buffer is refused before anything is written.
    Bytes small(10);
    Bytes again = protect(enc, 77, pt);
    ck_assert(dec.unprotect(again, {}, small).error() == sf::Error::BufferTooSmall);
  }
}
END_TEST

START_TEST(test_bad_arguments)
{
  sf::Encryptor enc;
  ck_assert(enc.add_key(1, static_cast<sf::CipherSuite>(9), kKey).error() == sf::Error::UnsupportedCipherSuite);
  ck_assert(enc.add_key(1, sf::CipherSuite::AES_128_GCM_SHA256_128, Bytes{}).error() == sf::Error::InvalidArgument);
  ck_assert(enc.add_key(1, sf::CipherSuite::AES_128_GCM_SHA256_128, kKey, { 5, 4 }).error() == sf::Error::InvalidArgument);
  ck_assert(enc.add_key(1, sf::CipherSuite::AES_128_GCM_SHA256_128, kKey).ok());
  Bytes out(10);
  ck_assert(enc.protect(1, {}, Bytes(20), out).error() == sf::Error::BufferTooSmall);
  ck_assert_uint_eq(enc.next_counter(1).value(), 0);  // a refused frame uses no counter
}
END_TEST

int main()
{
  Suite* s = suite_create("sframe-behaviour");
  TCase* tc = tcase_create("behaviour");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_header_boundaries);
  tcase_add_test(tc, test_truncated_headers);
  tcase_add_test(tc, test_empty_plaintext_all_suites);
  tcase_add_test(tc, test_bit_flips_all_suites);
  tcase_add_test(tc, test_unknown_kid);
  tcase_add_test(tc, test_replay_window);
  tcase_add_test(tc, test_counter_exhaustion);
  tcase_add_test(tc, test_counter_continues_after_readd);
  tcase_add_test(tc, test_counter_grants);
  tcase_add_test(tc, test_unprotect_in_place_and_sizes);
  tcase_add_test(tc, test_bad_arguments);
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  const int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? 0 : 1;
}
