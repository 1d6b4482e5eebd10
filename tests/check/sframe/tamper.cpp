// SPDX-License-Identifier: LGPL-2.1-or-later
// Frames changed in transit (RFC 9605 section 4.4.4, 9.1): every single-bit
// change of header, ciphertext, tag or metadata, truncation, extension, a
// re-encoded header and an unknown KID all fail with the right error, and
// no unauthenticated plaintext is left in the output (or, in place, in the
// frame). A decryptor that refused all of that still opens the real frame.
#include "helpers.h"
#include "run-suite.h"

using namespace coretest;

static const uint64_t kKid = 1000;  // two-byte KID: the header has fields to break

// The error a changed frame must get: a changed KID finds no key; a header
// the frame cannot hold is truncated; anything else fails the tag.
static sf::Error expected_error(const Bytes& frame, size_t tag)
{
  auto h = sf::decode_header(frame);
  if (!h)
    return sf::Error::TruncatedHeader;
  if (h.value().kid != kKid)
    return sf::Error::UnknownKeyId;
  if (frame.size() < h.value().size + tag)
    return sf::Error::TruncatedHeader;
  return sf::Error::AuthenticationFailed;
}

// After a failure the output holds only what was there (the sentinel) or
// zeros from wiping: the plaintext never contains either byte.
static bool no_plaintext(const Bytes& out)
{
  for (uint8_t b : out)
    if (b != kSentinel && b != 0)
      return false;
  return true;
}

// In place, the payload is either left as received or wiped to zeros.
static bool no_plaintext_in_place(const Bytes& after, const Bytes& received, size_t header_size)
{
  for (size_t i = 0; i < after.size(); i++) {
    if (after[i] == received[i])
      continue;
    if (i < header_size || after[i] != 0)
      return false;
  }
  return true;
}

struct Attempt {
  const char* what;
  Bytes frame;
  Bytes meta;
};

// Runs one changed frame both out of place and in place.
static void expect_refused(sf::Decryptor& dec, const Attempt& a, sf::CipherSuite suite, sf::Error want)
{
  Bytes out(a.frame.size(), kSentinel);
  auto r = dec.unprotect(a.frame, a.meta, out);
  ck_assert_msg(!r.ok(), "suite %d: %s accepted", num(suite), a.what);
  ck_assert_msg(r.error() == want, "suite %d: %s: got %s, expected %s", num(suite), a.what, sf::error_name(r.error()),
                sf::error_name(want));
  ck_assert_msg(no_plaintext(out), "suite %d: %s: plaintext left in the output", num(suite), a.what);

  Bytes in_place = a.frame;
  auto r2 = dec.unprotect_in_place(in_place, a.meta);
  ck_assert_msg(!r2.ok() && r2.error() == want, "suite %d: %s (in place): %s", num(suite), a.what,
                r2.ok() ? "accepted" : sf::error_name(r2.error()));
  const size_t hsize = sf::decode_header(a.frame).ok() ? sf::decode_header(a.frame).value().size : a.frame.size();
  ck_assert_msg(no_plaintext_in_place(in_place, a.frame, hsize), "suite %d: %s: plaintext left in the frame",
                num(suite), a.what);
}

static void expect_genuine_opens(sf::Decryptor& dec, const Bytes& frame, const Bytes& meta, const Bytes& pt)
{
  Bytes out(pt.size());
  auto r = dec.unprotect(frame, meta, out);
  ck_assert_msg(r.ok(), "genuine frame refused after the attempts: %s", r.message());
  ck_assert(out == pt);
}

START_TEST(test_single_bit_flips_all_suites)
{
  const Bytes pt = plaintext(40), meta = { 9, 8, 7 };
  for (auto suite : kAllSuites) {
    const size_t tag = sf::suite_info(suite).tag_size;
    sf::Encryptor enc;
    sf::Decryptor dec;
    ck_assert(enc.add_key(kKid, suite, kBaseKey).ok());
    ck_assert(dec.add_key(kKid, suite, kBaseKey).ok());
    const Bytes frame = protect(enc, kKid, pt, meta);
    size_t unknown_kid = 0, auth = 0;
    for (size_t bit = 0; bit < (frame.size() + meta.size()) * 8; bit++) {
      Attempt a{ "bit flip", frame, meta };
      const size_t byte = bit / 8;
      const auto mask = static_cast<uint8_t>(1u << (bit % 8));
      if (byte < frame.size())
        a.frame[byte] ^= mask;
      else
        a.meta[byte - frame.size()] ^= mask;
      // Metadata is not in the frame: only the frame decides the expected error.
      const sf::Error want = expected_error(a.frame, tag);
      (want == sf::Error::UnknownKeyId ? unknown_kid : auth)++;
      expect_refused(dec, a, suite, want);
    }
    // Both kinds were hit: the X and K bits change the KID, the rest the tag.
    ck_assert_uint_gt(unknown_kid, 0);
    ck_assert_uint_gt(auth, (pt.size() + tag + meta.size()) * 8 - 1);
    expect_genuine_opens(dec, frame, meta, pt);
  }
}
END_TEST

START_TEST(test_truncated_and_extended_frames)
{
  const Bytes pt = plaintext(20);
  for (auto suite : kAllSuites) {
    const size_t tag = sf::suite_info(suite).tag_size;
    sf::Encryptor enc;
    sf::Decryptor dec;
    ck_assert(enc.add_key(kKid, suite, kBaseKey).ok());
    ck_assert(dec.add_key(kKid, suite, kBaseKey).ok());
    const Bytes frame = protect(enc, kKid, pt);
    const size_t hsize = sf::header_size(kKid, 0);
    for (size_t len = 0; len < frame.size(); len++) {
      Attempt a{ "truncated frame", Bytes(frame.begin(), frame.begin() + static_cast<long>(len)), {} };
      expect_refused(dec, a, suite, len < hsize + tag ? sf::Error::TruncatedHeader : sf::Error::AuthenticationFailed);
    }
    Attempt longer{ "extended frame", frame, {} };
    longer.frame.push_back(0);
    expect_refused(dec, longer, suite, sf::Error::AuthenticationFailed);
    expect_genuine_opens(dec, frame, {}, pt);
  }
}
END_TEST

// The metadata is authenticated as a whole: dropped, added or extended
// metadata fails even though the frame itself is intact.
START_TEST(test_metadata_changes)
{
  const Bytes pt = plaintext(20), meta = { 1, 2, 3, 4 };
  for (auto suite : kAllSuites) {
    sf::Encryptor enc;
    sf::Decryptor dec;
    ck_assert(enc.add_key(kKid, suite, kBaseKey).ok());
    ck_assert(dec.add_key(kKid, suite, kBaseKey).ok());
    const Bytes with = protect(enc, kKid, pt, meta);
    const Bytes without = protect(enc, kKid, pt);
    expect_refused(dec, { "metadata dropped", with, {} }, suite, sf::Error::AuthenticationFailed);
    expect_refused(dec, { "metadata added", without, meta }, suite, sf::Error::AuthenticationFailed);
    expect_refused(dec, { "metadata extended", with, { 1, 2, 3, 4, 5 } }, suite, sf::Error::AuthenticationFailed);
    expect_refused(dec, { "metadata shortened", with, { 1, 2, 3 } }, suite, sf::Error::AuthenticationFailed);
    expect_genuine_opens(dec, with, meta, pt);
    expect_genuine_opens(dec, without, {}, pt);
  }
}
END_TEST

// The same KID and CTR written in a longer (not shortest) form: the header
// bytes are in the AAD, so the frame must not open.
START_TEST(test_reencoded_header)
{
  const Bytes pt = plaintext(20);
  for (auto suite : kAllSuites) {
    sf::Encryptor enc;
    sf::Decryptor dec;
    ck_assert(enc.add_key(kKid, suite, kBaseKey).ok());
    ck_assert(dec.add_key(kKid, suite, kBaseKey).ok());
    const Bytes frame = protect(enc, kKid, pt);
    ck_assert((Bytes(frame.begin(), frame.begin() + 3) == Bytes{ 0x90, 0x03, 0xe8 }));
    const Bytes body(frame.begin() + 3, frame.end());
    const Bytes longer_ctr = { 0x98, 0x03, 0xe8, 0x00 };       // CTR 0 in one extra byte
    const Bytes longer_kid = { 0xa0, 0x00, 0x03, 0xe8 };       // KID in three bytes
    for (const Bytes& header : { longer_ctr, longer_kid }) {
      auto h = sf::decode_header(header);
      ck_assert(h.ok() && h.value().kid == kKid && h.value().ctr == 0);
      Attempt a{ "re-encoded header", header, {} };
      a.frame.insert(a.frame.end(), body.begin(), body.end());
      expect_refused(dec, a, suite, sf::Error::AuthenticationFailed);
    }
    expect_genuine_opens(dec, frame, {}, pt);
  }
}
END_TEST

START_TEST(test_unknown_kid)
{
  sf::Encryptor enc;
  sf::Decryptor dec;
  ck_assert(enc.add_key(5, kGcm, kBaseKey).ok());
  ck_assert(dec.add_key(6, kGcm, kBaseKey).ok());
  const Bytes frame = protect(enc, 5, plaintext(3));
  expect_refused(dec, { "frame for an unknown KID", frame, {} }, kGcm, sf::Error::UnknownKeyId);
  Bytes out(64, kSentinel);
  expect_error("protect with an unknown KID", enc.protect(6, {}, plaintext(1), out), sf::Error::UnknownKeyId);
  ck_assert(out == Bytes(64, kSentinel));
  expect_error("output_size of an unknown KID", enc.output_size(6, 1), sf::Error::UnknownKeyId);
  expect_error("next_counter of an unknown KID", enc.next_counter(6), sf::Error::UnknownKeyId);
  // The right key added later opens the frame: the refusal changed nothing.
  ck_assert(dec.add_key(5, kGcm, kBaseKey).ok());
  expect_genuine_opens(dec, frame, {}, plaintext(3));
}
END_TEST

// Right KID, wrong base key: a key mismatch looks like tampering.
START_TEST(test_wrong_base_key)
{
  for (auto suite : kAllSuites) {
    sf::Encryptor enc;
    sf::Decryptor dec;
    Bytes other = kBaseKey;
    other[0] ^= 1;
    ck_assert(enc.add_key(kKid, suite, kBaseKey).ok());
    ck_assert(dec.add_key(kKid, suite, other).ok());
    expect_refused(dec, { "frame under another base key", protect(enc, kKid, plaintext(30)), {} }, suite,
                   sf::Error::AuthenticationFailed);
  }
}
END_TEST

int main()
{
  Suite* s = suite_create("sframe-tamper");
  TCase* tc = tcase_create("tamper");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_single_bit_flips_all_suites);
  tcase_add_test(tc, test_truncated_and_extended_frames);
  tcase_add_test(tc, test_metadata_changes);
  tcase_add_test(tc, test_reencoded_header);
  tcase_add_test(tc, test_unknown_kid);
  tcase_add_test(tc, test_wrong_base_key);
  suite_add_tcase(s, tc);
  return run_suite(s);
}
