// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sframe/context.h"

#include <algorithm>
#include <cstring>

#include <openssl/crypto.h>

#include "sframe/header.h"
#include "sframe/kdf.h"

namespace gste2ee::sframe {

namespace {

constexpr size_t kMaxAad = 4096;  // header + metadata assembled on the stack

// nonce = salt XOR big-endian CTR in Nn (12) bytes; the top 4 bytes of the
// counter encoding are always zero.
void make_nonce(const SecretBytes& salt, uint64_t ctr, uint8_t* nonce) noexcept
{
  std::memcpy(nonce, salt.data(), kNonceSize);
  for (size_t i = 0; i < 8; i++)
    nonce[kNonceSize - 1 - i] ^= static_cast<uint8_t>(ctr >> (8 * i));
}

// AAD = header | metadata. Small metadata is joined on the stack; larger
// metadata cannot be fed in pieces through the Aead interface, so it is
// refused rather than allocated for.
bool join_aad(ByteView header, ByteView metadata, uint8_t* buf, ByteView* aad) noexcept
{
  if (metadata.size == 0) {
    *aad = header;
    return true;
  }
  if (header.size + metadata.size > kMaxAad)
    return false;
  std::memcpy(buf, header.data, header.size);
  std::memcpy(buf + header.size, metadata.data, metadata.size);
  *aad = ByteView(buf, header.size + metadata.size);
  return true;
}

struct PreparedKey {
  const SuiteInfo* suite = nullptr;
  SecretBytes salt;
  std::unique_ptr<Aead> aead;
};

Result<PreparedKey> prepare_from_secret(uint64_t kid, const SuiteInfo* info, ByteView sframe_secret,
                                        Direction dir) noexcept
{
  auto ks = derive_key_salt_from_secret(*info, kid, sframe_secret);
  if (!ks)
    return ks.failure();
  auto aead = Aead::create(*info, ks.value().key.view(), dir);
  if (!aead)
    return aead.failure();
  PreparedKey k;
  k.suite = info;
  k.salt = std::move(ks.value().salt);
  k.aead = std::move(aead).value();
  return k;  // ks.value().key is wiped here; the Aead holds its own copy
}

Result<PreparedKey> prepare(uint64_t kid, CipherSuite suite, ByteView base_key, Direction dir) noexcept
{
  auto info = suite_info(static_cast<uint16_t>(suite));
  if (!info)
    return info.failure();
  auto ks = derive_key_salt(*info.value(), kid, base_key);
  if (!ks)
    return ks.failure();
  auto aead = Aead::create(*info.value(), ks.value().key.view(), dir);
  if (!aead)
    return aead.failure();
  PreparedKey k;
  k.suite = info.value();
  k.salt = std::move(ks.value().salt);
  k.aead = std::move(aead).value();
  return k;  // ks.value().key is wiped here; the Aead holds its own copy
}

} // namespace

size_t max_overhead(CipherSuite suite) noexcept
{
  return kMaxHeaderSize + suite_info(suite).tag_size;
}

// ---------------------------------------------------------------- Encryptor

struct Encryptor::Key {
  uint64_t kid;
  PreparedKey k;
  uint64_t next;
  uint64_t last;
  bool exhausted;
};

Encryptor::Encryptor() = default;
Encryptor::~Encryptor() = default;

Encryptor::Key* Encryptor::find(uint64_t kid) const noexcept
{
  if (last_ && last_->kid == kid)
    return last_;
  auto it = keys_.find(kid);
  if (it == keys_.end())
    return nullptr;
  last_ = it->second.get();
  return last_;
}

Result<void> Encryptor::add_key(uint64_t kid, CipherSuite suite, ByteView base_key, CounterRange range) noexcept
{
  if (keys_.count(kid))
    return failed(Error::DuplicateKeyId, "a key with this KID is already present");
  if (range.first > range.last)
    return failed(Error::InvalidArgument, "empty counter range");
  auto prepared = prepare(kid, suite, base_key, Direction::Seal);
  if (!prepared)
    return prepared.failure();
  auto key = std::make_unique<Key>();
  key->kid = kid;
  key->k = std::move(prepared).value();
  key->next = range.first;
  key->last = range.last;
  key->exhausted = false;
  auto spent = spent_.find(kid);
  if (spent != spent_.end()) {
    // An exhausted key's `last` is the floor grant_counters must stay
    // above, so it has to cover every counter this KID ever used, not just
    // the range asked for now.
    if (spent->second.exhausted) {
      key->exhausted = true;
      key->last = UINT64_MAX;
    } else if (spent->second.next > range.last) {
      key->exhausted = true;
      key->last = spent->second.next - 1;
    } else if (spent->second.next > key->next)
      key->next = spent->second.next;
  }
  keys_[kid] = std::move(key);
  return {};
}

Result<void> Encryptor::remove_key(uint64_t kid) noexcept
{
  auto it = keys_.find(kid);
  if (it == keys_.end())
    return failed(Error::UnknownKeyId, "no key with this KID");
  // Remember the furthest point this KID ever reached.
  const Key& k = *it->second;
  const bool all_used = k.exhausted && k.last == UINT64_MAX;
  const uint64_t reached = !k.exhausted ? k.next : all_used ? UINT64_MAX : k.last + 1;
  Spent& s = spent_.try_emplace(kid, Spent{ 0, false }).first->second;
  s.exhausted = s.exhausted || all_used;
  s.next = std::max(s.next, reached);
  if (last_ == it->second.get())
    last_ = nullptr;
  keys_.erase(it);  // the Aead and salt wipe themselves
  return {};
}

bool Encryptor::has_key(uint64_t kid) const noexcept
{
  return find(kid) != nullptr;
}

Result<void> Encryptor::grant_counters(uint64_t kid, CounterRange range) noexcept
{
  Key* k = find(kid);
  if (!k)
    return failed(Error::UnknownKeyId, "no key with this KID");
  if (range.first > range.last)
    return failed(Error::InvalidArgument, "empty counter range");
  const bool rewinds = k->exhausted ? (k->last == UINT64_MAX || range.first <= k->last) : range.first < k->next;
  if (rewinds)
    return failed(Error::CounterRewind, "counter range would reuse a nonce");
  k->next = range.first;
  k->last = range.last;
  k->exhausted = false;
  return {};
}

Result<uint64_t> Encryptor::next_counter(uint64_t kid) const noexcept
{
  const Key* k = find(kid);
  if (!k)
    return failed(Error::UnknownKeyId, "no key with this KID");
  if (k->exhausted)
    return failed(Error::CounterExhausted, "the key's counters are used up");
  return k->next;
}

Result<size_t> Encryptor::output_size(uint64_t kid, size_t n) const noexcept
{
  auto ctr = next_counter(kid);
  if (!ctr)
    return ctr.failure();
  return header_size(kid, ctr.value()) + n + find(kid)->k.suite->tag_size;
}

Result<size_t> Encryptor::protect(uint64_t kid, ByteView metadata, ByteView plaintext, MutableByteView out) noexcept
{
  Key* k = find(kid);
  if (!k)
    return failed(Error::UnknownKeyId, "no key with this KID");
  if (k->exhausted)
    return failed(Error::CounterExhausted, "the key's counters are used up");
  const uint64_t ctr = k->next;
  const size_t tag = k->k.suite->tag_size;
  const size_t hsize = header_size(kid, ctr);
  if (out.size < hsize + plaintext.size + tag)
    return failed(Error::BufferTooSmall, "output buffer too small");
  auto written = encode_header(kid, ctr, out);
  if (!written)
    return written.failure();

  uint8_t aad_buf[kMaxAad];
  ByteView aad;
  if (!join_aad({ out.data, hsize }, metadata, aad_buf, &aad))
    return failed(Error::InvalidArgument, "metadata too large");
  uint8_t nonce[kNonceSize];
  make_nonce(k->k.salt, ctr, nonce);
  auto sealed = k->k.aead->seal(nonce, aad, plaintext, out.data + hsize);
  if (!sealed)
    return sealed.failure();
  // Consume the counter only once the frame exists; never wrap.
  if (ctr == k->last)
    k->exhausted = true;
  else
    k->next = ctr + 1;
  return hsize + plaintext.size + tag;
}

// ---------------------------------------------------------------- Decryptor

struct Decryptor::Key {
  Key(uint64_t id, PreparedKey p, size_t window) : kid(id), k(std::move(p)), replay(window) {}
  uint64_t kid;
  PreparedKey k;          // k.aead is null until a deferred key is first used
  SecretBytes pending;    // a deferred key's sframe_secret, wiped once prepared
  ReplayWindow replay;
  uint8_t identity[16] = {};  // see key_identity()
};

// Which key a retired window belonged to: a one-way, suite-bound value, so
// the base key itself is not kept after removal.
static constexpr size_t kKeyIdentitySize = 16;

struct Decryptor::Retired {
  uint8_t identity[kKeyIdentitySize];
  ReplayWindow replay;
};

static bool key_identity(CipherSuite suite, ByteView base_key, uint8_t out[kKeyIdentitySize]) noexcept
{
  static const char kLabel[] = "gst-e2ee replay window of key";
  uint8_t info[sizeof kLabel - 1 + 2];
  std::memcpy(info, kLabel, sizeof kLabel - 1);
  info[sizeof kLabel - 1] = static_cast<uint8_t>(static_cast<uint16_t>(suite) >> 8);
  info[sizeof kLabel] = static_cast<uint8_t>(static_cast<uint16_t>(suite));
  auto prk = hkdf_extract(HashKind::Sha256, {}, base_key);
  if (!prk)
    return false;
  auto okm = hkdf_expand(HashKind::Sha256, prk.value().view(), { info, sizeof info }, kKeyIdentitySize);
  if (!okm)
    return false;
  std::memcpy(out, okm.value().data(), kKeyIdentitySize);
  return true;
}

// What every KID of one base key shares: the sframe_secret and the key
// identity. An MLS epoch gives one base key to every member's KIDs, so a
// thousand KIDs are added with one Extract and one identity between them.
struct Decryptor::BaseKeyCache {
  CipherSuite suite;
  SecretBytes base_key;
  SecretBytes sframe_secret;
  uint8_t identity[kKeyIdentitySize];
};

Decryptor::Decryptor(size_t replay_window) : window_size_(replay_window) {}
Decryptor::~Decryptor() = default;

Decryptor::Key* Decryptor::find(uint64_t kid) const noexcept
{
  if (last_ && last_->kid == kid)
    return last_;
  auto it = keys_.find(kid);
  if (it == keys_.end())
    return nullptr;
  last_ = it->second.get();
  return last_;
}

Result<void> Decryptor::add_key(uint64_t kid, CipherSuite suite, ByteView base_key) noexcept
{
  return add(kid, suite, base_key, false);
}

Result<void> Decryptor::add_key_deferred(uint64_t kid, CipherSuite suite, ByteView base_key) noexcept
{
  return add(kid, suite, base_key, true);
}

Result<void> Decryptor::add(uint64_t kid, CipherSuite suite, ByteView base_key, bool deferred) noexcept
{
  if (keys_.count(kid))
    return failed(Error::DuplicateKeyId, "a key with this KID is already present");
  auto info = suite_info(static_cast<uint16_t>(suite));
  if (!info)
    return info.failure();
  const bool cached = base_cache_ && base_cache_->suite == suite && base_cache_->base_key.size() == base_key.size &&
                      CRYPTO_memcmp(base_cache_->base_key.data(), base_key.data, base_key.size) == 0;
  if (!cached) {
    auto secret = derive_sframe_secret(*info.value(), base_key);
    if (!secret)
      return secret.failure();
    auto entry = std::make_unique<BaseKeyCache>();
    entry->suite = suite;
    entry->base_key = SecretBytes(base_key);
    entry->sframe_secret = std::move(secret).value();
    if (!key_identity(suite, base_key, entry->identity))
      return failed(Error::CryptoFailure, "key identity derivation failed");
    base_cache_ = std::move(entry);
  }
  std::unique_ptr<Key> key;
  if (deferred) {
    PreparedKey unprepared;
    unprepared.suite = info.value();
    key = std::make_unique<Key>(kid, std::move(unprepared), window_size_);
    key->pending = SecretBytes(base_cache_->sframe_secret.view());
  } else {
    auto prepared = prepare_from_secret(kid, info.value(), base_cache_->sframe_secret.view(), Direction::Open);
    if (!prepared)
      return prepared.failure();
    key = std::make_unique<Key>(kid, std::move(prepared).value(), window_size_);
  }
  std::memcpy(key->identity, base_cache_->identity, kKeyIdentitySize);
  auto retired = retired_.find(kid);
  if (retired != retired_.end()) {
    if (CRYPTO_memcmp(retired->second->identity, key->identity, kKeyIdentitySize) == 0)
      key->replay = std::move(retired->second->replay);
    retired_.erase(retired);
    retired_order_.erase(std::find(retired_order_.begin(), retired_order_.end(), kid));
  }
  keys_[kid] = std::move(key);
  return {};
}

Result<void> Decryptor::remove_key(uint64_t kid) noexcept
{
  auto it = keys_.find(kid);
  if (it == keys_.end())
    return failed(Error::UnknownKeyId, "no key with this KID");
  if (last_ == it->second.get())
    last_ = nullptr;
  Key& k = *it->second;
  if (retired_order_.size() >= kMaxRetiredWindows) {
    retired_.erase(retired_order_.front());
    retired_order_.pop_front();
  }
  auto retired = std::make_unique<Retired>(Retired{ {}, std::move(k.replay) });
  std::memcpy(retired->identity, k.identity, kKeyIdentitySize);
  retired_[kid] = std::move(retired);
  retired_order_.push_back(kid);
  keys_.erase(it);
  return {};
}

bool Decryptor::has_key(uint64_t kid) const noexcept
{
  return find(kid) != nullptr;
}

Result<FrameInfo> Decryptor::run(ByteView frame, ByteView metadata, uint8_t* out, size_t out_size, bool in_place) noexcept
{
  auto header = decode_header(frame);
  if (!header)
    return header.failure();
  const Header& h = header.value();
  Key* k = find(h.kid);
  if (!k)
    return failed(Error::UnknownKeyId, "no key for the frame's KID");
  if (!k->k.aead) {
    // A deferred key's first frame: derive and prepare it now, once.
    auto prepared = prepare_from_secret(k->kid, k->k.suite, k->pending.view(), Direction::Open);
    if (!prepared)
      return prepared.failure();
    k->k = std::move(prepared).value();
    k->pending = SecretBytes();
  }
  const size_t tag = k->k.suite->tag_size;
  if (frame.size < h.size + tag)
    return failed(Error::TruncatedHeader, "frame shorter than header and tag");
  const size_t pt_size = frame.size - h.size - tag;
  if (in_place)
    out = const_cast<uint8_t*>(frame.data) + h.size;
  else if (out_size < pt_size)
    return failed(Error::BufferTooSmall, "output buffer too small");
  if (!k->replay.check(h.ctr))
    return failed(Error::Replay, "counter already received or older than the replay window");

  uint8_t aad_buf[kMaxAad];
  ByteView aad;
  if (!join_aad(frame.sub(0, h.size), metadata, aad_buf, &aad))
    return failed(Error::InvalidArgument, "metadata too large");
  uint8_t nonce[kNonceSize];
  make_nonce(k->k.salt, h.ctr, nonce);
  auto opened = k->k.aead->open(nonce, aad, frame.sub(h.size), out);
  if (!opened)
    return opened.failure();
  k->replay.accept(h.ctr);
  return FrameInfo{ h.kid, h.ctr, h.size, pt_size };
}

Result<FrameInfo> Decryptor::unprotect(ByteView frame, ByteView metadata, MutableByteView out) noexcept
{
  return run(frame, metadata, out.data, out.size, false);
}

Result<FrameInfo> Decryptor::unprotect_in_place(MutableByteView frame, ByteView metadata) noexcept
{
  return run(frame, metadata, nullptr, 0, true);
}

} // namespace gste2ee::sframe
