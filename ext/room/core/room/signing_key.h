// SPDX-License-Identifier: LGPL-2.1-or-later
// Join-token signing keys: the two JWS algorithms the room accepts (EdDSA
// with Ed25519, RFC 8037; ES256, RFC 7518 section 3.4), their keys as JWKs
// (RFC 7517) and JWK sets, and JWS signatures over a signing input.
//
// Every key carries its "kid" and its one "alg": the server accepts a token
// only with the algorithm configured for the token's kid, never the one the
// token names (so `none`, HS256 with the public key as secret, or another
// curve cannot be smuggled in).
#pragma once

#include "mls/bytes.h"
#include "room/json.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gste2ee::room {

enum class JwsAlg { EdDSA, ES256 };

const char* jws_alg_name(JwsAlg alg);
std::optional<JwsAlg> jws_alg_from_name(std::string_view name);

struct SigningKey {
  std::string kid;
  JwsAlg alg = JwsAlg::EdDSA;
  // Ed25519: the 32-byte raw key; ES256: the uncompressed P-256 point.
  mls::Bytes public_key;
  // The raw private key (Ed25519 seed or P-256 scalar); empty on a server,
  // which only verifies. Wiped when dropped.
  mls::SecretBytes private_key;

  bool can_sign() const { return !private_key.empty(); }
};

// A fresh key pair.
std::optional<SigningKey> generate_signing_key(JwsAlg alg, const std::string& kid);

// One JWK object. "kid" and "alg" are required; "kty"/"crv" must be those of
// the alg (OKP/Ed25519 for EdDSA, EC/P-256 for ES256); a private part ("d")
// must match the public one. On failure `error` says which member is wrong.
bool parse_jwk(const json::Value& jwk, SigningKey* out, std::string* error);
// A JWK set file's text ({"keys": [...]}): every key valid, kids unique.
bool parse_jwk_set(const std::string& text, std::vector<SigningKey>* out, std::string* error);

// The key as JWK JSON; the private part only if asked for.
std::string to_jwk(const SigningKey& key, bool with_private);
// Keys as a JWK set (public parts only).
std::string to_jwk_set(const std::vector<SigningKey>& keys);

// The JWS signature of `signing_input` (ES256: R || S, 64 bytes), or
// nullopt if the key cannot sign.
std::optional<mls::Bytes> jws_sign(const SigningKey& key, std::string_view signing_input);
// Whether `signature` is the key's valid JWS signature of `signing_input`.
bool jws_verify(const SigningKey& key, std::string_view signing_input, const mls::Bytes& signature);

} // namespace gste2ee::room
