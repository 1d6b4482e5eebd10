// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sframe/suite.h"

namespace gste2ee::sframe {

namespace {
// Sizes from RFC 9605 section 4.5 (table of cipher suites) and
// draft-barnes-sframe-iana-256 for 6-8.
constexpr SuiteInfo kSuites[] = {
  { CipherSuite::AES_128_CTR_HMAC_SHA256_80, "aes-128-ctr-hmac-sha256-80", AeadKind::CtrHmac, HashKind::Sha256, 48, 16, 12, 10, 32 },
  { CipherSuite::AES_128_CTR_HMAC_SHA256_64, "aes-128-ctr-hmac-sha256-64", AeadKind::CtrHmac, HashKind::Sha256, 48, 16, 12, 8, 32 },
  { CipherSuite::AES_128_CTR_HMAC_SHA256_32, "aes-128-ctr-hmac-sha256-32", AeadKind::CtrHmac, HashKind::Sha256, 48, 16, 12, 4, 32 },
  { CipherSuite::AES_128_GCM_SHA256_128, "aes-128-gcm-sha256-128", AeadKind::Gcm, HashKind::Sha256, 16, 16, 12, 16, 32 },
  { CipherSuite::AES_256_GCM_SHA512_128, "aes-256-gcm-sha512-128", AeadKind::Gcm, HashKind::Sha512, 32, 32, 12, 16, 64 },
  { CipherSuite::AES_256_CTR_HMAC_SHA512_80, "aes-256-ctr-hmac-sha512-80", AeadKind::CtrHmac, HashKind::Sha512, 96, 32, 12, 10, 64 },
  { CipherSuite::AES_256_CTR_HMAC_SHA512_64, "aes-256-ctr-hmac-sha512-64", AeadKind::CtrHmac, HashKind::Sha512, 96, 32, 12, 8, 64 },
  { CipherSuite::AES_256_CTR_HMAC_SHA512_32, "aes-256-ctr-hmac-sha512-32", AeadKind::CtrHmac, HashKind::Sha512, 96, 32, 12, 4, 64 },
};
} // namespace

Result<const SuiteInfo*> suite_info(uint16_t value) noexcept
{
  if (value < 1 || value > 8)
    return failed(Error::UnsupportedCipherSuite, "unsupported SFrame cipher suite");
  return &kSuites[value - 1];
}

const SuiteInfo& suite_info(CipherSuite suite) noexcept
{
  return kSuites[static_cast<uint16_t>(suite) - 1];
}

const char* error_name(Error e) noexcept
{
  switch (e) {
    case Error::InvalidArgument: return "invalid-argument";
    case Error::UnsupportedCipherSuite: return "unsupported-cipher-suite";
    case Error::BufferTooSmall: return "buffer-too-small";
    case Error::TruncatedHeader: return "syntax";
    case Error::UnknownKeyId: return "unknown-kid";
    case Error::DuplicateKeyId: return "duplicate-kid";
    case Error::AuthenticationFailed: return "authentication";
    case Error::Replay: return "replay";
    case Error::CounterExhausted: return "counter-exhausted";
    case Error::CounterRewind: return "counter-rewind";
    case Error::CryptoFailure: return "crypto-failure";
  }
  return "unknown";
}

} // namespace gste2ee::sframe
