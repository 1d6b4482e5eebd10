// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/suite.h"

namespace gste2ee::mls {

namespace {

// RFC 9420 section 17.1 (ids), RFC 9180 section 7 (KEM/KDF/AEAD ids).
const SuiteInfo kSuites[] = {
  { 1, "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519", HashAlg::Sha256, AeadAlg::Aes128Gcm, KemAlg::X25519,
    SigAlg::Ed25519, 32, 16, 12, 0x0020, 0x0001, 0x0001 },
  { 2, "MLS_128_DHKEMP256_AES128GCM_SHA256_P256", HashAlg::Sha256, AeadAlg::Aes128Gcm, KemAlg::P256,
    SigAlg::EcdsaP256Sha256, 32, 16, 12, 0x0010, 0x0001, 0x0001 },
  { 3, "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519", HashAlg::Sha256, AeadAlg::ChaCha20Poly1305,
    KemAlg::X25519, SigAlg::Ed25519, 32, 32, 12, 0x0020, 0x0001, 0x0003 },
  { 4, "MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448", HashAlg::Sha512, AeadAlg::Aes256Gcm, KemAlg::X448,
    SigAlg::Ed448, 64, 32, 12, 0x0021, 0x0003, 0x0002 },
  { 5, "MLS_256_DHKEMP521_AES256GCM_SHA512_P521", HashAlg::Sha512, AeadAlg::Aes256Gcm, KemAlg::P521,
    SigAlg::EcdsaP521Sha512, 64, 32, 12, 0x0012, 0x0003, 0x0002 },
  { 6, "MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448", HashAlg::Sha512, AeadAlg::ChaCha20Poly1305,
    KemAlg::X448, SigAlg::Ed448, 64, 32, 12, 0x0021, 0x0003, 0x0003 },
  { 7, "MLS_256_DHKEMP384_AES256GCM_SHA384_P384", HashAlg::Sha384, AeadAlg::Aes256Gcm, KemAlg::P384,
    SigAlg::EcdsaP384Sha384, 48, 32, 12, 0x0011, 0x0002, 0x0002 },
};

} // namespace

const SuiteInfo* suite_info(uint16_t id) noexcept
{
  for (const auto& s : kSuites)
    if (s.id == id)
      return &s;
  return nullptr;
}

const KemInfo& kem_info(KemAlg k) noexcept
{
  static const KemInfo x25519{ HashAlg::Sha256, 32, 32, 32 };
  static const KemInfo x448{ HashAlg::Sha512, 64, 56, 56 };
  static const KemInfo p256{ HashAlg::Sha256, 32, 65, 32 };
  static const KemInfo p384{ HashAlg::Sha384, 48, 97, 48 };
  static const KemInfo p521{ HashAlg::Sha512, 64, 133, 66 };
  switch (k) {
    case KemAlg::X25519: return x25519;
    case KemAlg::X448: return x448;
    case KemAlg::P256: return p256;
    case KemAlg::P384: return p384;
    case KemAlg::P521: return p521;
  }
  return x25519;
}

size_t hash_size(HashAlg h) noexcept
{
  switch (h) {
    case HashAlg::Sha256: return 32;
    case HashAlg::Sha384: return 48;
    case HashAlg::Sha512: return 64;
  }
  return 0;
}

} // namespace gste2ee::mls
