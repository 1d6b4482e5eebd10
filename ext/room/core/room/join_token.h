// SPDX-License-Identifier: LGPL-2.1-or-later
// Join tokens: compact JWS JWTs (RFC 7515, RFC 7519) that admit one identity
// to one room for a short time, and the verifier the room server runs on
// each join. Sans-IO: the caller passes the time, so tests need no clock.
//
// A token is accepted only if all of this holds (docs/deployment.md):
// - at most `max_token_bytes`, three canonical base64url parts, JSON objects;
// - header {"alg", "kid"[, "typ": "JWT"]} and nothing else (no "crit", no
//   embedded or referenced keys: "jwk", "jku", "x5u", ...);
// - the kid is configured, and "alg" is the algorithm configured for it;
// - the signature verifies with that key;
// - claims "sub" (the identity), "aud" (the room), "iat", "exp", "jti" are
//   present and well-typed, "nbf" optional; "perm" lists known permissions;
// - exp > iat, exp - iat <= max_lifetime, iat and nbf not beyond now + skew,
//   now < exp + skew;
// - the room is in "aud"; neither the jti nor the identity is revoked;
// - the jti was not accepted before (it is kept until the token expires).
#pragma once

#include "room/signing_key.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace gste2ee::room {

// Permission claims ("perm": ["publish-audio", ...]).
enum Permission : unsigned {
  kPublishAudio = 1u << 0,
  kPublishVideo = 1u << 1,
  kShareScreen = 1u << 2,
  kRecord = 1u << 3,
  kAdmin = 1u << 4,
};
constexpr unsigned kAllPermissions = kPublishAudio | kPublishVideo | kShareScreen | kRecord | kAdmin;

const char* permission_name(Permission p);
// "publish-audio,share-screen" -> bits; false on an unknown name.
bool parse_permission_list(std::string_view comma_separated, unsigned* out, std::string* error);
std::string permission_list(unsigned permissions);

struct JoinClaims {
  std::string identity;  // "sub"
  std::string room;      // "aud"
  std::string jti;
  uint64_t iat = 0;
  uint64_t nbf = 0;  // 0: absent
  uint64_t exp = 0;
  unsigned permissions = 0;

  bool may(Permission p) const { return (permissions & p) != 0; }
};

// Signs the claims with `key` (its kid and alg in the header). For the token
// tool and tests; empty if the key cannot sign.
std::string mint_join_token(const SigningKey& key, const JoinClaims& claims);

struct TokenPolicy {
  uint64_t max_lifetime_s = 300;  // exp - iat at most this
  uint64_t clock_skew_s = 30;     // tolerated for iat, nbf and exp
  size_t max_token_bytes = 4096;
};

enum class TokenRefusal {
  None,
  Malformed,            // not a compact JWS of JSON objects, or a forbidden header member
  UnknownKey,           // no configured key has this kid
  AlgorithmNotAllowed,  // "alg" is not the one configured for the kid (none, HS256, ...)
  BadSignature,
  MissingClaim,
  BadClaim,             // a claim of the wrong type or value
  LifetimeTooLong,
  NotYetValid,          // iat or nbf in the future
  Expired,
  WrongRoom,
  Revoked,              // its jti or its identity
  Reused,               // its jti was accepted before
};

const char* token_refusal_name(TokenRefusal r);

struct TokenVerdict {
  TokenRefusal refusal = TokenRefusal::None;
  std::string reason;  // for the log and the client; never the token itself
  JoinClaims claims;   // valid only when accepted

  bool accepted() const { return refusal == TokenRefusal::None; }
};

class TokenVerifier {
public:
  TokenVerifier(std::vector<SigningKey> keys, TokenPolicy policy);

  // Checks `token` for joining `room` at `now` (seconds since the epoch). An
  // accepted token's jti is spent: the same token is refused from then on.
  TokenVerdict verify(std::string_view token, std::string_view room, uint64_t now);

  // Refuses tokens with this jti, or of this identity, until `until`.
  void revoke_token(const std::string& jti, uint64_t until);
  void revoke_identity(const std::string& identity, uint64_t until);
  bool identity_revoked(const std::string& identity, uint64_t now) const;

  const TokenPolicy& policy() const { return policy_; }
  // Spent jtis still remembered (they are forgotten once their token expired).
  size_t remembered_jtis() const { return spent_.size(); }

private:
  void forget_expired(uint64_t now);
  TokenVerdict check_claims(const json::Value& claims, std::string_view room, uint64_t now) const;

  std::map<std::string, SigningKey> keys_;  // by kid
  TokenPolicy policy_;
  std::map<std::string, uint64_t> spent_;   // jti -> until
  std::map<std::string, uint64_t> revoked_jtis_;
  std::map<std::string, uint64_t> revoked_identities_;
};

} // namespace gste2ee::room
