// SPDX-License-Identifier: LGPL-2.1-or-later
// The labeled cryptographic operations of RFC 9420 section 5, for one cipher
// suite: every key, secret and signature in MLS goes through these.
#pragma once

#include <cstdint>
#include <string_view>

#include "mls/bytes.h"
#include "mls/hpke.h"
#include "mls/result.h"
#include "mls/suite.h"

namespace gste2ee::mls {

class Crypto {
public:
  // nullopt-like failure for suites other than 1-7.
  static Result<Crypto> for_suite(uint16_t suite_id);

  const SuiteInfo& suite() const { return *suite_; }
  size_t hash_size() const { return suite_->hash_size; }

  Result<Bytes> hash(const Bytes& data) const;
  Result<Bytes> mac(const SecretBytes& key, const Bytes& data) const;
  Result<SecretBytes> extract(const SecretBytes& salt, const SecretBytes& ikm) const;

  // RefHash(label, value) = Hash(RefHashInput{label<V>, value<V>}), 5.2.
  Result<Bytes> ref_hash(std::string_view label, const Bytes& value) const;
  // ExpandWithLabel(secret, label, context, length) with KDFLabel
  // {uint16 length; opaque label<V> = "MLS 1.0 " + label; opaque context<V>}, 5.1.
  Result<SecretBytes> expand_with_label(const SecretBytes& secret, std::string_view label, const Bytes& context,
                                        size_t length) const;
  // DeriveSecret(secret, label) = ExpandWithLabel(secret, label, "", Nh).
  Result<SecretBytes> derive_secret(const SecretBytes& secret, std::string_view label) const;
  // DeriveTreeSecret(secret, label, generation, length), 9.1.
  Result<SecretBytes> derive_tree_secret(const SecretBytes& secret, std::string_view label, uint32_t generation,
                                         size_t length) const;

  // SignWithLabel / VerifyWithLabel over SignContent
  // {opaque label<V> = "MLS 1.0 " + label; opaque content<V>}, 5.1.2.
  Result<Bytes> sign_with_label(const SecretBytes& priv, std::string_view label, const Bytes& content) const;
  bool verify_with_label(const Bytes& pub, std::string_view label, const Bytes& content,
                         const Bytes& signature) const;

  // EncryptWithLabel / DecryptWithLabel: HPKE base mode with info =
  // EncryptContext {opaque label<V> = "MLS 1.0 " + label; opaque context<V>}, 5.1.3.
  Result<hpke::Sealed> encrypt_with_label(const Bytes& pub, std::string_view label, const Bytes& context,
                                          const Bytes& plaintext) const;
  Result<SecretBytes> decrypt_with_label(const SecretBytes& priv, std::string_view label, const Bytes& context,
                                         const Bytes& kem_output, const Bytes& ciphertext) const;

  // Node key pairs from secrets (DeriveKeyPair, 7.4) and signature keys.
  Result<hpke::KeyPair> derive_key_pair(const SecretBytes& secret) const;
  Result<Bytes> signature_public_key(const SecretBytes& priv) const;

private:
  explicit Crypto(const SuiteInfo* s) : suite_(s) {}
  const SuiteInfo* suite_;
};

} // namespace gste2ee::mls
