// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/crypto.h"

#include <string>

#include "mls/codec.h"
#include "mls/primitives.h"

namespace gste2ee::mls {

namespace {

constexpr std::string_view kLabelPrefix = "MLS 1.0 ";

Bytes mls_label(std::string_view label)
{
  std::string s(kLabelPrefix);  // (one string: g++ 12 misjudges two inserts)
  s += label;
  return Bytes(s.begin(), s.end());
}

// {opaque label<V>; opaque second<V>}: the shape of SignContent,
// EncryptContext and RefHashInput.
Result<Bytes> two_vectors(const Bytes& label, const Bytes& second)
{
  Writer w;
  if (!w.opaque(label) || !w.opaque(second))
    return failed(Error::TooLarge, "labeled input too large");
  return w.take();
}

} // namespace

Result<Crypto> Crypto::for_suite(uint16_t suite_id)
{
  const SuiteInfo* s = suite_info(suite_id);
  if (!s)
    return failed(Error::UnsupportedSuite, "unknown MLS cipher suite");
  return Crypto(s);
}

Result<Bytes> Crypto::hash(const Bytes& data) const
{
  return prim::hash(suite_->hash, data);
}

Result<Bytes> Crypto::mac(const SecretBytes& key, const Bytes& data) const
{
  return prim::hmac(suite_->hash, key, data);
}

Result<SecretBytes> Crypto::extract(const SecretBytes& salt, const SecretBytes& ikm) const
{
  return prim::hkdf_extract(suite_->hash, salt, ikm);
}

Result<Bytes> Crypto::ref_hash(std::string_view label, const Bytes& value) const
{
  auto input = two_vectors(to_bytes(label), value);
  if (!input)
    return input.failure();
  return hash(input.value());
}

Result<SecretBytes> Crypto::expand_with_label(const SecretBytes& secret, std::string_view label,
                                              const Bytes& context, size_t length) const
{
  if (length > UINT16_MAX)
    return failed(Error::InvalidArgument, "ExpandWithLabel length above 2^16-1");
  Writer w;
  w.u16(static_cast<uint16_t>(length));
  if (!w.opaque(mls_label(label)) || !w.opaque(context))
    return failed(Error::TooLarge, "KDFLabel too large");
  return prim::hkdf_expand(suite_->hash, secret, w.bytes(), length);
}

Result<SecretBytes> Crypto::derive_secret(const SecretBytes& secret, std::string_view label) const
{
  return expand_with_label(secret, label, {}, hash_size());
}

Result<SecretBytes> Crypto::derive_tree_secret(const SecretBytes& secret, std::string_view label, uint32_t generation,
                                               size_t length) const
{
  Writer w;
  w.u32(generation);
  return expand_with_label(secret, label, w.bytes(), length);
}

Result<Bytes> Crypto::sign_with_label(const SecretBytes& priv, std::string_view label, const Bytes& content) const
{
  auto tbs = two_vectors(mls_label(label), content);
  if (!tbs)
    return tbs.failure();
  return prim::sign(suite_->sig, priv, tbs.value());
}

bool Crypto::verify_with_label(const Bytes& pub, std::string_view label, const Bytes& content,
                               const Bytes& signature) const
{
  auto tbs = two_vectors(mls_label(label), content);
  return tbs && prim::verify(suite_->sig, pub, tbs.value(), signature);
}

Result<hpke::Sealed> Crypto::encrypt_with_label(const Bytes& pub, std::string_view label, const Bytes& context,
                                                const Bytes& plaintext) const
{
  auto info = two_vectors(mls_label(label), context);
  if (!info)
    return info.failure();
  return hpke::seal_base(*suite_, pub, info.value(), {}, plaintext);
}

Result<SecretBytes> Crypto::decrypt_with_label(const SecretBytes& priv, std::string_view label, const Bytes& context,
                                               const Bytes& kem_output, const Bytes& ciphertext) const
{
  auto info = two_vectors(mls_label(label), context);
  if (!info)
    return info.failure();
  return hpke::open_base(*suite_, kem_output, priv, info.value(), {}, ciphertext);
}

Result<hpke::KeyPair> Crypto::derive_key_pair(const SecretBytes& secret) const
{
  return hpke::derive_key_pair(*suite_, secret);
}

Result<Bytes> Crypto::signature_public_key(const SecretBytes& priv) const
{
  return prim::signature_public_key(suite_->sig, priv);
}

} // namespace gste2ee::mls
