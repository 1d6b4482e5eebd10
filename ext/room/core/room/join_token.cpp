// SPDX-License-Identifier: LGPL-2.1-or-later
#include "room/join_token.h"

#include "room/base64url.h"

namespace gste2ee::room {

namespace {

constexpr std::pair<Permission, const char*> kPermissionNames[] = {
  { kPublishAudio, "publish-audio" },
  { kPublishVideo, "publish-video" },
  { kShareScreen, "share-screen" },
  { kRecord, "record" },
  { kAdmin, "admin" },
};

// Nesting of a token's JSON: the claims object holds the "perm" and "aud"
// arrays, nothing deeper.
constexpr int kTokenJsonDepth = 2;
constexpr size_t kMaxClaimBytes = 256;  // sub, aud, jti

TokenVerdict refuse(TokenRefusal r, std::string reason)
{
  TokenVerdict v;
  v.refusal = r;
  v.reason = std::move(reason);
  return v;
}

// A decoded base64url part parsed as a JSON object.
bool decode_json_object(std::string_view part, json::Value* out)
{
  const auto bytes = base64url_decode(part);
  if (!bytes)
    return false;
  std::string error;
  return json::parse(std::string(bytes->begin(), bytes->end()), out, &error, kTokenJsonDepth) && out->is_object();
}

// Identities, rooms and jtis end up in logs, MLS credentials and file names:
// printable, no control characters, bounded.
bool plain_text(const std::string& s)
{
  if (s.empty() || s.size() > kMaxClaimBytes)
    return false;
  for (const char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return false;
  return true;
}

std::string numeric_date_text(uint64_t t)
{
  return std::to_string(t);
}

} // namespace

const char* permission_name(Permission p)
{
  for (const auto& [perm, name] : kPermissionNames)
    if (perm == p)
      return name;
  return "?";
}

bool parse_permission_list(std::string_view list, unsigned* out, std::string* error)
{
  unsigned bits = 0;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    bool known = false;
    for (const auto& [perm, perm_name] : kPermissionNames) {
      if (name == perm_name) {
        bits |= perm;
        known = true;
      }
    }
    if (!known) {
      *error = "unknown permission \"" + std::string(name) + "\" (known: " + permission_list(kAllPermissions) + ")";
      return false;
    }
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  *out = bits;
  return true;
}

std::string permission_list(unsigned permissions)
{
  std::string out;
  for (const auto& [perm, name] : kPermissionNames) {
    if (permissions & perm) {
      if (!out.empty())
        out += ',';
      out += name;
    }
  }
  return out;
}

std::string mint_join_token(const SigningKey& key, const JoinClaims& c)
{
  const std::string header = std::string("{\"alg\":\"") + jws_alg_name(key.alg) + "\",\"typ\":\"JWT\",\"kid\":"
      + json::quote(key.kid) + "}";
  std::string perms;
  for (const auto& [perm, name] : kPermissionNames)
    if (c.permissions & perm)
      perms += std::string(perms.empty() ? "" : ",") + "\"" + name + "\"";
  std::string payload = "{\"sub\":" + json::quote(c.identity) + ",\"aud\":" + json::quote(c.room)
      + ",\"iat\":" + numeric_date_text(c.iat) + ",\"exp\":" + numeric_date_text(c.exp);
  if (c.nbf != 0)
    payload += ",\"nbf\":" + numeric_date_text(c.nbf);
  payload += ",\"jti\":" + json::quote(c.jti) + ",\"perm\":[" + perms + "]}";
  const std::string signing_input = base64url_encode(header) + "." + base64url_encode(payload);
  const auto sig = jws_sign(key, signing_input);
  if (!sig)
    return {};
  return signing_input + "." + base64url_encode(*sig);
}

const char* token_refusal_name(TokenRefusal r)
{
  switch (r) {
    case TokenRefusal::None: return "accepted";
    case TokenRefusal::Malformed: return "malformed";
    case TokenRefusal::UnknownKey: return "unknown-key";
    case TokenRefusal::AlgorithmNotAllowed: return "algorithm-not-allowed";
    case TokenRefusal::BadSignature: return "bad-signature";
    case TokenRefusal::MissingClaim: return "missing-claim";
    case TokenRefusal::BadClaim: return "bad-claim";
    case TokenRefusal::LifetimeTooLong: return "lifetime-too-long";
    case TokenRefusal::NotYetValid: return "not-yet-valid";
    case TokenRefusal::Expired: return "expired";
    case TokenRefusal::WrongRoom: return "wrong-room";
    case TokenRefusal::Revoked: return "revoked";
    case TokenRefusal::Reused: return "reused";
  }
  return "?";
}

TokenVerifier::TokenVerifier(std::vector<SigningKey> keys, TokenPolicy policy) : policy_(policy)
{
  for (auto& k : keys) {
    // A server verifies only: it keeps no private key even if handed one.
    k.private_key.wipe();
    keys_.emplace(k.kid, std::move(k));
  }
}

void TokenVerifier::revoke_token(const std::string& jti, uint64_t until)
{
  uint64_t& u = revoked_jtis_[jti];
  u = std::max(u, until);
}

void TokenVerifier::revoke_identity(const std::string& identity, uint64_t until)
{
  uint64_t& u = revoked_identities_[identity];
  u = std::max(u, until);
}

bool TokenVerifier::identity_revoked(const std::string& identity, uint64_t now) const
{
  const auto it = revoked_identities_.find(identity);
  return it != revoked_identities_.end() && now < it->second;
}

void TokenVerifier::forget_expired(uint64_t now)
{
  for (auto* m : { &spent_, &revoked_jtis_, &revoked_identities_ }) {
    for (auto it = m->begin(); it != m->end();)
      it = it->second <= now ? m->erase(it) : std::next(it);
  }
}

TokenVerdict TokenVerifier::verify(std::string_view token, std::string_view room, uint64_t now)
{
  forget_expired(now);
  if (token.size() > policy_.max_token_bytes)
    return refuse(TokenRefusal::Malformed, "token longer than " + std::to_string(policy_.max_token_bytes) + " bytes");
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return refuse(TokenRefusal::Malformed, "not a compact JWS (three base64url parts separated by dots)");
  const std::string_view signing_input = token.substr(0, dot2);

  json::Value header;
  if (!decode_json_object(token.substr(0, dot1), &header))
    return refuse(TokenRefusal::Malformed, "the JWS header is not base64url of a JSON object");
  for (const auto& [name, value] : *header.object()) {
    if (name != "alg" && name != "kid" && name != "typ") {
      // Named only if it is one of the JWS header parameters (fixed text,
      // never attacker-chosen bytes in the log).
      const bool registered = name == "crit" || name == "jwk" || name == "jku" || name == "x5u" || name == "x5c"
          || name == "x5t" || name == "x5t#S256" || name == "b64" || name == "cty";
      return refuse(TokenRefusal::Malformed, (registered ? "header member \"" + name + "\"" : std::string("a header member"))
          + " refused: only alg, kid and typ are accepted");
    }
  }
  const json::Value* typ = header.find("typ");
  if (typ && (!typ->string() || *typ->string() != "JWT"))
    return refuse(TokenRefusal::Malformed, "header \"typ\" must be \"JWT\"");
  const json::Value* alg = header.find("alg");
  if (!alg || !alg->string())
    return refuse(TokenRefusal::Malformed, "header \"alg\" missing");
  const json::Value* kid = header.find("kid");
  if (!kid || !kid->string())
    return refuse(TokenRefusal::UnknownKey, "header \"kid\" missing: the key, and with it the algorithm, is chosen by kid");
  const auto key = keys_.find(*kid->string());
  if (key == keys_.end())
    return refuse(TokenRefusal::UnknownKey, "no key with this kid is configured");
  if (*alg->string() != jws_alg_name(key->second.alg)) {
    const std::string& a = *alg->string();
    std::string named = a == "none" ? "\"none\" (unsigned)" : a.rfind("HS", 0) == 0 ? "HMAC (HS*)" : "this algorithm";
    return refuse(TokenRefusal::AlgorithmNotAllowed, "alg " + named + " refused: the key " + key->first + " is "
        + jws_alg_name(key->second.alg) + " only");
  }
  const auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!signature)
    return refuse(TokenRefusal::Malformed, "the signature is not canonical base64url");
  if (!jws_verify(key->second, signing_input, *signature))
    return refuse(TokenRefusal::BadSignature, "the signature does not verify with key " + key->first);

  json::Value claims;
  if (!decode_json_object(token.substr(dot1 + 1, dot2 - dot1 - 1), &claims))
    return refuse(TokenRefusal::Malformed, "the JWT claims are not base64url of a JSON object");
  TokenVerdict verdict = check_claims(claims, room, now);
  if (!verdict.accepted())
    return verdict;
  const JoinClaims& c = verdict.claims;
  if (identity_revoked(c.identity, now))
    return refuse(TokenRefusal::Revoked, "the identity is revoked");
  if (revoked_jtis_.count(c.jti))
    return refuse(TokenRefusal::Revoked, "the token (jti) is revoked");
  if (spent_.count(c.jti))
    return refuse(TokenRefusal::Reused, "the token was used before (jti is single-use)");
  // Remembered until it could no longer be accepted anyway.
  spent_.emplace(c.jti, c.exp + policy_.clock_skew_s);
  return verdict;
}

TokenVerdict TokenVerifier::check_claims(const json::Value& claims, std::string_view room, uint64_t now) const
{
  JoinClaims c;
  for (const char* name : { "sub", "aud", "iat", "exp", "jti" })
    if (!claims.find(name))
      return refuse(TokenRefusal::MissingClaim, std::string("claim \"") + name + "\" missing");

  const std::string* sub = claims.find("sub")->string();
  if (!sub || !plain_text(*sub))
    return refuse(TokenRefusal::BadClaim, "claim \"sub\" must be a non-empty printable string of at most "
        + std::to_string(kMaxClaimBytes) + " bytes");
  c.identity = *sub;
  const std::string* jti = claims.find("jti")->string();
  if (!jti || !plain_text(*jti))
    return refuse(TokenRefusal::BadClaim, "claim \"jti\" must be a non-empty printable string");
  c.jti = *jti;

  struct DateClaim {
    const char* name;
    uint64_t* out;
  };
  for (const DateClaim& d : { DateClaim{ "iat", &c.iat }, DateClaim{ "exp", &c.exp }, DateClaim{ "nbf", &c.nbf } }) {
    const json::Value* v = claims.find(d.name);
    if (!v)
      continue;  // only nbf may be absent (checked above)
    const auto n = v->u64();
    if (!n)
      return refuse(TokenRefusal::BadClaim, std::string("claim \"") + d.name
          + "\" must be a NumericDate in whole seconds");
    *d.out = *n;
  }
  if (c.exp <= c.iat)
    return refuse(TokenRefusal::BadClaim, "claim \"exp\" is not after \"iat\"");
  if (c.exp - c.iat > policy_.max_lifetime_s)
    return refuse(TokenRefusal::LifetimeTooLong, "lifetime exp - iat = " + std::to_string(c.exp - c.iat)
        + " s is over the maximum of " + std::to_string(policy_.max_lifetime_s) + " s");
  const uint64_t skew = policy_.clock_skew_s;
  if (c.iat > now && c.iat - now > skew)
    return refuse(TokenRefusal::NotYetValid, "issued " + std::to_string(c.iat - now) + " s in the future (iat)");
  if (c.nbf > now && c.nbf - now > skew)
    return refuse(TokenRefusal::NotYetValid, "not valid for another " + std::to_string(c.nbf - now) + " s (nbf)");
  if (now >= c.exp && now - c.exp >= skew)
    return refuse(TokenRefusal::Expired, "expired " + std::to_string(now - c.exp) + " s ago (exp)");

  const json::Value* aud = claims.find("aud");
  bool for_room = false;
  if (const std::string* one = aud->string()) {
    for_room = *one == room;
  } else if (const auto* list = aud->array()) {
    for (const json::Value& a : *list) {
      if (!a.string())
        return refuse(TokenRefusal::BadClaim, "claim \"aud\" must be a string or an array of strings");
      for_room = for_room || *a.string() == room;
    }
  } else {
    return refuse(TokenRefusal::BadClaim, "claim \"aud\" must be a string or an array of strings");
  }
  if (!for_room)
    return refuse(TokenRefusal::WrongRoom, "the token is for another room (aud)");
  c.room = std::string(room);

  if (const json::Value* perm = claims.find("perm")) {
    if (!perm->array())
      return refuse(TokenRefusal::BadClaim, "claim \"perm\" must be an array of permission names");
    for (const json::Value& p : *perm->array()) {
      unsigned bit = 0;
      std::string error;
      // One name per element: a comma inside one is not a list.
      if (!p.string() || p.string()->find(',') != std::string::npos || !parse_permission_list(*p.string(), &bit, &error)
          || bit == 0)
        return refuse(TokenRefusal::BadClaim, "claim \"perm\" holds an unknown permission (known: "
            + permission_list(kAllPermissions) + ")");
      c.permissions |= bit;
    }
  }
  TokenVerdict v;
  v.claims = std::move(c);
  return v;
}

} // namespace gste2ee::room
