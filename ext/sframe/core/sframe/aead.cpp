// SPDX-License-Identifier: LGPL-2.1-or-later
// The low-level SHA-2 API is deprecated in OpenSSL 3.0 but still shipped; it is
// the only one whose state can be copied without a heap allocation, which the
// HMAC below needs (see CtrHmacAead).
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "sframe/aead.h"

#include <climits>
#include <cstring>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "sframe/ossl.h"

namespace gste2ee::sframe {

namespace {

Failure crypto_failure()
{
  return failed(Error::CryptoFailure, "OpenSSL operation failed");
}

bool too_long(size_t n)
{
  return n > static_cast<size_t>(INT_MAX) - kMaxTagSize;
}

// AES-GCM: one EVP context, keyed once; each frame only sets the IV.
class GcmAead final : public Aead {
public:
  GcmAead(const SuiteInfo& s, Direction dir) : Aead(s), dir_(dir) {}

  Result<void> init(ByteView key) noexcept
  {
    const EVP_CIPHER* cipher = ossl::aes_gcm(suite_.key_size);
    ctx_.reset(EVP_CIPHER_CTX_new());
    if (!cipher || !ctx_ || key.size != suite_.key_size)
      return crypto_failure();
    if (EVP_CipherInit_ex(ctx_.get(), cipher, nullptr, key.data, nullptr, dir_ == Direction::Seal ? 1 : 0) != 1)
      return crypto_failure();
    return {};
  }

  Result<void> seal(const uint8_t* nonce, ByteView aad, ByteView pt, uint8_t* out) noexcept override
  {
    if (dir_ != Direction::Seal)
      return failed(Error::InvalidArgument, "AEAD keyed for opening used to seal");
    if (too_long(pt.size) || too_long(aad.size))
      return failed(Error::InvalidArgument, "frame too large");
    EVP_CIPHER_CTX* c = ctx_.get();
    int len = 0;
    if (EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, nonce) != 1)
      return crypto_failure();
    if (aad.size > 0 && EVP_EncryptUpdate(c, nullptr, &len, aad.data, static_cast<int>(aad.size)) != 1)
      return crypto_failure();
    if (pt.size > 0 && EVP_EncryptUpdate(c, out, &len, pt.data, static_cast<int>(pt.size)) != 1)
      return crypto_failure();
    if (EVP_EncryptFinal_ex(c, out + pt.size, &len) != 1)
      return crypto_failure();
    if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(suite_.tag_size), out + pt.size) != 1)
      return crypto_failure();
    return {};
  }

  Result<void> open(const uint8_t* nonce, ByteView aad, ByteView ct, uint8_t* out) noexcept override
  {
    if (dir_ != Direction::Open)
      return failed(Error::InvalidArgument, "AEAD keyed for sealing used to open");
    if (ct.size < suite_.tag_size)
      return failed(Error::TruncatedHeader, "ciphertext shorter than the tag");
    if (too_long(ct.size) || too_long(aad.size))
      return failed(Error::InvalidArgument, "frame too large");
    const size_t pt_size = ct.size - suite_.tag_size;
    // The tag is copied out first: with in-place decryption the plaintext
    // must not be able to overwrite it, and SET_TAG wants a mutable pointer.
    uint8_t tag[kMaxTagSize];
    std::memcpy(tag, ct.data + pt_size, suite_.tag_size);
    EVP_CIPHER_CTX* c = ctx_.get();
    int len = 0;
    if (EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, nonce) != 1)
      return crypto_failure();
    if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(suite_.tag_size), tag) != 1)
      return crypto_failure();
    if (aad.size > 0 && EVP_DecryptUpdate(c, nullptr, &len, aad.data, static_cast<int>(aad.size)) != 1)
      return crypto_failure();
    if (pt_size > 0 && EVP_DecryptUpdate(c, out, &len, ct.data, static_cast<int>(pt_size)) != 1)
      return crypto_failure();
    // OpenSSL compares the GCM tag in constant time (CRYPTO_memcmp).
    if (EVP_DecryptFinal_ex(c, out + pt_size, &len) != 1) {
      OPENSSL_cleanse(out, pt_size);  // unauthenticated plaintext never survives
      return failed(Error::AuthenticationFailed, "SFrame authentication tag mismatch");
    }
    return {};
  }

private:
  Direction dir_;
  ossl::CipherCtx ctx_;
};

// HMAC-SHA-256/512 with the keyed inner and outer states kept by value.
class Hmac {
public:
  Hmac() = default;
  Hmac(const Hmac&) = delete;
  Hmac& operator=(const Hmac&) = delete;
  ~Hmac()
  {
    OPENSSL_cleanse(&keyed_, sizeof keyed_);
    OPENSSL_cleanse(&keyed_outer_, sizeof keyed_outer_);
    OPENSSL_cleanse(&work_, sizeof work_);
  }

  bool init(HashKind hash, ByteView key) noexcept
  {
    hash_ = hash;
    const size_t block = hash == HashKind::Sha256 ? SHA256_CBLOCK : SHA512_CBLOCK;
    if (key.size > block)
      return false;  // never for suites 1-8: HMAC keys are 32 or 64 bytes
    uint8_t pad[SHA512_CBLOCK];
    bool ok = true;
    for (int outer = 0; outer < 2; outer++) {
      const uint8_t x = outer ? 0x5c : 0x36;
      for (size_t i = 0; i < block; i++)
        pad[i] = static_cast<uint8_t>((i < key.size ? key.data[i] : 0) ^ x);
      States& st = outer ? keyed_outer_ : keyed_;
      if (hash == HashKind::Sha256)
        ok = ok && SHA256_Init(&st.s256) == 1 && SHA256_Update(&st.s256, pad, block) == 1;
      else
        ok = ok && SHA512_Init(&st.s512) == 1 && SHA512_Update(&st.s512, pad, block) == 1;
    }
    OPENSSL_cleanse(pad, sizeof pad);
    return ok;
  }

  void start() noexcept { work_ = keyed_; }

  void update(ByteView v) noexcept
  {
    if (v.size == 0)
      return;
    if (hash_ == HashKind::Sha256)
      SHA256_Update(&work_.s256, v.data, v.size);
    else
      SHA512_Update(&work_.s512, v.data, v.size);
  }

  // Writes the full-length MAC (32 or 64 bytes).
  bool finish(uint8_t* mac) noexcept
  {
    uint8_t inner[SHA512_DIGEST_LENGTH];
    bool ok;
    if (hash_ == HashKind::Sha256) {
      ok = SHA256_Final(inner, &work_.s256) == 1;
      work_.s256 = keyed_outer_.s256;
      ok = ok && SHA256_Update(&work_.s256, inner, SHA256_DIGEST_LENGTH) == 1 && SHA256_Final(mac, &work_.s256) == 1;
    } else {
      ok = SHA512_Final(inner, &work_.s512) == 1;
      work_.s512 = keyed_outer_.s512;
      ok = ok && SHA512_Update(&work_.s512, inner, SHA512_DIGEST_LENGTH) == 1 && SHA512_Final(mac, &work_.s512) == 1;
    }
    OPENSSL_cleanse(inner, sizeof inner);
    return ok;
  }

private:
  union States {
    SHA256_CTX s256;
    SHA512_CTX s512;
  };
  HashKind hash_ = HashKind::Sha256;
  States keyed_{};        // after absorbing key ^ ipad
  States keyed_outer_{};  // after absorbing key ^ opad
  States work_{};
};

// AES-CTR + HMAC, RFC 9605 section 4.5.1:
//   tag = truncate(HMAC(auth_key, len64(aad) | len64(ct) | len64(Nt) | nonce | aad | ct), Nt)
//   ct  = AES-CTR(enc_key, nonce | 0x00000000, pt)
// HMAC starts from SHA-2 states that already absorbed the ipad/opad blocks and
// are copied by value per frame: OpenSSL 3.0's EVP digest and HMAC contexts
// allocate on every re-initialisation (measured: one malloc per EVP_DigestInit
// and per EVP_MD_CTX_copy), which the hot path must avoid. Copying the keyed
// states also saves two compression-function calls per frame.
class CtrHmacAead final : public Aead {
public:
  CtrHmacAead(const SuiteInfo& s, Direction dir) : Aead(s), dir_(dir) {}

  Result<void> init(ByteView key) noexcept
  {
    if (key.size != suite_.key_size)
      return crypto_failure();
    const EVP_CIPHER* cipher = ossl::aes_ctr(suite_.enc_key_size);
    ctr_.reset(EVP_CIPHER_CTX_new());
    if (!cipher || !ctr_)
      return crypto_failure();
    // CTR decryption is the same keystream XOR; always key for encryption.
    if (EVP_EncryptInit_ex(ctr_.get(), cipher, nullptr, key.data, nullptr) != 1)
      return crypto_failure();
    if (!mac_.init(suite_.hash, key.sub(suite_.enc_key_size)))
      return crypto_failure();
    return {};
  }

  Result<void> seal(const uint8_t* nonce, ByteView aad, ByteView pt, uint8_t* out) noexcept override
  {
    if (dir_ != Direction::Seal)
      return failed(Error::InvalidArgument, "AEAD keyed for opening used to seal");
    if (too_long(pt.size))
      return failed(Error::InvalidArgument, "frame too large");
    if (!ctr_crypt(nonce, pt.data, pt.size, out))
      return crypto_failure();
    uint8_t mac[EVP_MAX_MD_SIZE];
    if (!compute_mac(nonce, aad, { out, pt.size }, mac))
      return crypto_failure();
    std::memcpy(out + pt.size, mac, suite_.tag_size);
    OPENSSL_cleanse(mac, sizeof mac);
    return {};
  }

  Result<void> open(const uint8_t* nonce, ByteView aad, ByteView ct, uint8_t* out) noexcept override
  {
    if (dir_ != Direction::Open)
      return failed(Error::InvalidArgument, "AEAD keyed for sealing used to open");
    if (ct.size < suite_.tag_size)
      return failed(Error::TruncatedHeader, "ciphertext shorter than the tag");
    if (too_long(ct.size))
      return failed(Error::InvalidArgument, "frame too large");
    const size_t ct_size = ct.size - suite_.tag_size;
    uint8_t mac[EVP_MAX_MD_SIZE];
    if (!compute_mac(nonce, aad, { ct.data, ct_size }, mac))
      return crypto_failure();
    // Verify before decrypting: nothing is written unless the tag matches.
    const bool match = CRYPTO_memcmp(mac, ct.data + ct_size, suite_.tag_size) == 0;
    OPENSSL_cleanse(mac, sizeof mac);
    if (!match)
      return failed(Error::AuthenticationFailed, "SFrame authentication tag mismatch");
    if (!ctr_crypt(nonce, ct.data, ct_size, out))
      return crypto_failure();
    return {};
  }

private:
  bool ctr_crypt(const uint8_t* nonce, const uint8_t* in, size_t n, uint8_t* out) noexcept
  {
    uint8_t iv[16] = {};
    std::memcpy(iv, nonce, kNonceSize);  // the low 32 bits start at zero
    int len = 0;
    if (EVP_EncryptInit_ex(ctr_.get(), nullptr, nullptr, nullptr, iv) != 1)
      return false;
    return n == 0 || EVP_EncryptUpdate(ctr_.get(), out, &len, in, static_cast<int>(n)) == 1;
  }

  bool compute_mac(const uint8_t* nonce, ByteView aad, ByteView ct, uint8_t* mac) noexcept
  {
    uint8_t prefix[24 + kNonceSize];
    put_u64(prefix, aad.size);
    put_u64(prefix + 8, ct.size);
    put_u64(prefix + 16, suite_.tag_size);
    std::memcpy(prefix + 24, nonce, kNonceSize);
    mac_.start();
    mac_.update({ prefix, sizeof prefix });
    mac_.update(aad);
    mac_.update(ct);
    return mac_.finish(mac);
  }

  static void put_u64(uint8_t* out, uint64_t v) noexcept
  {
    for (int i = 7; i >= 0; i--, v >>= 8)
      out[i] = static_cast<uint8_t>(v);
  }

  Direction dir_;
  ossl::CipherCtx ctr_;
  Hmac mac_;
};

template <typename T>
Result<std::unique_ptr<Aead>> make(const SuiteInfo& s, ByteView key, Direction dir) noexcept
{
  std::unique_ptr<T> a(new (std::nothrow) T(s, dir));
  if (!a)
    return failed(Error::CryptoFailure, "out of memory");
  auto r = a->init(key);
  if (!r)
    return r.failure();
  return std::unique_ptr<Aead>(std::move(a));
}

} // namespace

Result<std::unique_ptr<Aead>> Aead::create(const SuiteInfo& suite, ByteView key, Direction dir) noexcept
{
  if (key.size != suite.key_size)
    return failed(Error::InvalidArgument, "key size does not match the cipher suite");
  if (suite.kind == AeadKind::Gcm)
    return make<GcmAead>(suite, key, dir);
  return make<CtrHmacAead>(suite, key, dir);
}

} // namespace gste2ee::sframe
