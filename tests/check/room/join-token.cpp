// SPDX-License-Identifier: LGPL-2.1-or-later
// Join tokens: the JOSE RFCs' own examples first (base64url, the Ed25519 JWS
// of RFC 8037 appendix A.4, the ES256 JWS of RFC 7515 appendix A.3), then
// every way a token must be refused: expired, not yet valid, too long-lived,
// for another room, alg none / HS256 / an alg not configured for the kid,
// unknown kid, reused, revoked, tampered, missing or ill-typed claims,
// forbidden header members. Each refusal has its own reason.
#include "room/base64url.h"
#include "room/join_token.h"

#include <check.h>

#include "run-suite.h"

#include <string>

namespace r = gste2ee::room;
namespace json = gste2ee::json;

namespace {

constexpr uint64_t kNow = 1'800'000'000;
const std::string kRoom = "Zm9vYmFyYmF6cXV4MTIzNA";

// RFC 8037 appendix A.1 (the Ed25519 key) and A.4 (its JWS).
const char kRfc8037Jwk[] =
  "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"rfc8037\",\"alg\":\"EdDSA\","
  "\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
const char kRfc8037SigningInput[] = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
const char kRfc8037Signature[] = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

// RFC 7515 appendix A.3 (the P-256 key and the ES256 JWS).
const char kRfc7515Jwk[] =
  "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"rfc7515\",\"alg\":\"ES256\","
  "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\","
  "\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI\"}";
const char kRfc7515SigningInput[] =
  "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
const char kRfc7515Signature[] = "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

r::SigningKey key_from(const char* jwk_text)
{
  json::Value jwk;
  std::string error;
  ck_assert_msg(json::parse(jwk_text, &jwk, &error), "%s", error.c_str());
  r::SigningKey key;
  ck_assert_msg(r::parse_jwk(jwk, &key, &error), "%s", error.c_str());
  return key;
}

std::vector<uint8_t> b64(const char* text)
{
  auto bytes = r::base64url_decode(text);
  ck_assert(bytes.has_value());
  return *bytes;
}

r::JoinClaims claims(const std::string& jti = "jti-1")
{
  r::JoinClaims c;
  c.identity = "alice";
  c.room = kRoom;
  c.jti = jti;
  c.iat = kNow - 10;
  c.exp = kNow + 200;
  c.permissions = r::kPublishAudio | r::kPublishVideo;
  return c;
}

struct Keys {
  r::SigningKey ed = r::generate_signing_key(r::JwsAlg::EdDSA, "ed").value();
  r::SigningKey ec = r::generate_signing_key(r::JwsAlg::ES256, "ec").value();
  r::TokenVerifier verifier{ { ed, ec }, r::TokenPolicy{} };
};

// A token from hand-written header and claims, signed by `key`.
std::string token_of(const r::SigningKey& key, const std::string& header, const std::string& payload)
{
  const std::string input = r::base64url_encode(header) + "." + r::base64url_encode(payload);
  return input + "." + r::base64url_encode(r::jws_sign(key, input).value());
}

std::string good_payload(const std::string& jti = "jti-1")
{
  return "{\"sub\":\"alice\",\"aud\":\"" + kRoom + "\",\"iat\":" + std::to_string(kNow) + ",\"exp\":"
      + std::to_string(kNow + 60) + ",\"jti\":\"" + jti + "\"}";
}

void expect_refused(r::TokenVerifier& v, const std::string& token, r::TokenRefusal want, const char* what,
    const std::string& room = kRoom, uint64_t now = kNow)
{
  const size_t remembered = v.remembered_jtis();
  const auto verdict = v.verify(token, room, now);
  ck_assert_msg(verdict.refusal == want, "%s: %s (%s), expected %s", what, r::token_refusal_name(verdict.refusal),
      verdict.reason.c_str(), r::token_refusal_name(want));
  ck_assert_msg(!verdict.reason.empty(), "%s: refused without a reason", what);
  // A refused token spends nothing: its jti stays usable by the real holder.
  ck_assert_uint_eq(v.remembered_jtis(), remembered);
  // The reason never quotes the token.
  if (token.size() >= 20)
    ck_assert(verdict.reason.find(token.substr(0, 20)) == std::string::npos);
}

} // namespace

START_TEST(test_base64url_rfc4648_and_strictness)
{
  // RFC 4648 section 10, unpadded.
  const char* plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
  const char* coded[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy" };
  for (size_t i = 0; i < 7; i++) {
    ck_assert_msg(r::base64url_encode(std::string_view(plain[i])) == coded[i], "%s", plain[i]);
    const auto back = r::base64url_decode(coded[i]);
    ck_assert(back.has_value());
    ck_assert(std::string(back->begin(), back->end()) == plain[i]);
  }
  const uint8_t url_safe[] = { 0xfb, 0xff };
  ck_assert(r::base64url_encode(url_safe, 2) == "-_8");
  // Padding, the other alphabet, whitespace, an impossible length, and
  // "Zh" / "Zm9": "f" / "fo" with non-zero unused bits (RFC 4648 3.5).
  for (const char* bad : { "Zg==", "Zm9v+", "Zm9/", "Z", "Zm9vY", "Zh", "Zm9", "Zm 9v", "Zm9\n" })
    ck_assert_msg(!r::base64url_decode(bad).has_value(), "accepted %s", bad);
}
END_TEST

START_TEST(test_rfc8037_ed25519_jws)
{
  const r::SigningKey key = key_from(kRfc8037Jwk);
  ck_assert(key.can_sign());
  // Ed25519 is deterministic: our signature is the RFC's, byte for byte.
  const auto sig = r::jws_sign(key, kRfc8037SigningInput);
  ck_assert(sig.has_value());
  ck_assert(r::base64url_encode(*sig) == kRfc8037Signature);
  ck_assert(r::jws_verify(key, kRfc8037SigningInput, b64(kRfc8037Signature)));
  auto flipped = b64(kRfc8037Signature);
  flipped[5] ^= 1;
  ck_assert(!r::jws_verify(key, kRfc8037SigningInput, flipped));
  ck_assert(!r::jws_verify(key, std::string(kRfc8037SigningInput) + "x", b64(kRfc8037Signature)));
}
END_TEST

START_TEST(test_rfc7515_es256_jws)
{
  const r::SigningKey key = key_from(kRfc7515Jwk);
  // The RFC's fixed R || S signature verifies (ECDSA is randomized: ours
  // cannot equal it, so ours is checked by verifying it).
  ck_assert(r::jws_verify(key, kRfc7515SigningInput, b64(kRfc7515Signature)));
  auto flipped = b64(kRfc7515Signature);
  flipped[40] ^= 1;
  ck_assert(!r::jws_verify(key, kRfc7515SigningInput, flipped));
  const auto ours = r::jws_sign(key, "hello");
  ck_assert(ours.has_value());
  ck_assert_uint_eq(ours->size(), 64);
  ck_assert(r::jws_verify(key, "hello", *ours));
  // A DER signature (what OpenSSL emits) is not a JWS signature.
  ck_assert(!r::jws_verify(key, kRfc7515SigningInput, std::vector<uint8_t>(70, 0x30)));
}
END_TEST

START_TEST(test_jwk_checks)
{
  const struct {
    const char* jwk;
    const char* why;
  } bad[] = {
    { "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"alg\":\"EdDSA\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}", "kid" },
    { "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}", "alg" },
    { "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a\",\"alg\":\"HS256\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}", "alg" },
    { "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"a\",\"alg\":\"EdDSA\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}", "kty" },
    { "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a\",\"alg\":\"EdDSA\",\"x\":\"11qYAYKx\"}", "\"x\"" },
    // A point not on P-256 (y altered).
    { "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"a\",\"alg\":\"ES256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
      "\"y\":\"y_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}", "P-256" },
    // The RFC 7515 private key with the RFC 8037 public key.
    { "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a\",\"alg\":\"EdDSA\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\","
      "\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI\"}", "does not belong" },
  };
  for (const auto& b : bad) {
    json::Value v;
    std::string error;
    ck_assert(json::parse(b.jwk, &v, &error));
    r::SigningKey key;
    ck_assert_msg(!r::parse_jwk(v, &key, &error), "accepted %s", b.jwk);
    ck_assert_msg(error.find(b.why) != std::string::npos, "reason '%s' does not mention %s", error.c_str(), b.why);
  }
  // A set round-trips through text; duplicate kids are refused.
  const Keys k;
  std::vector<r::SigningKey> back;
  std::string error;
  ck_assert_msg(r::parse_jwk_set(r::to_jwk_set({ k.ed, k.ec }), &back, &error), "%s", error.c_str());
  ck_assert_uint_eq(back.size(), 2);
  ck_assert(back[1].public_key == k.ec.public_key && back[1].alg == r::JwsAlg::ES256);
  ck_assert(!back[0].can_sign());  // the set holds public keys only
  ck_assert(!r::parse_jwk_set(r::to_jwk_set({ k.ed, k.ed }), &back, &error));
  ck_assert(error.find("twice") != std::string::npos);
}
END_TEST

START_TEST(test_valid_tokens_are_accepted_once)
{
  Keys k;
  for (const r::SigningKey* key : { &k.ed, &k.ec }) {
    const auto c = claims(key->kid);
    const std::string token = r::mint_join_token(*key, c);
    const auto v = k.verifier.verify(token, kRoom, kNow);
    ck_assert_msg(v.accepted(), "%s: %s", key->kid.c_str(), v.reason.c_str());
    ck_assert_str_eq(v.claims.identity.c_str(), "alice");
    ck_assert_str_eq(v.claims.room.c_str(), kRoom.c_str());
    ck_assert(v.claims.may(r::kPublishVideo) && v.claims.may(r::kPublishAudio));
    ck_assert(!v.claims.may(r::kShareScreen) && !v.claims.may(r::kAdmin) && !v.claims.may(r::kRecord));
    expect_refused(k.verifier, token, r::TokenRefusal::Reused, "the same token again");
  }
  // Once a spent token has expired its jti is forgotten; the token itself
  // is refused as expired, so nothing is lost.
  ck_assert_uint_eq(k.verifier.remembered_jtis(), 2);
  const auto later = k.verifier.verify(r::mint_join_token(k.ed, claims("ed")), kRoom, kNow + 1000);
  ck_assert(later.refusal == r::TokenRefusal::Expired);
  ck_assert_uint_eq(k.verifier.remembered_jtis(), 0);
}
END_TEST

START_TEST(test_times)
{
  Keys k;
  const uint64_t skew = k.verifier.policy().clock_skew_s;
  auto c = claims();
  c.iat = kNow - 400;
  c.exp = kNow - 100;
  expect_refused(k.verifier, r::mint_join_token(k.ed, c), r::TokenRefusal::Expired, "expired");
  c = claims();
  c.iat = kNow + 120;
  c.exp = kNow + 300;
  expect_refused(k.verifier, r::mint_join_token(k.ed, c), r::TokenRefusal::NotYetValid, "iat in the future");
  c = claims();
  c.nbf = kNow + 100;
  expect_refused(k.verifier, r::mint_join_token(k.ed, c), r::TokenRefusal::NotYetValid, "nbf in the future");
  c = claims();
  c.iat = kNow;
  c.exp = kNow + 301;
  expect_refused(k.verifier, r::mint_join_token(k.ed, c), r::TokenRefusal::LifetimeTooLong, "301 s");
  c.exp = kNow;
  expect_refused(k.verifier, r::mint_join_token(k.ed, c), r::TokenRefusal::BadClaim, "exp = iat");
  // Within the skew: a clock slightly behind or ahead still admits.
  c = claims("skew-1");
  c.iat = kNow + skew;
  c.exp = kNow + skew + 60;
  ck_assert(k.verifier.verify(r::mint_join_token(k.ed, c), kRoom, kNow).accepted());
  c = claims("skew-2");
  c.iat = kNow - 100;
  c.exp = kNow - skew + 1;
  ck_assert(k.verifier.verify(r::mint_join_token(k.ed, c), kRoom, kNow).accepted());
  c = claims("skew-3");
  c.iat = kNow - 100;
  c.exp = kNow - skew;
  expect_refused(k.verifier, r::mint_join_token(k.ed, c), r::TokenRefusal::Expired, "exp + skew reached");
  // Dates must be whole non-negative seconds.
  for (const char* date : { "1.5e9", "-1", "\"1800000000\"", "18446744073709551616" }) {
    const std::string p = "{\"sub\":\"alice\",\"aud\":\"" + kRoom + "\",\"iat\":" + date + ",\"exp\":"
        + std::to_string(kNow + 60) + ",\"jti\":\"x\"}";
    expect_refused(k.verifier, token_of(k.ed, "{\"alg\":\"EdDSA\",\"kid\":\"ed\"}", p), r::TokenRefusal::BadClaim,
        date);
  }
}
END_TEST

START_TEST(test_algorithms_and_keys)
{
  Keys k;
  const std::string payload = good_payload();
  // alg none: no signature at all.
  expect_refused(k.verifier, r::base64url_encode(std::string("{\"alg\":\"none\",\"kid\":\"ed\"}")) + "."
      + r::base64url_encode(payload) + ".", r::TokenRefusal::AlgorithmNotAllowed, "alg none");
  // HS256 "signed" with the public key as the HMAC secret (the classic
  // confusion attack): the alg is refused before any MAC is computed.
  expect_refused(k.verifier, r::base64url_encode(std::string("{\"alg\":\"HS256\",\"kid\":\"ed\"}")) + "."
      + r::base64url_encode(payload) + ".AAAA", r::TokenRefusal::AlgorithmNotAllowed, "alg HS256");
  // A real ES256 signature under a kid configured for EdDSA.
  r::SigningKey ec_as_ed = k.ec;
  ec_as_ed.kid = "ed";
  expect_refused(k.verifier, r::mint_join_token(ec_as_ed, claims()), r::TokenRefusal::AlgorithmNotAllowed,
      "ES256 for an EdDSA kid");
  expect_refused(k.verifier, token_of(k.ed, "{\"alg\":\"RS256\",\"kid\":\"ed\"}", payload),
      r::TokenRefusal::AlgorithmNotAllowed, "alg RS256");
  // Unknown or missing kid.
  const r::SigningKey stranger = r::generate_signing_key(r::JwsAlg::EdDSA, "stranger").value();
  expect_refused(k.verifier, r::mint_join_token(stranger, claims()), r::TokenRefusal::UnknownKey, "unknown kid");
  expect_refused(k.verifier, token_of(k.ed, "{\"alg\":\"EdDSA\"}", payload), r::TokenRefusal::UnknownKey, "no kid");
  // A key not configured, under a configured kid: the signature fails.
  r::SigningKey impostor = r::generate_signing_key(r::JwsAlg::EdDSA, "ed").value();
  expect_refused(k.verifier, r::mint_join_token(impostor, claims()), r::TokenRefusal::BadSignature, "impostor key");
  // Header members that bring their own keys or demand extensions.
  expect_refused(k.verifier, token_of(k.ed, "{\"alg\":\"EdDSA\",\"kid\":\"ed\",\"jwk\":{}}", payload),
      r::TokenRefusal::Malformed, "jwk header");
  expect_refused(k.verifier, token_of(k.ed, "{\"alg\":\"EdDSA\",\"kid\":\"ed\",\"crit\":[\"exp\"]}", payload),
      r::TokenRefusal::Malformed, "crit header");
  expect_refused(k.verifier, token_of(k.ed, "{\"alg\":\"EdDSA\",\"kid\":\"ed\",\"typ\":\"JWE\"}", payload),
      r::TokenRefusal::Malformed, "typ JWE");
  // The well-formed version of the same is accepted.
  ck_assert(k.verifier.verify(token_of(k.ed, "{\"alg\":\"EdDSA\",\"kid\":\"ed\",\"typ\":\"JWT\"}", payload), kRoom, kNow)
                .accepted());
}
END_TEST

START_TEST(test_tampering)
{
  Keys k;
  const std::string token = r::mint_join_token(k.ec, claims());
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.rfind('.');
  // Claims swapped for an admin's, with the original signature.
  auto admin = claims();
  admin.permissions = r::kAllPermissions;
  const std::string forged = r::mint_join_token(k.ec, admin);
  const std::string spliced = forged.substr(0, forged.rfind('.')) + token.substr(dot2);
  expect_refused(k.verifier, spliced, r::TokenRefusal::BadSignature, "claims spliced");
  // One character of each part changed.
  for (const size_t at : { dot1 - 3, dot1 + 5, dot2 + 8 }) {
    std::string t = token;
    t[at] = t[at] == 'A' ? 'B' : 'A';
    const auto v = k.verifier.verify(t, kRoom, kNow);
    ck_assert_msg(!v.accepted(), "a token altered at %zu was accepted", at);
  }
  for (const std::string& t : { token.substr(0, dot2), token + ".x", std::string("..."), std::string(),
           token + "=", std::string(5000, 'a') })
    expect_refused(k.verifier, t, r::TokenRefusal::Malformed, "not a compact JWS");
  // The header or the claims not a JSON object.
  expect_refused(k.verifier, token_of(k.ec, "[\"ES256\"]", good_payload()), r::TokenRefusal::Malformed,
      "array header");
  expect_refused(k.verifier, token_of(k.ec, "{\"alg\":\"ES256\",\"kid\":\"ec\"}", "\"alice\""),
      r::TokenRefusal::Malformed, "string claims");
  expect_refused(k.verifier, token_of(k.ec, "{\"alg\":\"ES256\",\"kid\":\"ec\",\"alg\":\"ES256\"}", good_payload()),
      r::TokenRefusal::Malformed, "duplicate header member");
  // The original still works (nothing above spent it).
  ck_assert(k.verifier.verify(token, kRoom, kNow).accepted());
}
END_TEST

START_TEST(test_claims)
{
  Keys k;
  const std::string header = "{\"alg\":\"EdDSA\",\"kid\":\"ed\"}";
  const std::string times = ",\"iat\":" + std::to_string(kNow) + ",\"exp\":" + std::to_string(kNow + 60);
  const std::string aud = ",\"aud\":\"" + kRoom + "\"";
  const struct {
    std::string payload;
    r::TokenRefusal want;
  } cases[] = {
    { "{\"aud\":\"" + kRoom + "\"" + times + ",\"jti\":\"a\"}", r::TokenRefusal::MissingClaim },
    { "{\"sub\":\"alice\"" + times + ",\"jti\":\"a\"}", r::TokenRefusal::MissingClaim },
    { "{\"sub\":\"alice\"" + aud + ",\"iat\":" + std::to_string(kNow) + ",\"jti\":\"a\"}",
      r::TokenRefusal::MissingClaim },
    { "{\"sub\":\"alice\"" + aud + ",\"exp\":" + std::to_string(kNow + 60) + ",\"jti\":\"a\"}",
      r::TokenRefusal::MissingClaim },
    { "{\"sub\":\"alice\"" + aud + times + "}", r::TokenRefusal::MissingClaim },
    { "{\"sub\":7" + aud + times + ",\"jti\":\"a\"}", r::TokenRefusal::BadClaim },
    { "{\"sub\":\"\"" + aud + times + ",\"jti\":\"a\"}", r::TokenRefusal::BadClaim },
    { "{\"sub\":\"al\\nice\"" + aud + times + ",\"jti\":\"a\"}", r::TokenRefusal::BadClaim },
    { "{\"sub\":\"alice\",\"aud\":7" + times + ",\"jti\":\"a\"}", r::TokenRefusal::BadClaim },
    { "{\"sub\":\"alice\",\"aud\":\"other-room\"" + times + ",\"jti\":\"a\"}", r::TokenRefusal::WrongRoom },
    { "{\"sub\":\"alice\",\"aud\":[\"r1\",\"r2\"]" + times + ",\"jti\":\"a\"}", r::TokenRefusal::WrongRoom },
    { "{\"sub\":\"alice\"" + aud + times + ",\"jti\":\"a\",\"perm\":[\"root\"]}", r::TokenRefusal::BadClaim },
    { "{\"sub\":\"alice\"" + aud + times + ",\"jti\":\"a\",\"perm\":[\"admin,record\"]}", r::TokenRefusal::BadClaim },
    { "{\"sub\":\"alice\"" + aud + times + ",\"jti\":\"a\",\"perm\":\"admin\"}", r::TokenRefusal::BadClaim },
    { "{\"sub\":\"alice\"" + aud + times + ",\"jti\":\"a\",\"perm\":[[\"admin\"]]}", r::TokenRefusal::Malformed },
  };
  for (const auto& c : cases)
    expect_refused(k.verifier, token_of(k.ed, header, c.payload), c.want, c.payload.c_str());
  // aud as an array naming the room, and every permission, are accepted;
  // another room's verifier refuses the same token.
  const std::string good = "{\"sub\":\"rec\",\"aud\":[\"other\",\"" + kRoom + "\"]" + times
      + ",\"jti\":\"b\",\"perm\":[\"publish-audio\",\"publish-video\",\"share-screen\",\"record\",\"admin\"],"
        "\"iss\":\"ops\"}";
  const auto v = k.verifier.verify(token_of(k.ed, header, good), kRoom, kNow);
  ck_assert_msg(v.accepted(), "%s", v.reason.c_str());
  ck_assert_uint_eq(v.claims.permissions, r::kAllPermissions);
  expect_refused(k.verifier, token_of(k.ed, header, good), r::TokenRefusal::WrongRoom, "room3", "room3");
}
END_TEST

START_TEST(test_revocation)
{
  Keys k;
  k.verifier.revoke_token("jti-1", kNow + 600);
  expect_refused(k.verifier, r::mint_join_token(k.ed, claims("jti-1")), r::TokenRefusal::Revoked, "revoked jti");
  k.verifier.revoke_identity("alice", kNow + 100);
  ck_assert(k.verifier.identity_revoked("alice", kNow));
  expect_refused(k.verifier, r::mint_join_token(k.ed, claims("jti-2")), r::TokenRefusal::Revoked,
      "revoked identity");
  // The revocation ends at its time; a fresh token is accepted again.
  auto later = claims("jti-3");
  later.iat = kNow + 100;
  later.exp = kNow + 200;
  ck_assert(!k.verifier.identity_revoked("alice", kNow + 100));
  ck_assert(k.verifier.verify(r::mint_join_token(k.ed, later), kRoom, kNow + 100).accepted());
}
END_TEST

START_TEST(test_permission_lists)
{
  unsigned bits = 0;
  std::string error;
  ck_assert(r::parse_permission_list("publish-video,admin", &bits, &error));
  ck_assert_uint_eq(bits, r::kPublishVideo | r::kAdmin);
  ck_assert(r::permission_list(bits) == "publish-video,admin");
  ck_assert(!r::parse_permission_list("publish-video,,admin", &bits, &error));
  ck_assert(!r::parse_permission_list("everything", &bits, &error));
  ck_assert(error.find("everything") != std::string::npos);
}
END_TEST

static Suite* join_token_suite()
{
  Suite* s = suite_create("join-token");
  TCase* tc = tcase_create("general");
  tcase_add_test(tc, test_base64url_rfc4648_and_strictness);
  tcase_add_test(tc, test_rfc8037_ed25519_jws);
  tcase_add_test(tc, test_rfc7515_es256_jws);
  tcase_add_test(tc, test_jwk_checks);
  tcase_add_test(tc, test_valid_tokens_are_accepted_once);
  tcase_add_test(tc, test_times);
  tcase_add_test(tc, test_algorithms_and_keys);
  tcase_add_test(tc, test_tampering);
  tcase_add_test(tc, test_claims);
  tcase_add_test(tc, test_revocation);
  tcase_add_test(tc, test_permission_lists);
  suite_add_tcase(s, tc);
  return s;
}

int main()
{
  return run_suite(join_token_suite());
}
