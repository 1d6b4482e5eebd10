// SPDX-License-Identifier: LGPL-2.1-or-later
// The secret tree and its hash ratchets (RFC 9420 section 9), and the
// sender-data key and nonce (6.3.2).
//
// Secrets are derived lazily from the root and consumed: a node's secret is
// wiped once both children exist, a ratchet's secret once its successor
// exists, and a key/nonce once it has been used (9.2), so a compromised
// member cannot decrypt what it already received. Out-of-order reception is
// bounded: keys of skipped generations are kept for at most `window`
// generations behind the newest one asked for, and a request more than
// `max_forward` generations ahead is refused (an attacker cannot make us
// ratchet without limit).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "mls/codec.h"
#include "mls/crypto.h"

namespace gste2ee::mls {

enum class ContentKind { Handshake, Application };

struct KeyAndNonce {
  uint32_t generation = 0;
  SecretBytes key;
  Bytes nonce;
};

class SecretTree {
public:
  SecretTree(const Crypto& c, const SecretBytes& encryption_secret, uint32_t n_leaves, uint32_t window = 64,
             uint32_t max_forward = 1024);

  // The key and nonce of a sender's generation, for decryption: consumed
  // (a second request for the same generation fails).
  Result<KeyAndNonce> get(uint32_t leaf, ContentKind kind, uint32_t generation);
  // The next generation to encrypt with, consumed.
  Result<KeyAndNonce> next(uint32_t leaf, ContentKind kind);

  // The whole state (remaining node secrets, ratchets, kept skipped keys),
  // so a restarted member neither reuses a generation nor regains keys it
  // had consumed.
  bool save(Writer& w) const;
  static Result<SecretTree> load(const Crypto& c, Reader& r);

private:
  struct Ratchet {
    bool started = false;
    uint32_t next_generation = 0;  // generation `secret` belongs to
    SecretBytes secret;
    std::map<uint32_t, KeyAndNonce> skipped;
  };
  Result<void> start(uint32_t leaf, ContentKind kind);
  Result<KeyAndNonce> derive(Ratchet& r);  // key/nonce of r.next_generation, then advance

  Crypto crypto_;
  uint32_t n_leaves_;
  uint32_t window_, max_forward_;
  std::vector<SecretBytes> nodes_;  // node secrets not yet split
  std::vector<Ratchet> handshake_, application_;
};

// Sender-data key and nonce from the first Nh bytes of the ciphertext.
Result<SecretBytes> sender_data_key(const Crypto& c, const SecretBytes& sender_data_secret, const Bytes& ciphertext);
Result<Bytes> sender_data_nonce(const Crypto& c, const SecretBytes& sender_data_secret, const Bytes& ciphertext);

} // namespace gste2ee::mls
