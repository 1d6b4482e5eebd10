// SPDX-License-Identifier: LGPL-2.1-or-later
// The baseline for sframe-bench: the same AEAD as an SFrame cipher suite done
// with plain OpenSSL 3.0 calls, prepared once (every context created and keyed
// up front, only the IV set per frame), without SFrame's header, key store,
// counter and replay handling:
//   GCM suites:      EVP AES-GCM seal/open.
//   CTR-HMAC suites: EVP AES-CTR plus HMAC, by default from SHA-2 states that
//                    absorbed key^ipad and key^opad once and are copied by
//                    value per frame. That is the fastest OpenSSL 3.0 offers
//                    with a prepared key: EVP_MAC re-initialised with a NULL
//                    key (HmacImpl::EvpMac, `sframe-bench --evp-mac`) costs two
//                    heap allocations per frame (measured with
//                    CRYPTO_set_mem_functions), so beating it would say
//                    nothing about SFrame's own overhead.
// The tag layout follows RFC 9605 section 4.5.1 so the work per frame matches.
#pragma once

// The low-level SHA-2 calls are deprecated in OpenSSL 3.0 but are the only
// ones whose keyed state can be copied without an allocation.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <cstdint>
#include <cstring>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include "sframe/suite.h"

namespace bench {

enum class HmacImpl { ShaStateCopy, EvpMac };

class RawAead {
public:
  // `key` is the suite's Nk bytes (for CTR-HMAC: AES key then HMAC key).
  RawAead(const gste2ee::sframe::SuiteInfo& s, const uint8_t* key, HmacImpl hmac = HmacImpl::ShaStateCopy)
      : s_(s), impl_(hmac)
  {
    namespace sf = gste2ee::sframe;
    gcm_ = s.kind == sf::AeadKind::Gcm;
    sha256_ = s.hash == sf::HashKind::Sha256;
    const char* name = gcm_ ? (s.enc_key_size == 16 ? "AES-128-GCM" : "AES-256-GCM")
                            : (s.enc_key_size == 16 ? "AES-128-CTR" : "AES-256-CTR");
    cipher_ = EVP_CIPHER_fetch(nullptr, name, nullptr);
    seal_ = EVP_CIPHER_CTX_new();
    open_ = EVP_CIPHER_CTX_new();
    if (!cipher_ || !seal_ || !open_)
      return;
    if (EVP_EncryptInit_ex(seal_, cipher_, nullptr, key, nullptr) != 1)
      return;
    if (gcm_) {
      ok_ = EVP_DecryptInit_ex(open_, cipher_, nullptr, key, nullptr) == 1;
      return;
    }
    // CTR decryption is the same keystream XOR, so both contexts encrypt.
    if (EVP_EncryptInit_ex(open_, cipher_, nullptr, key, nullptr) != 1)
      return;
    const uint8_t* mac_key = key + s.enc_key_size;
    const size_t mac_key_size = s.key_size - s.enc_key_size;
    ok_ = impl_ == HmacImpl::EvpMac ? init_evp_mac(mac_key, mac_key_size) : init_sha_states(mac_key, mac_key_size);
  }
  ~RawAead()
  {
    EVP_CIPHER_CTX_free(seal_);
    EVP_CIPHER_CTX_free(open_);
    EVP_CIPHER_free(cipher_);
    EVP_MAC_CTX_free(mac_ctx_);
    EVP_MAC_free(mac_);
    OPENSSL_cleanse(&inner_, sizeof inner_);
    OPENSSL_cleanse(&outer_, sizeof outer_);
  }
  RawAead(const RawAead&) = delete;
  RawAead& operator=(const RawAead&) = delete;

  bool ok() const { return ok_; }

  // Writes n + tag_size bytes to `out`.
  bool seal(const uint8_t* nonce, const uint8_t* aad, size_t aad_len, const uint8_t* pt, size_t n, uint8_t* out)
  {
    int len = 0;
    if (gcm_) {
      return EVP_EncryptInit_ex(seal_, nullptr, nullptr, nullptr, nonce) == 1 &&
             EVP_EncryptUpdate(seal_, nullptr, &len, aad, static_cast<int>(aad_len)) == 1 &&
             EVP_EncryptUpdate(seal_, out, &len, pt, static_cast<int>(n)) == 1 &&
             EVP_EncryptFinal_ex(seal_, out + n, &len) == 1 &&
             EVP_CIPHER_CTX_ctrl(seal_, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(s_.tag_size), out + n) == 1;
    }
    uint8_t iv[16] = {};
    std::memcpy(iv, nonce, 12);
    uint8_t mac[EVP_MAX_MD_SIZE];
    if (EVP_EncryptInit_ex(seal_, nullptr, nullptr, nullptr, iv) != 1 ||
        EVP_EncryptUpdate(seal_, out, &len, pt, static_cast<int>(n)) != 1 || !hmac(nonce, aad, aad_len, out, n, mac))
      return false;
    std::memcpy(out + n, mac, s_.tag_size);
    return true;
  }

  // `in` holds n bytes of ciphertext then the tag; writes n bytes to `out`.
  bool open(const uint8_t* nonce, const uint8_t* aad, size_t aad_len, const uint8_t* in, size_t n, uint8_t* out)
  {
    int len = 0;
    if (gcm_) {
      uint8_t tag[16];
      std::memcpy(tag, in + n, s_.tag_size);
      return EVP_DecryptInit_ex(open_, nullptr, nullptr, nullptr, nonce) == 1 &&
             EVP_CIPHER_CTX_ctrl(open_, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(s_.tag_size), tag) == 1 &&
             EVP_DecryptUpdate(open_, nullptr, &len, aad, static_cast<int>(aad_len)) == 1 &&
             EVP_DecryptUpdate(open_, out, &len, in, static_cast<int>(n)) == 1 &&
             EVP_DecryptFinal_ex(open_, out + n, &len) == 1;
    }
    uint8_t mac[EVP_MAX_MD_SIZE];
    uint8_t iv[16] = {};
    std::memcpy(iv, nonce, 12);
    return hmac(nonce, aad, aad_len, in, n, mac) && CRYPTO_memcmp(mac, in + n, s_.tag_size) == 0 &&
           EVP_EncryptInit_ex(open_, nullptr, nullptr, nullptr, iv) == 1 &&
           EVP_EncryptUpdate(open_, out, &len, in, static_cast<int>(n)) == 1;
  }

private:
  union ShaState {
    SHA256_CTX s256;
    SHA512_CTX s512;
  };

  bool init_evp_mac(const uint8_t* key, size_t key_size)
  {
    mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    mac_ctx_ = mac_ ? EVP_MAC_CTX_new(mac_) : nullptr;
    if (!mac_ctx_)
      return false;
    // OSSL_PARAM wants a mutable string even though it only reads it.
    char digest[8];
    std::strcpy(digest, sha256_ ? "SHA256" : "SHA512");
    OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                            OSSL_PARAM_construct_end() };
    return EVP_MAC_init(mac_ctx_, key, key_size, params) == 1;
  }

  // HMAC keys of suites 1-8 (32 or 64 bytes) never exceed the block size, so
  // they are padded, never hashed first.
  bool init_sha_states(const uint8_t* key, size_t key_size)
  {
    const size_t block = sha256_ ? SHA256_CBLOCK : SHA512_CBLOCK;
    if (key_size > block)
      return false;
    uint8_t pad[SHA512_CBLOCK];
    bool ok = true;
    for (ShaState* st : { &inner_, &outer_ }) {
      const uint8_t x = st == &inner_ ? 0x36 : 0x5c;
      for (size_t i = 0; i < block; i++)
        pad[i] = static_cast<uint8_t>((i < key_size ? key[i] : 0) ^ x);
      ok = ok && (sha256_ ? SHA256_Init(&st->s256) == 1 && SHA256_Update(&st->s256, pad, block) == 1
                          : SHA512_Init(&st->s512) == 1 && SHA512_Update(&st->s512, pad, block) == 1);
    }
    OPENSSL_cleanse(pad, sizeof pad);
    return ok;
  }

  // HMAC(len64(aad) | len64(ct) | len64(Nt) | nonce | aad | ct), as the suite.
  bool hmac(const uint8_t* nonce, const uint8_t* aad, size_t aad_len, const uint8_t* ct, size_t n, uint8_t* mac)
  {
    uint8_t prefix[36];
    const uint64_t lens[3] = { aad_len, n, s_.tag_size };
    for (int f = 0; f < 3; f++)
      for (int i = 0; i < 8; i++)
        prefix[f * 8 + i] = static_cast<uint8_t>(lens[f] >> (8 * (7 - i)));
    std::memcpy(prefix + 24, nonce, 12);
    if (impl_ == HmacImpl::EvpMac) {
      size_t out_len = 0;
      return EVP_MAC_init(mac_ctx_, nullptr, 0, nullptr) == 1 && EVP_MAC_update(mac_ctx_, prefix, sizeof prefix) == 1 &&
             EVP_MAC_update(mac_ctx_, aad, aad_len) == 1 && EVP_MAC_update(mac_ctx_, ct, n) == 1 &&
             EVP_MAC_final(mac_ctx_, mac, &out_len, EVP_MAX_MD_SIZE) == 1;
    }
    ShaState w = inner_;
    uint8_t inner[SHA512_DIGEST_LENGTH];
    if (sha256_) {
      bool ok = SHA256_Update(&w.s256, prefix, sizeof prefix) == 1 && SHA256_Update(&w.s256, aad, aad_len) == 1 &&
                SHA256_Update(&w.s256, ct, n) == 1 && SHA256_Final(inner, &w.s256) == 1;
      w.s256 = outer_.s256;
      return ok && SHA256_Update(&w.s256, inner, SHA256_DIGEST_LENGTH) == 1 && SHA256_Final(mac, &w.s256) == 1;
    }
    bool ok = SHA512_Update(&w.s512, prefix, sizeof prefix) == 1 && SHA512_Update(&w.s512, aad, aad_len) == 1 &&
              SHA512_Update(&w.s512, ct, n) == 1 && SHA512_Final(inner, &w.s512) == 1;
    w.s512 = outer_.s512;
    return ok && SHA512_Update(&w.s512, inner, SHA512_DIGEST_LENGTH) == 1 && SHA512_Final(mac, &w.s512) == 1;
  }

  const gste2ee::sframe::SuiteInfo& s_;
  const HmacImpl impl_;
  bool gcm_ = false;
  bool sha256_ = true;
  bool ok_ = false;
  EVP_CIPHER* cipher_ = nullptr;
  EVP_CIPHER_CTX* seal_ = nullptr;
  EVP_CIPHER_CTX* open_ = nullptr;
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* mac_ctx_ = nullptr;
  ShaState inner_{};  // after absorbing key ^ ipad
  ShaState outer_{};  // after absorbing key ^ opad
};

} // namespace bench
