// SPDX-License-Identifier: LGPL-2.1-or-later
// SFrame key derivation, RFC 9605 section 4.4.2:
//   sframe_secret = HKDF-Extract("", base_key)
//   sframe_key    = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret key "  | KID(8) | suite(2), Nk)
//   sframe_salt   = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret salt " | KID(8) | suite(2), Nn)
// and the per-SSRC base key of draft-ietf-avtcore-rtp-sframe:
//   ssrc_key = HKDF-Expand(HKDF-Extract(SSRC(4), base_key), "SFrame 1.0 RTP Stream", Nh)
#pragma once

#include <cstdint>

#include "sframe/bytes.h"
#include "sframe/result.h"
#include "sframe/suite.h"

namespace gste2ee::sframe {

struct KeyAndSalt {
  SecretBytes key;   // Nk bytes
  SecretBytes salt;  // Nn bytes
};

Result<SecretBytes> hkdf_extract(HashKind hash, ByteView salt, ByteView ikm) noexcept;
Result<SecretBytes> hkdf_expand(HashKind hash, ByteView prk, ByteView info, size_t length) noexcept;

Result<KeyAndSalt> derive_key_salt(const SuiteInfo& suite, uint64_t kid, ByteView base_key) noexcept;
// The same in two steps, for the many KIDs that share one base key (every
// member's KIDs of an MLS epoch, RFC 9605 section 5.2): the secret once per
// base key, then key and salt per KID.
Result<SecretBytes> derive_sframe_secret(const SuiteInfo& suite, ByteView base_key) noexcept;
Result<KeyAndSalt> derive_key_salt_from_secret(const SuiteInfo& suite, uint64_t kid, ByteView sframe_secret) noexcept;

Result<SecretBytes> derive_ssrc_base_key(const SuiteInfo& suite, uint32_t ssrc, ByteView base_key) noexcept;

} // namespace gste2ee::sframe
