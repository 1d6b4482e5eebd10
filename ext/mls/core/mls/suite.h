// SPDX-License-Identifier: LGPL-2.1-or-later
// MLS cipher suites (RFC 9420 section 17.1) and the algorithms behind them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gste2ee::mls {

enum class HashAlg { Sha256, Sha384, Sha512 };
enum class AeadAlg { Aes128Gcm, Aes256Gcm, ChaCha20Poly1305 };
// KEM groups (RFC 9180 section 7.1) and signature schemes (RFC 8446 4.2.3).
enum class KemAlg { X25519, X448, P256, P384, P521 };
enum class SigAlg { Ed25519, Ed448, EcdsaP256Sha256, EcdsaP384Sha384, EcdsaP521Sha512 };

struct SuiteInfo {
  uint16_t id;
  const char* name;
  HashAlg hash;  // MLS hash and KDF (HKDF with this hash)
  AeadAlg aead;
  KemAlg kem;
  SigAlg sig;
  size_t hash_size;   // Nh: KDF output
  size_t key_size;    // Nk: AEAD key
  size_t nonce_size;  // Nn: AEAD nonce
  // RFC 9180 identifiers, for HPKE's suite_id.
  uint16_t kem_id, kdf_id, aead_id;
};

// Suites 1-7; nullptr for anything else.
const SuiteInfo* suite_info(uint16_t id) noexcept;

// The DHKEM's own parameters (RFC 9180 section 7.1).
struct KemInfo {
  HashAlg hash;       // the KEM's HKDF
  size_t secret_size;  // Nsecret
  size_t enc_size;     // Nenc = Npk
  size_t priv_size;    // Nsk
};
const KemInfo& kem_info(KemAlg k) noexcept;

size_t hash_size(HashAlg h) noexcept;

} // namespace gste2ee::mls
