// SPDX-License-Identifier: LGPL-2.1-or-later
// SFrame cipher suites: RFC 9605 section 4.5 (1-5) and the AES-256-CTR with
// HMAC-SHA-512 suites of draft-barnes-sframe-iana-256 (6-8).
#pragma once

#include <cstddef>
#include <cstdint>

#include "sframe/result.h"

namespace gste2ee::sframe {

enum class CipherSuite : uint16_t {
  AES_128_CTR_HMAC_SHA256_80 = 1,
  AES_128_CTR_HMAC_SHA256_64 = 2,
  AES_128_CTR_HMAC_SHA256_32 = 3,
  AES_128_GCM_SHA256_128 = 4,
  AES_256_GCM_SHA512_128 = 5,
  AES_256_CTR_HMAC_SHA512_80 = 6,
  AES_256_CTR_HMAC_SHA512_64 = 7,
  AES_256_CTR_HMAC_SHA512_32 = 8,
};

enum class AeadKind { Gcm, CtrHmac };
enum class HashKind { Sha256, Sha512 };

struct SuiteInfo {
  CipherSuite suite;
  const char* name;  // RFC name in kebab-case, used as the GStreamer enum nick
  AeadKind kind;
  HashKind hash;
  size_t key_size;      // Nk: for CTR-HMAC the AES key followed by the HMAC key
  size_t enc_key_size;  // Nka: the AES key part (equal to Nk for GCM)
  size_t nonce_size;    // Nn
  size_t tag_size;      // Nt
  size_t hash_size;     // Nh
};

constexpr size_t kNonceSize = 12;
constexpr size_t kMaxHeaderSize = 17;  // config byte + 8 bytes KID + 8 bytes CTR
constexpr size_t kMaxTagSize = 16;
constexpr size_t kMaxOverhead = kMaxHeaderSize + kMaxTagSize;

Result<const SuiteInfo*> suite_info(uint16_t value) noexcept;
const SuiteInfo& suite_info(CipherSuite suite) noexcept;

} // namespace gste2ee::sframe
