// SPDX-License-Identifier: LGPL-2.1-or-later
// The baseline: the same AEAD done with plain OpenSSL 3.0 calls, prepared the
// same way as the core (contexts created and keyed once, only the IV set per
// frame), without SFrame's header, key store, counter and replay handling.
// CTR-HMAC uses EVP_MAC HMAC re-initialised with its stored key per frame,
// the ordinary prepared-key way OpenSSL offers.
#pragma once

#include <cstring>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "sframe/suite.h"

namespace bench {

class RawAead {
public:
  RawAead(const gste2ee::sframe::SuiteInfo& s, const std::vector<uint8_t>& key) : s_(s)
  {
    namespace sf = gste2ee::sframe;
    const bool gcm = s.kind == sf::AeadKind::Gcm;
    const char* name = gcm ? (s.enc_key_size == 16 ? "AES-128-GCM" : "AES-256-GCM")
                           : (s.enc_key_size == 16 ? "AES-128-CTR" : "AES-256-CTR");
    cipher_ = EVP_CIPHER_fetch(nullptr, name, nullptr);
    seal_ = EVP_CIPHER_CTX_new();
    open_ = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(seal_, cipher_, nullptr, key.data(), nullptr);
    if (gcm) {
      EVP_DecryptInit_ex(open_, cipher_, nullptr, key.data(), nullptr);
      return;
    }
    EVP_EncryptInit_ex(open_, cipher_, nullptr, key.data(), nullptr);
    mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    mac_ctx_ = EVP_MAC_CTX_new(mac_);
    char digest[8];
    std::strcpy(digest, s.hash == sf::HashKind::Sha256 ? "SHA256" : "SHA512");
    OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end() };
    EVP_MAC_init(mac_ctx_, key.data() + s.enc_key_size, key.size() - s.enc_key_size, params);
  }
  ~RawAead()
  {
    EVP_CIPHER_CTX_free(seal_);
    EVP_CIPHER_CTX_free(open_);
    EVP_CIPHER_free(cipher_);
    EVP_MAC_CTX_free(mac_ctx_);
    EVP_MAC_free(mac_);
  }
  RawAead(const RawAead&) = delete;
  RawAead& operator=(const RawAead&) = delete;

  // out: pt_len + tag bytes.
  bool seal(const uint8_t* nonce, const uint8_t* aad, size_t aad_len, const uint8_t* pt, size_t n, uint8_t* out)
  {
    int len = 0;
    if (!mac_ctx_) {
      return EVP_EncryptInit_ex(seal_, nullptr, nullptr, nullptr, nonce) == 1 &&
             EVP_EncryptUpdate(seal_, nullptr, &len, aad, static_cast<int>(aad_len)) == 1 &&
             EVP_EncryptUpdate(seal_, out, &len, pt, static_cast<int>(n)) == 1 &&
             EVP_EncryptFinal_ex(seal_, out + n, &len) == 1 &&
             EVP_CIPHER_CTX_ctrl(seal_, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(s_.tag_size), out + n) == 1;
    }
    uint8_t iv[16] = {};
    std::memcpy(iv, nonce, 12);
    uint8_t mac[64];
    return EVP_EncryptInit_ex(seal_, nullptr, nullptr, nullptr, iv) == 1 &&
           EVP_EncryptUpdate(seal_, out, &len, pt, static_cast<int>(n)) == 1 && hmac(nonce, aad, aad_len, out, n, mac) &&
           (std::memcpy(out + n, mac, s_.tag_size), true);
  }

  // in: ct_len + tag bytes.
  bool open(const uint8_t* nonce, const uint8_t* aad, size_t aad_len, const uint8_t* in, size_t n, uint8_t* out)
  {
    int len = 0;
    if (!mac_ctx_) {
      uint8_t tag[16];
      std::memcpy(tag, in + n, s_.tag_size);
      return EVP_DecryptInit_ex(open_, nullptr, nullptr, nullptr, nonce) == 1 &&
             EVP_CIPHER_CTX_ctrl(open_, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(s_.tag_size), tag) == 1 &&
             EVP_DecryptUpdate(open_, nullptr, &len, aad, static_cast<int>(aad_len)) == 1 &&
             EVP_DecryptUpdate(open_, out, &len, in, static_cast<int>(n)) == 1 &&
             EVP_DecryptFinal_ex(open_, out + n, &len) == 1;
    }
    uint8_t mac[64];
    uint8_t iv[16] = {};
    std::memcpy(iv, nonce, 12);
    return hmac(nonce, aad, aad_len, in, n, mac) && CRYPTO_memcmp(mac, in + n, s_.tag_size) == 0 &&
           EVP_EncryptInit_ex(open_, nullptr, nullptr, nullptr, iv) == 1 &&
           EVP_EncryptUpdate(open_, out, &len, in, static_cast<int>(n)) == 1;
  }

private:
  bool hmac(const uint8_t* nonce, const uint8_t* aad, size_t aad_len, const uint8_t* ct, size_t n, uint8_t* mac)
  {
    uint8_t prefix[36] = {};
    const uint64_t lens[3] = { aad_len, n, s_.tag_size };
    for (int f = 0; f < 3; f++)
      for (int i = 0; i < 8; i++)
        prefix[f * 8 + i] = static_cast<uint8_t>(lens[f] >> (8 * (7 - i)));
    std::memcpy(prefix + 24, nonce, 12);
    size_t out_len = 0;
    return EVP_MAC_init(mac_ctx_, nullptr, 0, nullptr) == 1 && EVP_MAC_update(mac_ctx_, prefix, sizeof prefix) == 1 &&
           EVP_MAC_update(mac_ctx_, aad, aad_len) == 1 && EVP_MAC_update(mac_ctx_, ct, n) == 1 &&
           EVP_MAC_final(mac_ctx_, mac, &out_len, 64) == 1;
  }

  const gste2ee::sframe::SuiteInfo& s_;
  EVP_CIPHER* cipher_ = nullptr;
  EVP_CIPHER_CTX* seal_ = nullptr;
  EVP_CIPHER_CTX* open_ = nullptr;
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* mac_ctx_ = nullptr;
};

} // namespace bench
