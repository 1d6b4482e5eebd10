// SPDX-License-Identifier: LGPL-2.1-or-later
// Shared by the SFrame core's Check programs: the suite list, a base key,
// frame helpers and the Check main loop.
#pragma once

#include <cstdint>
#include <vector>

#include "sframe/sframe.h"

// After the C++ headers (and include this one after yours): check.h defines
// a `fail` macro that breaks <ios>.
#include <check.h>

namespace coretest {

namespace sf = gste2ee::sframe;
using Bytes = std::vector<uint8_t>;

inline const Bytes kBaseKey = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

inline constexpr sf::CipherSuite kAllSuites[] = {
  sf::CipherSuite::AES_128_CTR_HMAC_SHA256_80, sf::CipherSuite::AES_128_CTR_HMAC_SHA256_64,
  sf::CipherSuite::AES_128_CTR_HMAC_SHA256_32, sf::CipherSuite::AES_128_GCM_SHA256_128,
  sf::CipherSuite::AES_256_GCM_SHA512_128,     sf::CipherSuite::AES_256_CTR_HMAC_SHA512_80,
  sf::CipherSuite::AES_256_CTR_HMAC_SHA512_64, sf::CipherSuite::AES_256_CTR_HMAC_SHA512_32,
};

inline constexpr sf::CipherSuite kGcm = sf::CipherSuite::AES_128_GCM_SHA256_128;

inline int num(sf::CipherSuite s)
{
  return static_cast<int>(s);
}

// A plaintext whose bytes are never 0x00 or 0x5c, so a buffer holding only
// those two values provably holds none of it.
inline Bytes plaintext(size_t n)
{
  Bytes b(n);
  for (size_t i = 0; i < n; i++)
    b[i] = static_cast<uint8_t>(0x80 | (i * 7 % 0x80));
  return b;
}
inline constexpr uint8_t kSentinel = 0x5c;

inline Bytes protect(sf::Encryptor& enc, uint64_t kid, const Bytes& pt, const Bytes& meta = {})
{
  Bytes out(pt.size() + sf::kMaxOverhead);
  auto n = enc.protect(kid, meta, pt, out);
  ck_assert_msg(n.ok(), "protect(kid %llu) failed: %s", static_cast<unsigned long long>(kid), n.message());
  out.resize(n.value());
  return out;
}

inline uint64_t ctr_of(const Bytes& frame)
{
  auto h = sf::decode_header(frame);
  ck_assert(h.ok());
  return h.value().ctr;
}

// A call that should have failed with `want`; names what happened instead.
template <typename T>
void expect_error(const char* what, const sf::Result<T>& r, sf::Error want)
{
  ck_assert_msg(!r.ok(), "%s: succeeded, expected %s", what, sf::error_name(want));
  ck_assert_msg(r.error() == want, "%s: got %s, expected %s", what, sf::error_name(r.error()), sf::error_name(want));
}


} // namespace coretest
