// SPDX-License-Identifier: LGPL-2.1-or-later
// secret-tree.json: sender-data key/nonce from a ciphertext sample, and the
// handshake and application keys/nonces of given generations for every leaf.
#include "mls-vectors.h"
#include "mls/secret_tree.h"

namespace mlsvec {

namespace m = gste2ee::mls;

std::string check_secret_tree(const testjson::Value& c)
{
  auto crypto = m::Crypto::for_suite(static_cast<uint16_t>(c["cipher_suite"].u64()));
  if (!crypto)
    return "suite not supported";
  const auto& sd = c["sender_data"];
  const m::SecretBytes sd_secret(sd["sender_data_secret"].hex());
  auto key = m::sender_data_key(crypto.value(), sd_secret, sd["ciphertext"].hex());
  auto nonce = m::sender_data_nonce(crypto.value(), sd_secret, sd["ciphertext"].hex());
  std::string err;
  if (!key || !nonce)
    return "sender data derivation failed";
  if (!(err = mismatch("sender_data key", key.value().bytes(), sd["key"].hex())).empty() ||
      !(err = mismatch("sender_data nonce", nonce.value(), sd["nonce"].hex())).empty())
    return err;

  const auto& leaves = c["leaves"];
  m::SecretTree tree(crypto.value(), m::SecretBytes(c["encryption_secret"].hex()),
                     static_cast<uint32_t>(leaves.size()));
  for (uint32_t leaf = 0; leaf < leaves.size(); leaf++) {
    for (const auto& g : leaves[leaf].array()) {
      const auto gen = static_cast<uint32_t>(g["generation"].u64());
      const std::string at = "leaf " + std::to_string(leaf) + " generation " + std::to_string(gen) + ": ";
      auto hs = tree.get(leaf, m::ContentKind::Handshake, gen);
      auto app = tree.get(leaf, m::ContentKind::Application, gen);
      if (!hs || !app)
        return at + "refused: " + (hs ? app.message() : hs.message());
      if (!(err = mismatch(at + "handshake_key", hs.value().key.bytes(), g["handshake_key"].hex())).empty() ||
          !(err = mismatch(at + "handshake_nonce", hs.value().nonce, g["handshake_nonce"].hex())).empty() ||
          !(err = mismatch(at + "application_key", app.value().key.bytes(), g["application_key"].hex())).empty() ||
          !(err = mismatch(at + "application_nonce", app.value().nonce, g["application_nonce"].hex())).empty())
        return err;
      // 9.2: a generation's key is consumed once used.
      if (tree.get(leaf, m::ContentKind::Application, gen))
        return at + "the same generation was handed out twice";
    }
  }
  return "";
}

} // namespace mlsvec
