// SPDX-License-Identifier: LGPL-2.1-or-later
// The cryptographic primitives MLS and HPKE are built from, on OpenSSL 3.0:
// hash, HKDF, AEAD, Diffie-Hellman over the KEM groups, and signatures.
// Keys cross this interface as raw bytes in the encodings RFC 9180 (KEM) and
// RFC 9420 (signature keys) use: X25519/X448/Ed25519/Ed448 raw, NIST curves
// as an uncompressed point (public) or a fixed-size big-endian scalar (private).
#pragma once

#include "mls/bytes.h"
#include "mls/result.h"
#include "mls/suite.h"

namespace gste2ee::mls::prim {

Result<Bytes> hash(HashAlg h, const Bytes& data);
Result<Bytes> hmac(HashAlg h, const SecretBytes& key, const Bytes& data);
Result<SecretBytes> hkdf_extract(HashAlg h, const SecretBytes& salt, const SecretBytes& ikm);
Result<SecretBytes> hkdf_expand(HashAlg h, const SecretBytes& prk, const Bytes& info, size_t length);

// AEAD with a 16-byte tag appended to the ciphertext.
Result<Bytes> seal(AeadAlg a, const SecretBytes& key, const Bytes& nonce, const Bytes& aad, const Bytes& pt);
Result<SecretBytes> open(AeadAlg a, const SecretBytes& key, const Bytes& nonce, const Bytes& aad, const Bytes& ct);

// Diffie-Hellman: refuses public keys that are not valid points of the group.
Result<SecretBytes> dh(KemAlg k, const SecretBytes& priv, const Bytes& peer_pub);
Result<Bytes> kem_public_key(KemAlg k, const SecretBytes& priv);
// Whether a scalar is a usable private key of a NIST group (0 < s < order).
bool nist_scalar_in_range(KemAlg k, const Bytes& scalar);

Result<Bytes> sign(SigAlg s, const SecretBytes& priv, const Bytes& message);
bool verify(SigAlg s, const Bytes& pub, const Bytes& message, const Bytes& signature);
Result<Bytes> signature_public_key(SigAlg s, const SecretBytes& priv);
// A fresh signature key pair (private key in the raw encoding above).
Result<SecretBytes> generate_signature_key(SigAlg s);

Result<Bytes> random_bytes(size_t n);

} // namespace gste2ee::mls::prim
