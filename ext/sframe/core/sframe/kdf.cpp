// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sframe/kdf.h"
#include "sframe/ossl.h"

#include <cstring>
#include <memory>

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

namespace gste2ee::sframe {

namespace {

struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* c) const noexcept { EVP_KDF_CTX_free(c); }
};

// One HKDF step through EVP_KDF; runs when a key is added, not per frame.
bool hkdf(int mode, HashKind hash, ByteView salt, ByteView key, ByteView info, uint8_t* out, size_t out_len) noexcept
{
  EVP_KDF* kdf = ossl::hkdf();  // fetched once for the process
  if (!kdf)
    return false;
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf));
  if (!ctx)
    return false;
  // OSSL_PARAM wants non-const pointers; OpenSSL only reads them.
  auto octets = [](const char* name, ByteView v) {
    static const uint8_t empty = 0;
    return OSSL_PARAM_construct_octet_string(name, const_cast<uint8_t*>(v.size ? v.data : &empty), v.size);
  };
  char digest_name[8];
  std::strcpy(digest_name, hash == HashKind::Sha256 ? "SHA256" : "SHA512");
  OSSL_PARAM params[6];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name, 0);
  params[n++] = octets(OSSL_KDF_PARAM_KEY, key);
  if (mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY)
    params[n++] = octets(OSSL_KDF_PARAM_SALT, salt);
  else
    params[n++] = octets(OSSL_KDF_PARAM_INFO, info);
  params[n++] = OSSL_PARAM_construct_end();
  return EVP_KDF_derive(ctx.get(), out, out_len, params) == 1;
}

size_t hash_size(HashKind hash)
{
  return hash == HashKind::Sha256 ? 32 : 64;
}

void put_be(uint8_t* out, uint64_t v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
}

} // namespace

Result<SecretBytes> hkdf_extract(HashKind hash, ByteView salt, ByteView ikm) noexcept
{
  SecretBytes prk(hash_size(hash));
  if (!hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, hash, salt, ikm, {}, prk.data(), prk.size()))
    return failed(Error::CryptoFailure, "HKDF-Extract failed");
  return prk;
}

Result<SecretBytes> hkdf_expand(HashKind hash, ByteView prk, ByteView info, size_t length) noexcept
{
  SecretBytes okm(length);
  if (!hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, hash, {}, prk, info, okm.data(), okm.size()))
    return failed(Error::CryptoFailure, "HKDF-Expand failed");
  return okm;
}

Result<SecretBytes> derive_sframe_secret(const SuiteInfo& suite, ByteView base_key) noexcept
{
  if (base_key.size == 0)
    return failed(Error::InvalidArgument, "empty base key");
  return hkdf_extract(suite.hash, {}, base_key);
}

Result<KeyAndSalt> derive_key_salt_from_secret(const SuiteInfo& suite, uint64_t kid, ByteView sframe_secret) noexcept
{
  static const char kKeyLabel[] = "SFrame 1.0 Secret key ";
  static const char kSaltLabel[] = "SFrame 1.0 Secret salt ";
  uint8_t label[sizeof kSaltLabel - 1 + 10];
  auto build = [&](const char* prefix, size_t prefix_len) {
    std::memcpy(label, prefix, prefix_len);
    put_be(label + prefix_len, kid, 8);
    put_be(label + prefix_len + 8, static_cast<uint16_t>(suite.suite), 2);
    return ByteView(label, prefix_len + 10);
  };

  auto key = hkdf_expand(suite.hash, sframe_secret, build(kKeyLabel, sizeof kKeyLabel - 1), suite.key_size);
  if (!key)
    return key.failure();
  auto salt = hkdf_expand(suite.hash, sframe_secret, build(kSaltLabel, sizeof kSaltLabel - 1), suite.nonce_size);
  if (!salt)
    return salt.failure();
  return KeyAndSalt{ std::move(key).value(), std::move(salt).value() };
}

Result<KeyAndSalt> derive_key_salt(const SuiteInfo& suite, uint64_t kid, ByteView base_key) noexcept
{
  auto secret = derive_sframe_secret(suite, base_key);
  if (!secret)
    return secret.failure();
  return derive_key_salt_from_secret(suite, kid, secret.value().view());
}

Result<SecretBytes> derive_ssrc_base_key(const SuiteInfo& suite, uint32_t ssrc, ByteView base_key) noexcept
{
  uint8_t ssrc_be[4];
  put_be(ssrc_be, ssrc, 4);
  auto prk = hkdf_extract(suite.hash, { ssrc_be, 4 }, base_key);
  if (!prk)
    return prk.failure();
  static const char kLabel[] = "SFrame 1.0 RTP Stream";
  return hkdf_expand(suite.hash, prk.value().view(),
                     { reinterpret_cast<const uint8_t*>(kLabel), sizeof kLabel - 1 }, suite.hash_size);
}

} // namespace gste2ee::sframe
