// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sframe/ossl.h"

namespace gste2ee::sframe::ossl {

namespace {
// Static locals are initialised once, thread-safely (C++11 magic statics).
template <typename T, T* (*Fetch)(OSSL_LIB_CTX*, const char*, const char*)>
const T* fetch_once(const char* name) noexcept
{
  return Fetch(nullptr, name, nullptr);
}
} // namespace

const EVP_CIPHER* aes_gcm(size_t key_size) noexcept
{
  static const EVP_CIPHER* g128 = fetch_once<EVP_CIPHER, EVP_CIPHER_fetch>("AES-128-GCM");
  static const EVP_CIPHER* g256 = fetch_once<EVP_CIPHER, EVP_CIPHER_fetch>("AES-256-GCM");
  return key_size == 16 ? g128 : key_size == 32 ? g256 : nullptr;
}

const EVP_CIPHER* aes_ctr(size_t key_size) noexcept
{
  static const EVP_CIPHER* c128 = fetch_once<EVP_CIPHER, EVP_CIPHER_fetch>("AES-128-CTR");
  static const EVP_CIPHER* c256 = fetch_once<EVP_CIPHER, EVP_CIPHER_fetch>("AES-256-CTR");
  return key_size == 16 ? c128 : key_size == 32 ? c256 : nullptr;
}

EVP_KDF* hkdf() noexcept
{
  static EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  return kdf;
}

} // namespace gste2ee::sframe::ossl
