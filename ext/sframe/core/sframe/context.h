// SPDX-License-Identifier: LGPL-2.1-or-later
// SFrame encryption and decryption with keys stored by KID, RFC 9605
// sections 4.4.3 and 4.4.4:
//   header = encode(KID, CTR); aad = header | metadata
//   nonce  = sframe_salt XOR CTR (big-endian, Nn bytes)
//   frame  = header | AEAD.Encrypt(sframe_key, nonce, aad, plaintext)
// Each key's contexts are prepared when it is added; protect/unprotect do not
// allocate. A sending key's counter is never reused: it lives on after the key
// is removed, so adding the same KID again continues where it stopped.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <unordered_map>

#include "sframe/aead.h"
#include "sframe/bytes.h"
#include "sframe/replay_window.h"
#include "sframe/result.h"
#include "sframe/suite.h"

namespace gste2ee::sframe {

// Bytes sframe adds to a frame of `suite` at most (header + tag).
size_t max_overhead(CipherSuite suite) noexcept;

// An inclusive range of counters a sending key may use.
struct CounterRange {
  uint64_t first = 0;
  uint64_t last = UINT64_MAX;
};

class Encryptor {
public:
  Encryptor();
  ~Encryptor();
  Encryptor(const Encryptor&) = delete;
  Encryptor& operator=(const Encryptor&) = delete;

  // Refuses a KID that is present (DuplicateKeyId). The first counter used is
  // the later of range.first and where this KID stopped before.
  Result<void> add_key(uint64_t kid, CipherSuite suite, ByteView base_key, CounterRange range = {}) noexcept;
  // Removes and wipes the key; its counter position is remembered.
  Result<void> remove_key(uint64_t kid) noexcept;
  bool has_key(uint64_t kid) const noexcept;
  // Lets the key continue with more counters (e.g. a block handed out by a
  // shared keyring). A range starting below the next unused counter would
  // reuse nonces and is refused (CounterRewind).
  Result<void> grant_counters(uint64_t kid, CounterRange range) noexcept;
  // Next counter the key will use; UnknownKeyId if absent, CounterExhausted
  // if its range is used up.
  Result<uint64_t> next_counter(uint64_t kid) const noexcept;

  // Exact output size for a plaintext of `n` bytes with the key's next counter.
  Result<size_t> output_size(uint64_t kid, size_t n) const noexcept;

  // Writes header | ciphertext | tag into `out` (no overlap with plaintext)
  // and returns its size. Fails with BufferTooSmall, UnknownKeyId or
  // CounterExhausted; on failure no counter is consumed.
  Result<size_t> protect(uint64_t kid, ByteView metadata, ByteView plaintext, MutableByteView out) noexcept;

private:
  struct Key;
  Key* find(uint64_t kid) const noexcept;
  std::unordered_map<uint64_t, std::unique_ptr<Key>> keys_;
  // KID -> next counter (or UINT64_MAX with exhausted set) of removed keys.
  struct Spent {
    uint64_t next;
    bool exhausted;
  };
  std::unordered_map<uint64_t, Spent> spent_;
  mutable Key* last_ = nullptr;  // one-entry cache: streams mostly use one KID
};

struct FrameInfo {
  uint64_t kid = 0;
  uint64_t ctr = 0;
  size_t header_size = 0;
  size_t plaintext_size = 0;
};

class Decryptor {
public:
  explicit Decryptor(size_t replay_window = 128);
  ~Decryptor();
  Decryptor(const Decryptor&) = delete;
  Decryptor& operator=(const Decryptor&) = delete;

  // Refuses a KID that is present (DuplicateKeyId).
  // A KID removed and later re-added with the same base key and suite gets
  // its old replay window back, so frames accepted before the removal stay
  // refused; a different key under that KID starts a fresh window. The last
  // kMaxRetiredWindows removed KIDs are remembered.
  Result<void> add_key(uint64_t kid, CipherSuite suite, ByteView base_key) noexcept;
  // The same, but the key and salt are derived, and the cipher context made,
  // when the KID's first frame arrives (that frame allocates; later ones do
  // not). For the thousands of KIDs of a large group's epoch, of which only
  // the speakers' are ever used.
  Result<void> add_key_deferred(uint64_t kid, CipherSuite suite, ByteView base_key) noexcept;
  Result<void> remove_key(uint64_t kid) noexcept;
  bool has_key(uint64_t kid) const noexcept;
  static constexpr size_t kMaxRetiredWindows = 1024;
  // Applies to keys added afterwards.
  void set_replay_window(size_t size) noexcept { window_size_ = size; }

  // Decrypts `frame` (header | ciphertext | tag) into `out`, which needs
  // plaintext_size bytes. Errors: TruncatedHeader, UnknownKeyId, Replay,
  // AuthenticationFailed, BufferTooSmall. The replay window only moves once
  // the frame authenticated.
  Result<FrameInfo> unprotect(ByteView frame, ByteView metadata, MutableByteView out) noexcept;
  // Same, decrypting in place: the plaintext is left at frame.data + header_size.
  Result<FrameInfo> unprotect_in_place(MutableByteView frame, ByteView metadata) noexcept;

private:
  struct Key;
  Result<void> add(uint64_t kid, CipherSuite suite, ByteView base_key, bool deferred) noexcept;
  Result<FrameInfo> run(ByteView frame, ByteView metadata, uint8_t* out, size_t out_size, bool in_place) noexcept;
  Key* find(uint64_t kid) const noexcept;
  std::unordered_map<uint64_t, std::unique_ptr<Key>> keys_;
  size_t window_size_;
  mutable Key* last_ = nullptr;
  // Replay windows of removed keys, by KID, oldest first in retired_order_.
  struct Retired;
  std::unordered_map<uint64_t, std::unique_ptr<Retired>> retired_;
  std::deque<uint64_t> retired_order_;
  struct BaseKeyCache;
  std::unique_ptr<BaseKeyCache> base_cache_;  // the last base key added, wiped with the Decryptor
};

} // namespace gste2ee::sframe
