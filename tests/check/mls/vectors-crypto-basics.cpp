// SPDX-License-Identifier: LGPL-2.1-or-later
// crypto-basics.json: RefHash, ExpandWithLabel, DeriveSecret,
// DeriveTreeSecret, SignWithLabel (verify the given signature, then sign and
// verify our own: ECDSA is randomised) and EncryptWithLabel (decrypt the
// given ciphertext, then encrypt and decrypt our own).
#include "mls-vectors.h"
#include "mls/crypto.h"

namespace mlsvec {

namespace m = gste2ee::mls;

std::string check_crypto_basics(const testjson::Value& c)
{
  auto crypto = m::Crypto::for_suite(static_cast<uint16_t>(c["cipher_suite"].u64()));
  if (!crypto)
    return "suite not supported";
  const m::Crypto& cr = crypto.value();
  std::string e;

  const auto& rh = c["ref_hash"];
  auto ref = cr.ref_hash(rh["label"].str(), rh["value"].hex());
  if (!ref || !(e = mismatch("ref_hash", ref.value(), rh["out"].hex())).empty())
    return ref ? e : "ref_hash failed";

  const auto& ewl = c["expand_with_label"];
  auto exp = cr.expand_with_label(m::SecretBytes(ewl["secret"].hex()), ewl["label"].str(), ewl["context"].hex(),
                                  ewl["length"].u64());
  if (!exp || !(e = mismatch("expand_with_label", exp.value().bytes(), ewl["out"].hex())).empty())
    return exp ? e : "expand_with_label failed";

  const auto& ds = c["derive_secret"];
  auto der = cr.derive_secret(m::SecretBytes(ds["secret"].hex()), ds["label"].str());
  if (!der || !(e = mismatch("derive_secret", der.value().bytes(), ds["out"].hex())).empty())
    return der ? e : "derive_secret failed";

  const auto& dts = c["derive_tree_secret"];
  auto tree = cr.derive_tree_secret(m::SecretBytes(dts["secret"].hex()), dts["label"].str(),
                                    static_cast<uint32_t>(dts["generation"].u64()), dts["length"].u64());
  if (!tree || !(e = mismatch("derive_tree_secret", tree.value().bytes(), dts["out"].hex())).empty())
    return tree ? e : "derive_tree_secret failed";

  const auto& swl = c["sign_with_label"];
  const m::SecretBytes sig_priv(swl["priv"].hex());
  const auto sig_pub = swl["pub"].hex();
  const auto content = swl["content"].hex();
  const std::string label = swl["label"].str();
  if (!cr.verify_with_label(sig_pub, label, content, swl["signature"].hex()))
    return "sign_with_label: the vector's signature does not verify";
  auto derived_pub = cr.signature_public_key(sig_priv);
  if (!derived_pub || !(e = mismatch("signature public key", derived_pub.value(), sig_pub)).empty())
    return derived_pub ? e : "signature public key failed";
  auto own = cr.sign_with_label(sig_priv, label, content);
  if (!own || !cr.verify_with_label(sig_pub, label, content, own.value()))
    return "sign_with_label: our signature does not verify";
  if (cr.verify_with_label(sig_pub, label + "x", content, own.value()))
    return "sign_with_label: verifies under another label";

  const auto& enc = c["encrypt_with_label"];
  const m::SecretBytes hpke_priv(enc["priv"].hex());
  const auto pt = enc["plaintext"].hex();
  auto opened = cr.decrypt_with_label(hpke_priv, enc["label"].str(), enc["context"].hex(), enc["kem_output"].hex(),
                                      enc["ciphertext"].hex());
  if (!opened)
    return std::string("decrypt_with_label refused the vector: ") + opened.message();
  if (!(e = mismatch("decrypt_with_label", opened.value().bytes(), pt)).empty())
    return e;
  auto sealed = cr.encrypt_with_label(enc["pub"].hex(), enc["label"].str(), enc["context"].hex(), pt);
  if (!sealed)
    return std::string("encrypt_with_label failed: ") + sealed.message();
  auto round = cr.decrypt_with_label(hpke_priv, enc["label"].str(), enc["context"].hex(), sealed.value().enc,
                                     sealed.value().ciphertext);
  if (!round || round.value().bytes() != pt)
    return "encrypt_with_label: our ciphertext does not decrypt";
  auto wrong_ctx = cr.decrypt_with_label(hpke_priv, enc["label"].str(), { 1, 2, 3 }, sealed.value().enc,
                                         sealed.value().ciphertext);
  if (wrong_ctx)
    return "decrypt_with_label: accepted another context";
  return "";
}

} // namespace mlsvec
