// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/hpke.h"

#include "mls/primitives.h"

#include <openssl/crypto.h>

namespace gste2ee::mls::hpke {

namespace {

void put16(Bytes& b, uint16_t v)
{
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}

void append(Bytes& b, const Bytes& more)
{
  b.insert(b.end(), more.begin(), more.end());
}

void append(Bytes& b, std::string_view s)
{
  b.insert(b.end(), s.begin(), s.end());
}

// suite_id of the KEM ("KEM" || kem_id) or of the whole scheme
// ("HPKE" || kem_id || kdf_id || aead_id), section 4.1 and 5.1.
Bytes kem_suite_id(const SuiteInfo& s)
{
  Bytes id = to_bytes("KEM");
  put16(id, s.kem_id);
  return id;
}

Bytes hpke_suite_id(const SuiteInfo& s)
{
  Bytes id = to_bytes("HPKE");
  put16(id, s.kem_id);
  put16(id, s.kdf_id);
  put16(id, s.aead_id);
  return id;
}

// LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" || suite_id || label || ikm)
Result<SecretBytes> labeled_extract(HashAlg h, const Bytes& suite_id, const SecretBytes& salt, std::string_view label,
                                    const SecretBytes& ikm)
{
  Bytes labeled = to_bytes("HPKE-v1");
  append(labeled, suite_id);
  append(labeled, label);
  append(labeled, ikm.bytes());
  SecretBytes in(labeled);
  OPENSSL_cleanse(labeled.data(), labeled.size());  // it held ikm, often a secret
  return prim::hkdf_extract(h, salt, in);
}

// LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L)
Result<SecretBytes> labeled_expand(HashAlg h, const Bytes& suite_id, const SecretBytes& prk, std::string_view label,
                                   const Bytes& info, size_t length)
{
  Bytes labeled;
  put16(labeled, static_cast<uint16_t>(length));
  append(labeled, "HPKE-v1");
  append(labeled, suite_id);
  append(labeled, label);
  append(labeled, info);
  return prim::hkdf_expand(h, prk, labeled, length);
}

// ExtractAndExpand(dh, kem_context), section 4.1.
Result<SecretBytes> shared_secret(const SuiteInfo& s, const SecretBytes& dh, const Bytes& kem_context)
{
  const KemInfo& k = kem_info(s.kem);
  const Bytes sid = kem_suite_id(s);
  auto prk = labeled_extract(k.hash, sid, SecretBytes(), "eae_prk", dh);
  if (!prk)
    return prk.failure();
  return labeled_expand(k.hash, sid, prk.value(), "shared_secret", kem_context, k.secret_size);
}

struct Context {
  SecretBytes key;
  Bytes nonce;  // base_nonce; sequence number 0 for single-shot use
  SecretBytes exporter_secret;
};

// KeySchedule for mode_base (section 5.1): psk and psk_id empty.
Result<Context> key_schedule(const SuiteInfo& s, const SecretBytes& shared, const Bytes& info)
{
  const Bytes sid = hpke_suite_id(s);
  auto psk_id_hash = labeled_extract(s.hash, sid, SecretBytes(), "psk_id_hash", SecretBytes());
  auto info_hash = labeled_extract(s.hash, sid, SecretBytes(), "info_hash", SecretBytes(info));
  if (!psk_id_hash || !info_hash)
    return failed(Error::CryptoFailure, "HPKE key schedule failed");
  Bytes ks_context{ 0x00 };  // mode_base
  append(ks_context, psk_id_hash.value().bytes());
  append(ks_context, info_hash.value().bytes());
  auto secret = labeled_extract(s.hash, sid, shared, "secret", SecretBytes());
  if (!secret)
    return secret.failure();
  auto key = labeled_expand(s.hash, sid, secret.value(), "key", ks_context, s.key_size);
  auto nonce = labeled_expand(s.hash, sid, secret.value(), "base_nonce", ks_context, s.nonce_size);
  auto exp = labeled_expand(s.hash, sid, secret.value(), "exp", ks_context, hash_size(s.hash));
  if (!key || !nonce || !exp)
    return failed(Error::CryptoFailure, "HPKE key schedule failed");
  return Context{ std::move(key).value(), nonce.value().bytes(), std::move(exp).value() };
}

} // namespace

Result<KeyPair> derive_key_pair(const SuiteInfo& suite, const SecretBytes& ikm)
{
  const KemInfo& k = kem_info(suite.kem);
  const Bytes sid = kem_suite_id(suite);
  auto dkp_prk = labeled_extract(k.hash, sid, SecretBytes(), "dkp_prk", ikm);
  if (!dkp_prk)
    return dkp_prk.failure();
  SecretBytes sk;
  if (suite.kem == KemAlg::X25519 || suite.kem == KemAlg::X448) {
    auto r = labeled_expand(k.hash, sid, dkp_prk.value(), "sk", {}, k.priv_size);
    if (!r)
      return r.failure();
    sk = std::move(r).value();
  } else {
    // Section 7.1.3: rejection sampling over candidates, the top bits of the
    // first byte masked for P-521.
    const uint8_t mask = suite.kem == KemAlg::P521 ? 0x01 : 0xff;
    for (unsigned counter = 0;; counter++) {
      if (counter > 255)
        return failed(Error::CryptoFailure, "DeriveKeyPair found no key");
      auto r = labeled_expand(k.hash, sid, dkp_prk.value(), "candidate", Bytes{ static_cast<uint8_t>(counter) },
                              k.priv_size);
      if (!r)
        return r.failure();
      r.value().data()[0] &= mask;
      if (prim::nist_scalar_in_range(suite.kem, r.value().bytes())) {
        sk = std::move(r).value();
        break;
      }
    }
  }
  auto pk = prim::kem_public_key(suite.kem, sk);
  if (!pk)
    return pk.failure();
  return KeyPair{ std::move(sk), std::move(pk).value() };
}

Result<KeyPair> generate_key_pair(const SuiteInfo& suite)
{
  auto ikm = prim::random_bytes(kem_info(suite.kem).priv_size);
  if (!ikm)
    return ikm.failure();
  return derive_key_pair(suite, SecretBytes(ikm.value()));
}

Result<Sealed> seal_base_with_ikm(const SuiteInfo& suite, const Bytes& pk_r, const Bytes& info, const Bytes& aad,
                                  const Bytes& pt, const SecretBytes& ikm_e)
{
  auto eph = derive_key_pair(suite, ikm_e);
  if (!eph)
    return eph.failure();
  auto dh = prim::dh(suite.kem, eph.value().priv, pk_r);
  if (!dh)
    return dh.failure();
  Bytes kem_context = eph.value().pub;
  append(kem_context, pk_r);
  auto shared = shared_secret(suite, dh.value(), kem_context);
  if (!shared)
    return shared.failure();
  auto ctx = key_schedule(suite, shared.value(), info);
  if (!ctx)
    return ctx.failure();
  auto ct = prim::seal(suite.aead, ctx.value().key, ctx.value().nonce, aad, pt);
  if (!ct)
    return ct.failure();
  return Sealed{ eph.value().pub, std::move(ct).value() };
}

Result<Sealed> seal_base(const SuiteInfo& suite, const Bytes& pk_r, const Bytes& info, const Bytes& aad,
                         const Bytes& pt)
{
  auto ikm = prim::random_bytes(kem_info(suite.kem).priv_size);
  if (!ikm)
    return ikm.failure();
  return seal_base_with_ikm(suite, pk_r, info, aad, pt, SecretBytes(ikm.value()));
}

namespace {

Result<Context> setup_receiver(const SuiteInfo& suite, const Bytes& enc, const SecretBytes& sk_r, const Bytes& info)
{
  auto dh = prim::dh(suite.kem, sk_r, enc);
  if (!dh)
    return dh.failure();
  auto pk_r = prim::kem_public_key(suite.kem, sk_r);
  if (!pk_r)
    return pk_r.failure();
  Bytes kem_context = enc;
  append(kem_context, pk_r.value());
  auto shared = shared_secret(suite, dh.value(), kem_context);
  if (!shared)
    return shared.failure();
  return key_schedule(suite, shared.value(), info);
}

} // namespace

Result<SecretBytes> receiver_export(const SuiteInfo& suite, const Bytes& enc, const SecretBytes& sk_r,
                                    const Bytes& info, const Bytes& exporter_context, size_t length)
{
  auto ctx = setup_receiver(suite, enc, sk_r, info);
  if (!ctx)
    return ctx.failure();
  return labeled_expand(suite.hash, hpke_suite_id(suite), ctx.value().exporter_secret, "sec", exporter_context,
                        length);
}

Result<SecretBytes> open_base(const SuiteInfo& suite, const Bytes& enc, const SecretBytes& sk_r, const Bytes& info,
                              const Bytes& aad, const Bytes& ct)
{
  auto ctx = setup_receiver(suite, enc, sk_r, info);
  if (!ctx)
    return ctx.failure();
  return prim::open(suite.aead, ctx.value().key, ctx.value().nonce, aad, ct);
}

} // namespace gste2ee::mls::hpke
