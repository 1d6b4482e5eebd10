// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/primitives.h"

#include <memory>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

namespace gste2ee::mls::prim {

namespace {

// RAII for every OpenSSL object used here.
struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
  void operator()(EVP_CIPHER* p) const { EVP_CIPHER_free(p); }
  void operator()(EVP_MD* p) const { EVP_MD_free(p); }
  void operator()(EVP_KDF* p) const { EVP_KDF_free(p); }
  void operator()(EVP_KDF_CTX* p) const { EVP_KDF_CTX_free(p); }
  void operator()(EVP_MAC* p) const { EVP_MAC_free(p); }
  void operator()(EVP_MAC_CTX* p) const { EVP_MAC_CTX_free(p); }
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
  void operator()(EC_GROUP* p) const { EC_GROUP_free(p); }
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
  void operator()(BN_CTX* p) const { BN_CTX_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
template <typename T>
using Ptr = std::unique_ptr<T, Free>;

const char* md_name(HashAlg h)
{
  switch (h) {
    case HashAlg::Sha256: return "SHA256";
    case HashAlg::Sha384: return "SHA384";
    case HashAlg::Sha512: return "SHA512";
  }
  return "SHA256";
}

const char* cipher_name(AeadAlg a)
{
  switch (a) {
    case AeadAlg::Aes128Gcm: return "AES-128-GCM";
    case AeadAlg::Aes256Gcm: return "AES-256-GCM";
    case AeadAlg::ChaCha20Poly1305: return "ChaCha20-Poly1305";
  }
  return "AES-128-GCM";
}

constexpr size_t kTag = 16;

bool is_nist(KemAlg k)
{
  return k == KemAlg::P256 || k == KemAlg::P384 || k == KemAlg::P521;
}

const char* group_name(KemAlg k)
{
  switch (k) {
    case KemAlg::P256: return "P-256";
    case KemAlg::P384: return "P-384";
    case KemAlg::P521: return "P-521";
    default: return nullptr;
  }
}

int curve_nid(KemAlg k)
{
  switch (k) {
    case KemAlg::P256: return NID_X9_62_prime256v1;
    case KemAlg::P384: return NID_secp384r1;
    case KemAlg::P521: return NID_secp521r1;
    default: return NID_undef;
  }
}

int raw_type(KemAlg k)
{
  return k == KemAlg::X25519 ? EVP_PKEY_X25519 : EVP_PKEY_X448;
}

// The KEM group a signature scheme's curve corresponds to (same encodings).
KemAlg sig_curve(SigAlg s)
{
  switch (s) {
    case SigAlg::EcdsaP256Sha256: return KemAlg::P256;
    case SigAlg::EcdsaP384Sha384: return KemAlg::P384;
    case SigAlg::EcdsaP521Sha512: return KemAlg::P521;
    default: return KemAlg::X25519;
  }
}

bool is_eddsa(SigAlg s)
{
  return s == SigAlg::Ed25519 || s == SigAlg::Ed448;
}

// Public point of a NIST-curve private scalar, uncompressed.
Result<Bytes> nist_public(KemAlg k, const SecretBytes& priv)
{
  Ptr<EC_GROUP> group(EC_GROUP_new_by_curve_name(curve_nid(k)));
  Ptr<BN_CTX> bn(BN_CTX_new());
  Ptr<BIGNUM> d(BN_bin2bn(priv.data(), static_cast<int>(priv.size()), nullptr));
  if (!group || !bn || !d)
    return failed(Error::CryptoFailure, "EC setup failed");
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0)
    return failed(Error::InvalidKey, "private scalar out of range");
  Ptr<EC_POINT> q(EC_POINT_new(group.get()));
  if (!q || !EC_POINT_mul(group.get(), q.get(), d.get(), nullptr, nullptr, bn.get()))
    return failed(Error::CryptoFailure, "EC point multiplication failed");
  Bytes out(EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, nullptr, 0, bn.get()));
  if (out.empty() ||
      EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(), bn.get()) !=
        out.size())
    return failed(Error::CryptoFailure, "EC point encoding failed");
  return out;
}

// An EVP_PKEY for a NIST curve from a private scalar (with its public point)
// or from a public point alone (priv == nullptr).
Ptr<EVP_PKEY> nist_key(KemAlg k, const SecretBytes* priv, const Bytes& pub)
{
  Ptr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  Ptr<BIGNUM> d;
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group_name(k), 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size()))
    return nullptr;
  if (priv) {
    d.reset(BN_bin2bn(priv->data(), static_cast<int>(priv->size()), nullptr));
    if (!d || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()))
      return nullptr;
  }
  Ptr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
  Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
    return nullptr;
  Ptr<EVP_PKEY> owned(key);
  // fromdata does not check that the point lies on the curve.
  Ptr<EVP_PKEY_CTX> check(EVP_PKEY_CTX_new_from_pkey(nullptr, owned.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1)
    return nullptr;
  return owned;
}

} // namespace

Result<Bytes> hash(HashAlg h, const Bytes& data)
{
  Bytes out(hash_size(h));
  unsigned int n = 0;
  Ptr<EVP_MD> md(EVP_MD_fetch(nullptr, md_name(h), nullptr));
  if (!md || !EVP_Digest(data.data(), data.size(), out.data(), &n, md.get(), nullptr) || n != out.size())
    return failed(Error::CryptoFailure, "hash failed");
  return out;
}

Result<Bytes> hmac(HashAlg h, const SecretBytes& key, const Bytes& data)
{
  Ptr<EVP_MAC> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  Ptr<EVP_MAC_CTX> ctx(mac ? EVP_MAC_CTX_new(mac.get()) : nullptr);
  OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(md_name(h)), 0),
                          OSSL_PARAM_construct_end() };
  Bytes out(hash_size(h));
  size_t n = 0;
  static const uint8_t kEmpty = 0;
  if (!ctx || !EVP_MAC_init(ctx.get(), key.empty() ? &kEmpty : key.data(), key.size(), params) ||
      !EVP_MAC_update(ctx.get(), data.data(), data.size()) || !EVP_MAC_final(ctx.get(), out.data(), &n, out.size()))
    return failed(Error::CryptoFailure, "HMAC failed");
  return out;
}

Result<SecretBytes> hkdf_extract(HashAlg h, const SecretBytes& salt, const SecretBytes& ikm)
{
  // HKDF-Extract is HMAC(salt, ikm) (RFC 5869 section 2.2); an empty salt
  // means HashLen zero bytes, which HMAC pads to the same key.
  auto prk = hmac(h, salt, ikm.bytes());
  if (!prk)
    return prk.failure();
  SecretBytes out(prk.value());
  OPENSSL_cleanse(prk.value().data(), prk.value().size());
  return out;
}

Result<SecretBytes> hkdf_expand(HashAlg h, const SecretBytes& prk, const Bytes& info, size_t length)
{
  if (length > 255 * hash_size(h))
    return failed(Error::InvalidArgument, "HKDF-Expand length too large");
  Ptr<EVP_KDF> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  Ptr<EVP_KDF_CTX> ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
  int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  static uint8_t kEmpty = 0;
  OSSL_PARAM params[] = {
    OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(md_name(h)), 0),
    OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, prk.empty() ? &kEmpty : const_cast<uint8_t*>(prk.data()),
                                      prk.size()),
    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.empty() ? &kEmpty : const_cast<uint8_t*>(info.data()),
                                      info.size()),
    OSSL_PARAM_construct_end(),
  };
  SecretBytes out(length);
  if (length == 0)
    return out;
  if (!ctx || EVP_KDF_derive(ctx.get(), out.data(), length, params) <= 0)
    return failed(Error::CryptoFailure, "HKDF-Expand failed");
  return out;
}

Result<Bytes> seal(AeadAlg a, const SecretBytes& key, const Bytes& nonce, const Bytes& aad, const Bytes& pt)
{
  Ptr<EVP_CIPHER> cipher(EVP_CIPHER_fetch(nullptr, cipher_name(a), nullptr));
  Ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  Bytes out(pt.size() + kTag);
  int n = 0, m = 0;
  if (!cipher || !ctx || static_cast<size_t>(EVP_CIPHER_get_key_length(cipher.get())) != key.size() ||
      !EVP_EncryptInit_ex2(ctx.get(), cipher.get(), key.data(), nonce.data(), nullptr) ||
      (!aad.empty() && !EVP_EncryptUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size()))) ||
      !EVP_EncryptUpdate(ctx.get(), out.data(), &n, pt.data(), static_cast<int>(pt.size())) ||
      !EVP_EncryptFinal_ex(ctx.get(), out.data() + n, &m) ||
      !EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kTag, out.data() + pt.size()))
    return failed(Error::CryptoFailure, "AEAD seal failed");
  return out;
}

Result<SecretBytes> open(AeadAlg a, const SecretBytes& key, const Bytes& nonce, const Bytes& aad, const Bytes& ct)
{
  if (ct.size() < kTag)
    return failed(Error::AuthenticationFailed, "ciphertext shorter than its tag");
  Ptr<EVP_CIPHER> cipher(EVP_CIPHER_fetch(nullptr, cipher_name(a), nullptr));
  Ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  const size_t n_pt = ct.size() - kTag;
  SecretBytes out(n_pt);
  int n = 0, m = 0;
  uint8_t tag[kTag];
  std::copy(ct.end() - kTag, ct.end(), tag);
  if (!cipher || !ctx || static_cast<size_t>(EVP_CIPHER_get_key_length(cipher.get())) != key.size() ||
      !EVP_DecryptInit_ex2(ctx.get(), cipher.get(), key.data(), nonce.data(), nullptr) ||
      (!aad.empty() && !EVP_DecryptUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size()))) ||
      !EVP_DecryptUpdate(ctx.get(), out.data(), &n, ct.data(), static_cast<int>(n_pt)) ||
      !EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kTag, tag))
    return failed(Error::CryptoFailure, "AEAD open failed");
  // The tag check happens in Final, in constant time.
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + n, &m) <= 0) {
    out.wipe();
    return failed(Error::AuthenticationFailed, "AEAD tag does not verify");
  }
  return out;
}

bool nist_scalar_in_range(KemAlg k, const Bytes& scalar)
{
  Ptr<EC_GROUP> group(EC_GROUP_new_by_curve_name(curve_nid(k)));
  Ptr<BIGNUM> d(BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), nullptr));
  return group && d && !BN_is_zero(d.get()) && BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) < 0;
}

Result<Bytes> kem_public_key(KemAlg k, const SecretBytes& priv)
{
  if (is_nist(k))
    return nist_public(k, priv);
  Ptr<EVP_PKEY> key(EVP_PKEY_new_raw_private_key(raw_type(k), nullptr, priv.data(), priv.size()));
  Bytes out(kem_info(k).enc_size);
  size_t n = out.size();
  if (!key || !EVP_PKEY_get_raw_public_key(key.get(), out.data(), &n) || n != out.size())
    return failed(Error::InvalidKey, "bad private key");
  return out;
}

Result<SecretBytes> dh(KemAlg k, const SecretBytes& priv, const Bytes& peer_pub)
{
  if (peer_pub.size() != kem_info(k).enc_size)
    return failed(Error::InvalidKey, "public key of the wrong size");
  Ptr<EVP_PKEY> mine, theirs;
  if (is_nist(k)) {
    auto pub = nist_public(k, priv);
    if (!pub)
      return pub.failure();
    mine = nist_key(k, &priv, pub.value());
    theirs = nist_key(k, nullptr, peer_pub);
  } else {
    mine.reset(EVP_PKEY_new_raw_private_key(raw_type(k), nullptr, priv.data(), priv.size()));
    theirs.reset(EVP_PKEY_new_raw_public_key(raw_type(k), nullptr, peer_pub.data(), peer_pub.size()));
  }
  if (!mine || !theirs)
    return failed(Error::InvalidKey, "key does not parse or is not on the curve");
  Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, mine.get(), nullptr));
  size_t n = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 || EVP_PKEY_derive_set_peer(ctx.get(), theirs.get()) <= 0 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &n) <= 0)
    return failed(Error::InvalidKey, "Diffie-Hellman refused the keys");
  SecretBytes out(n);
  // X25519/X448 with a low-order peer key gives all zeros: OpenSSL refuses it.
  if (EVP_PKEY_derive(ctx.get(), out.data(), &n) <= 0)
    return failed(Error::InvalidKey, "Diffie-Hellman refused the keys");
  return out;
}

namespace {

Ptr<EVP_PKEY> signature_key(SigAlg s, const SecretBytes& priv)
{
  if (s == SigAlg::Ed25519 || s == SigAlg::Ed448)
    return Ptr<EVP_PKEY>(EVP_PKEY_new_raw_private_key(s == SigAlg::Ed25519 ? EVP_PKEY_ED25519 : EVP_PKEY_ED448,
                                                      nullptr, priv.data(), priv.size()));
  auto pub = nist_public(sig_curve(s), priv);
  if (!pub)
    return nullptr;
  return nist_key(sig_curve(s), &priv, pub.value());
}

const char* sig_md(SigAlg s)
{
  switch (s) {
    case SigAlg::EcdsaP256Sha256: return "SHA256";
    case SigAlg::EcdsaP384Sha384: return "SHA384";
    case SigAlg::EcdsaP521Sha512: return "SHA512";
    default: return nullptr;  // EdDSA hashes internally
  }
}

} // namespace

Result<Bytes> sign(SigAlg s, const SecretBytes& priv, const Bytes& message)
{
  Ptr<EVP_PKEY> key = signature_key(s, priv);
  Ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  size_t n = 0;
  if (!key || !ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, sig_md(s), nullptr, nullptr, key.get(), nullptr) <= 0 ||
      EVP_DigestSign(ctx.get(), nullptr, &n, message.data(), message.size()) <= 0)
    return failed(Error::InvalidKey, "signature key refused");
  Bytes out(n);
  if (EVP_DigestSign(ctx.get(), out.data(), &n, message.data(), message.size()) <= 0)
    return failed(Error::CryptoFailure, "signing failed");
  out.resize(n);  // ECDSA's DER length varies
  return out;
}

bool verify(SigAlg s, const Bytes& pub, const Bytes& message, const Bytes& signature)
{
  Ptr<EVP_PKEY> key;
  if (is_eddsa(s))
    key.reset(EVP_PKEY_new_raw_public_key(s == SigAlg::Ed25519 ? EVP_PKEY_ED25519 : EVP_PKEY_ED448, nullptr,
                                          pub.data(), pub.size()));
  else
    key = nist_key(sig_curve(s), nullptr, pub);
  Ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  return key && ctx &&
         EVP_DigestVerifyInit_ex(ctx.get(), nullptr, sig_md(s), nullptr, nullptr, key.get(), nullptr) > 0 &&
         EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()) == 1;
}

Result<Bytes> signature_public_key(SigAlg s, const SecretBytes& priv)
{
  if (!is_eddsa(s))
    return nist_public(sig_curve(s), priv);
  Ptr<EVP_PKEY> key = signature_key(s, priv);
  size_t n = 0;
  if (!key || !EVP_PKEY_get_raw_public_key(key.get(), nullptr, &n))
    return failed(Error::InvalidKey, "bad signature private key");
  Bytes out(n);
  if (!EVP_PKEY_get_raw_public_key(key.get(), out.data(), &n))
    return failed(Error::CryptoFailure, "public key export failed");
  return out;
}

Result<SecretBytes> generate_signature_key(SigAlg s)
{
  if (is_eddsa(s)) {
    SecretBytes seed(s == SigAlg::Ed25519 ? 32 : 57);
    if (RAND_bytes(seed.data(), static_cast<int>(seed.size())) != 1)
      return failed(Error::CryptoFailure, "no randomness");
    return seed;
  }
  // Rejection sampling of a scalar in [1, order).
  const size_t n = kem_info(sig_curve(s)).priv_size;
  for (int tries = 0; tries < 64; tries++) {
    SecretBytes d(n);
    if (RAND_bytes(d.data(), static_cast<int>(n)) != 1)
      return failed(Error::CryptoFailure, "no randomness");
    if (sig_curve(s) == KemAlg::P521)
      d.data()[0] &= 0x01;
    if (nist_scalar_in_range(sig_curve(s), d.bytes()))
      return d;
  }
  return failed(Error::CryptoFailure, "could not draw a private key");
}

Result<Bytes> random_bytes(size_t n)
{
  Bytes out(n);
  if (n && RAND_bytes(out.data(), static_cast<int>(n)) != 1)
    return failed(Error::CryptoFailure, "no randomness");
  return out;
}

} // namespace gste2ee::mls::prim
