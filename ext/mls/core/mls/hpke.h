// SPDX-License-Identifier: LGPL-2.1-or-later
// HPKE (RFC 9180), base mode, single-shot, with the DHKEMs MLS uses:
// OpenSSL 3.0 has no HPKE API, so this is built from its DH, HKDF and AEAD.
#pragma once

#include "mls/bytes.h"
#include "mls/result.h"
#include "mls/suite.h"

namespace gste2ee::mls::hpke {

struct KeyPair {
  SecretBytes priv;
  Bytes pub;
};

struct Sealed {
  Bytes enc;  // the KEM output (the ephemeral public key)
  Bytes ciphertext;
};

// DeriveKeyPair (RFC 9180 section 7.1.3): deterministic from ikm.
Result<KeyPair> derive_key_pair(const SuiteInfo& suite, const SecretBytes& ikm);
// A fresh key pair: DeriveKeyPair from Nsk random bytes.
Result<KeyPair> generate_key_pair(const SuiteInfo& suite);

// SealBase / OpenBase (sections 5.1.1, 6.1): one message per context.
Result<Sealed> seal_base(const SuiteInfo& suite, const Bytes& pk_r, const Bytes& info, const Bytes& aad,
                         const Bytes& pt);
Result<SecretBytes> open_base(const SuiteInfo& suite, const Bytes& enc, const SecretBytes& sk_r, const Bytes& info,
                              const Bytes& aad, const Bytes& ct);

// SetupBaseR then Export (sections 5.3, 6.1): a secret both sides of an
// encapsulation share, for MLS external commits (init_secret, 8.3).
Result<SecretBytes> receiver_export(const SuiteInfo& suite, const Bytes& enc, const SecretBytes& sk_r,
                                    const Bytes& info, const Bytes& exporter_context, size_t length);

// Seal with a given ephemeral ikm: the deterministic path the above uses,
// exposed for tests that pin the ephemeral key.
Result<Sealed> seal_base_with_ikm(const SuiteInfo& suite, const Bytes& pk_r, const Bytes& info, const Bytes& aad,
                                  const Bytes& pt, const SecretBytes& ikm_e);

} // namespace gste2ee::mls::hpke
