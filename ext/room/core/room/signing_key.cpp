// SPDX-License-Identifier: LGPL-2.1-or-later
#include "room/signing_key.h"

#include "mls/primitives.h"
#include "room/base64url.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/crypto.h>
#include <openssl/obj_mac.h>

#include <memory>
#include <set>

namespace gste2ee::room {

namespace {

constexpr size_t kCoordinateSize = 32;  // Ed25519 keys, P-256 coordinates and scalars

struct EcdsaSigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
struct EcGroupFree {
  void operator()(EC_GROUP* g) const { EC_GROUP_free(g); }
};
struct EcPointFree {
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
};

mls::SigAlg mls_alg(JwsAlg alg)
{
  return alg == JwsAlg::EdDSA ? mls::SigAlg::Ed25519 : mls::SigAlg::EcdsaP256Sha256;
}

// Whether `point` is an uncompressed point on P-256 (not the identity).
bool p256_point_valid(const mls::Bytes& point)
{
  std::unique_ptr<EC_GROUP, EcGroupFree> group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  if (!group)
    return false;
  std::unique_ptr<EC_POINT, EcPointFree> p(EC_POINT_new(group.get()));
  return p && EC_POINT_oct2point(group.get(), p.get(), point.data(), point.size(), nullptr) == 1
      && EC_POINT_is_at_infinity(group.get(), p.get()) == 0;
}

// A required base64url member of exactly `size` bytes.
bool member_bytes(const json::Value& jwk, const char* name, size_t size, mls::Bytes* out, std::string* error)
{
  const json::Value* v = jwk.find(name);
  if (!v || !v->string()) {
    *error = std::string("JWK member \"") + name + "\" missing or not a string";
    return false;
  }
  auto bytes = base64url_decode(*v->string());
  if (!bytes || bytes->size() != size) {
    *error = std::string("JWK member \"") + name + "\" is not " + std::to_string(size) + " bytes of base64url";
    if (bytes)
      OPENSSL_cleanse(bytes->data(), bytes->size());  // may be a private key
    return false;
  }
  *out = std::move(*bytes);
  return true;
}

bool member_is(const json::Value& jwk, const char* name, const char* want, std::string* error)
{
  const json::Value* v = jwk.find(name);
  if (v && v->string() && *v->string() == want)
    return true;
  *error = std::string("JWK member \"") + name + "\" must be \"" + want + "\"";
  return false;
}

// The uncompressed point's coordinates.
mls::Bytes coordinate(const mls::Bytes& point, int index)
{
  const auto start = point.begin() + 1 + index * kCoordinateSize;
  return mls::Bytes(start, start + kCoordinateSize);
}

// ECDSA signatures: DER (what OpenSSL and the MLS core speak) <-> JWS's fixed
// R || S (RFC 7518 section 3.4).
std::optional<mls::Bytes> der_to_raw(const mls::Bytes& der)
{
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, long(der.size())));
  if (!sig)
    return std::nullopt;
  mls::Bytes raw(2 * kCoordinateSize);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), kCoordinateSize) != int(kCoordinateSize)
      || BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + kCoordinateSize, kCoordinateSize)
          != int(kCoordinateSize))
    return std::nullopt;
  return raw;
}

std::optional<mls::Bytes> raw_to_der(const mls::Bytes& raw)
{
  if (raw.size() != 2 * kCoordinateSize)
    return std::nullopt;
  BnPtr r(BN_bin2bn(raw.data(), kCoordinateSize, nullptr));
  BnPtr s(BN_bin2bn(raw.data() + kCoordinateSize, kCoordinateSize, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
    return std::nullopt;
  r.release();  // owned by sig now
  s.release();
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0)
    return std::nullopt;
  mls::Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  if (i2d_ECDSA_SIG(sig.get(), &p) != len)
    return std::nullopt;
  return der;
}

} // namespace

const char* jws_alg_name(JwsAlg alg)
{
  return alg == JwsAlg::EdDSA ? "EdDSA" : "ES256";
}

std::optional<JwsAlg> jws_alg_from_name(std::string_view name)
{
  if (name == "EdDSA")
    return JwsAlg::EdDSA;
  if (name == "ES256")
    return JwsAlg::ES256;
  return std::nullopt;
}

std::optional<SigningKey> generate_signing_key(JwsAlg alg, const std::string& kid)
{
  auto priv = mls::prim::generate_signature_key(mls_alg(alg));
  if (!priv)
    return std::nullopt;
  auto pub = mls::prim::signature_public_key(mls_alg(alg), priv.value());
  if (!pub)
    return std::nullopt;
  SigningKey key;
  key.kid = kid;
  key.alg = alg;
  key.public_key = pub.value();
  key.private_key = std::move(priv.value());
  return key;
}

bool parse_jwk(const json::Value& jwk, SigningKey* out, std::string* error)
{
  if (!jwk.is_object()) {
    *error = "a JWK must be a JSON object";
    return false;
  }
  const json::Value* kid = jwk.find("kid");
  if (!kid || !kid->string() || kid->string()->empty()) {
    *error = "JWK member \"kid\" missing or empty: each key needs its ID";
    return false;
  }
  const json::Value* alg_name = jwk.find("alg");
  const auto alg = alg_name && alg_name->string() ? jws_alg_from_name(*alg_name->string()) : std::nullopt;
  if (!alg) {
    *error = "JWK \"" + *kid->string() + "\": member \"alg\" must be \"EdDSA\" or \"ES256\"";
    return false;
  }
  SigningKey key;
  key.kid = *kid->string();
  key.alg = *alg;
  std::string why;
  if (*alg == JwsAlg::EdDSA) {
    if (!member_is(jwk, "kty", "OKP", &why) || !member_is(jwk, "crv", "Ed25519", &why)
        || !member_bytes(jwk, "x", kCoordinateSize, &key.public_key, &why)) {
      *error = "JWK \"" + key.kid + "\": " + why;
      return false;
    }
  } else {
    mls::Bytes x, y;
    if (!member_is(jwk, "kty", "EC", &why) || !member_is(jwk, "crv", "P-256", &why)
        || !member_bytes(jwk, "x", kCoordinateSize, &x, &why) || !member_bytes(jwk, "y", kCoordinateSize, &y, &why)) {
      *error = "JWK \"" + key.kid + "\": " + why;
      return false;
    }
    key.public_key.push_back(0x04);
    key.public_key.insert(key.public_key.end(), x.begin(), x.end());
    key.public_key.insert(key.public_key.end(), y.begin(), y.end());
    if (!p256_point_valid(key.public_key)) {
      *error = "JWK \"" + key.kid + "\": x, y is not a point of P-256";
      return false;
    }
  }
  if (jwk.find("d")) {
    mls::Bytes d;
    if (!member_bytes(jwk, "d", kCoordinateSize, &d, &why)) {
      *error = "JWK \"" + key.kid + "\": " + why;
      return false;
    }
    key.private_key = mls::SecretBytes(d);
    OPENSSL_cleanse(d.data(), d.size());
    auto pub = mls::prim::signature_public_key(mls_alg(key.alg), key.private_key);
    if (!pub || pub.value() != key.public_key) {
      *error = "JWK \"" + key.kid + "\": the private key \"d\" does not belong to the public key";
      return false;
    }
  }
  *out = std::move(key);
  return true;
}

bool parse_jwk_set(const std::string& text, std::vector<SigningKey>* out, std::string* error)
{
  json::Value doc;
  std::string why;
  if (!json::parse(text, &doc, &why, 8)) {
    *error = "not JSON: " + why;
    return false;
  }
  const json::Value* keys = doc.find("keys");
  if (!keys || !keys->array()) {
    *error = "a JWK set needs a \"keys\" array";
    return false;
  }
  std::vector<SigningKey> parsed;
  std::set<std::string> kids;
  for (const json::Value& jwk : *keys->array()) {
    SigningKey key;
    if (!parse_jwk(jwk, &key, error))
      return false;
    if (!kids.insert(key.kid).second) {
      *error = "kid \"" + key.kid + "\" appears twice";
      return false;
    }
    parsed.push_back(std::move(key));
  }
  *out = std::move(parsed);
  return true;
}

std::string to_jwk(const SigningKey& key, bool with_private)
{
  std::string out = "{\"kid\":" + json::quote(key.kid) + ",\"alg\":\"" + jws_alg_name(key.alg) + "\",";
  if (key.alg == JwsAlg::EdDSA) {
    out += "\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" + base64url_encode(key.public_key) + "\"";
  } else {
    out += "\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + base64url_encode(coordinate(key.public_key, 0))
        + "\",\"y\":\"" + base64url_encode(coordinate(key.public_key, 1)) + "\"";
  }
  if (with_private && key.can_sign())
    out += ",\"d\":\"" + base64url_encode(key.private_key.data(), key.private_key.size()) + "\"";
  return out + "}";
}

std::string to_jwk_set(const std::vector<SigningKey>& keys)
{
  std::string out = "{\"keys\":[";
  for (size_t i = 0; i < keys.size(); i++)
    out += (i ? ",\n  " : "\n  ") + to_jwk(keys[i], false);
  return out + "\n]}\n";
}

std::optional<mls::Bytes> jws_sign(const SigningKey& key, std::string_view signing_input)
{
  if (!key.can_sign())
    return std::nullopt;
  auto sig = mls::prim::sign(mls_alg(key.alg), key.private_key, mls::to_bytes(signing_input));
  if (!sig)
    return std::nullopt;
  if (key.alg == JwsAlg::EdDSA)
    return sig.value();
  return der_to_raw(sig.value());
}

bool jws_verify(const SigningKey& key, std::string_view signing_input, const mls::Bytes& signature)
{
  if (key.alg == JwsAlg::EdDSA)
    return signature.size() == 2 * kCoordinateSize
        && mls::prim::verify(mls::SigAlg::Ed25519, key.public_key, mls::to_bytes(signing_input), signature);
  const auto der = raw_to_der(signature);
  return der && mls::prim::verify(mls::SigAlg::EcdsaP256Sha256, key.public_key, mls::to_bytes(signing_input), *der);
}

} // namespace gste2ee::room
