// SPDX-License-Identifier: LGPL-2.1-or-later
// The bodies of the SFrame fuzz targets, as plain functions: the libFuzzer
// programs call them, and tests/check/sframe/fuzz-replay.cpp runs them over
// vectors and deterministic mutations in every test run. Each aborts on a
// broken property; sanitizers catch memory errors.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "sframe/sframe.h"

namespace sframe_fuzz {

namespace sf = gste2ee::sframe;

inline void require(bool ok)
{
  if (!ok)
    std::abort();
}

// Header decode never reads past the input; what decodes re-encodes to a
// header no longer than the input's.
inline void header(const uint8_t* data, size_t size)
{
  auto h = sf::decode_header({ data, size });
  if (!h)
    return;
  require(h.value().size <= size);
  uint8_t buf[sf::kMaxHeaderSize];
  auto n = sf::encode_header(h.value().kid, h.value().ctr, { buf, sizeof buf });
  require(n.ok() && n.value() <= h.value().size);
  auto again = sf::decode_header({ buf, n.value() });
  require(again.ok() && again.value().kid == h.value().kid && again.value().ctr == h.value().ctr);
}

// Hostile frames against a decryptor holding keys for KIDs 0-3 in several
// suites: never a crash, never a success without the key's tag.
inline void unprotect(const uint8_t* data, size_t size)
{
  static const std::vector<uint8_t> key(16, 0x42);
  sf::Decryptor dec(64);
  const sf::CipherSuite suites[] = { sf::CipherSuite::AES_128_CTR_HMAC_SHA256_32, sf::CipherSuite::AES_128_GCM_SHA256_128,
                                     sf::CipherSuite::AES_256_GCM_SHA512_128, sf::CipherSuite::AES_256_CTR_HMAC_SHA512_80 };
  for (uint64_t kid = 0; kid < 4; kid++)
    require(dec.add_key(kid, suites[kid], key).ok());
  std::vector<uint8_t> out(size);
  auto r = dec.unprotect({ data, size }, {}, { out.data(), out.size() });
  // A random frame authenticating would mean the tag check is broken (the
  // 32-bit tag that KID 0 uses makes a chance hit possible, if unlikely).
  require(!r.ok() || r.value().kid == 0);
  std::vector<uint8_t> copy(data, data + size);
  (void) dec.unprotect_in_place({ copy.data(), copy.size() }, {});
}

// Anything protected unprotects to itself, with input bytes choosing suite,
// KID, counter start, metadata and plaintext.
inline void round_trip(const uint8_t* data, size_t size)
{
  if (size < 10)
    return;
  const auto suite = static_cast<sf::CipherSuite>(1 + data[0] % 8);
  uint64_t kid = 0, ctr = 0;
  for (int i = 0; i < 4; i++) {
    kid = kid << 8 | data[1 + i];
    ctr = ctr << 8 | data[5 + i];
  }
  ctr <<= data[9] % 33;  // reach long counters too
  const size_t meta_len = size > 10 ? data[9] % (size - 10 + 1) : 0;
  const sf::ByteView meta(data + 10, meta_len);
  const sf::ByteView pt(data + 10 + meta_len, size - 10 - meta_len);
  const std::vector<uint8_t> key(data, data + 10);
  sf::Encryptor enc;
  sf::Decryptor dec;
  require(enc.add_key(kid, suite, key, { ctr, UINT64_MAX }).ok());
  require(dec.add_key(kid, suite, key).ok());
  std::vector<uint8_t> frame(pt.size + sf::kMaxOverhead);
  auto n = enc.protect(kid, meta, pt, { frame.data(), frame.size() });
  require(n.ok());
  std::vector<uint8_t> back(pt.size);
  auto r = dec.unprotect({ frame.data(), n.value() }, meta, { back.data(), back.size() });
  require(r.ok() && r.value().kid == kid && r.value().ctr == ctr);
  require(std::vector<uint8_t>(pt.data, pt.data + pt.size) == back);
}

} // namespace sframe_fuzz
