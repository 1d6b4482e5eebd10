// SPDX-License-Identifier: LGPL-2.1-or-later
// The AEAD of an SFrame cipher suite, keyed once: RFC 9605 section 4.5
// (AES-GCM) and section 4.5.1 (AES-CTR with truncated HMAC). Every OpenSSL
// object is created when the key is set, so seal/open neither allocate nor
// fetch algorithms.
#pragma once

#include <memory>

#include "sframe/bytes.h"
#include "sframe/result.h"
#include "sframe/suite.h"

namespace gste2ee::sframe {

enum class Direction { Seal, Open };

class Aead {
public:
  virtual ~Aead() = default;

  // `key` is Nk bytes (for CTR-HMAC: AES key then HMAC key).
  static Result<std::unique_ptr<Aead>> create(const SuiteInfo& suite, ByteView key, Direction dir) noexcept;

  // Writes pt.size + tag_size bytes to `out`. `out` may equal pt.data
  // (in place); other overlaps are not allowed.
  virtual Result<void> seal(const uint8_t* nonce, ByteView aad, ByteView pt, uint8_t* out) noexcept = 0;

  // `ct` includes the tag. Writes ct.size - tag_size bytes to `out` only when
  // the tag verifies (AES-GCM output is wiped if it does not). `out` may equal
  // ct.data.
  virtual Result<void> open(const uint8_t* nonce, ByteView aad, ByteView ct, uint8_t* out) noexcept = 0;

  const SuiteInfo& suite() const noexcept { return suite_; }

protected:
  explicit Aead(const SuiteInfo& suite) : suite_(suite) {}
  const SuiteInfo& suite_;
};

} // namespace gste2ee::sframe
