// SPDX-License-Identifier: LGPL-2.1-or-later
// RAII owners for the OpenSSL objects the SFrame core keeps, and the
// algorithms it fetches once per process.
#pragma once

#include <memory>

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "sframe/suite.h"

namespace gste2ee::sframe::ossl {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

// Fetched on first use and kept for the life of the process, so keys can be
// set up without a provider lookup each time. nullptr if OpenSSL lacks it.
const EVP_CIPHER* aes_gcm(size_t key_size) noexcept;
const EVP_CIPHER* aes_ctr(size_t key_size) noexcept;
// HKDF, for deriving each KID's key and salt: a group of a thousand members
// adds two thousand keys per epoch, and a fetch per derivation step cost
// more than the derivation itself.
EVP_KDF* hkdf() noexcept;

} // namespace gste2ee::sframe::ossl
