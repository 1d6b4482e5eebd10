// SPDX-License-Identifier: LGPL-2.1-or-later
// treekem.json: the private keys each member holds match the tree; each
// UpdatePath, processed by every other member, yields the expected path
// secret and commit secret, and merging it gives the expected tree hash and
// a parent-hash-valid tree.
#include "mls-vectors.h"
#include "mls/tree_math.h"
#include "mls/primitives.h"
#include "mls/treekem.h"

namespace mlsvec {

namespace m = gste2ee::mls;

std::string check_treekem(const testjson::Value& c)
{
  const auto suite = static_cast<uint16_t>(c["cipher_suite"].u64());
  auto crypto = m::Crypto::for_suite(suite);
  if (!crypto)
    return "suite not supported";
  const m::Crypto& cr = crypto.value();
  auto nodes = m::wire::decode<m::RatchetTree>(c["ratchet_tree"].hex());
  if (!nodes)
    return std::string("ratchet_tree refused: ") + nodes.message();
  auto tree = m::RatchetTreeState::from_nodes(nodes.value());
  if (!tree)
    return std::string("ratchet_tree refused: ") + tree.message();

  // Private keys per member, checked against the tree's public keys.
  std::map<uint32_t, std::map<uint32_t, m::SecretBytes>> keys;
  for (const auto& lp : c["leaves_private"].array()) {
    const auto index = static_cast<uint32_t>(lp["index"].u64());
    auto& mine = keys[index];
    m::SecretBytes leaf_priv(lp["encryption_priv"].hex());
    auto pub = m::prim::kem_public_key(cr.suite().kem, leaf_priv);
    const m::LeafNode* leaf = tree.value().leaf(index);
    if (!pub || !leaf || pub.value() != leaf->encryption_key)
      return "leaf " + std::to_string(index) + ": encryption_priv does not match the tree";
    mine.emplace(m::tree::leaf_to_node(index), std::move(leaf_priv));
    for (const auto& ps : lp["path_secrets"].array()) {
      const auto node = static_cast<uint32_t>(ps["node"].u64());
      auto kp = m::node_key_pair(cr, m::SecretBytes(ps["path_secret"].hex()));
      const m::ParentNode* pn = tree.value().parent(node);
      if (!kp || !pn || kp.value().pub != pn->encryption_key)
        return "leaf " + std::to_string(index) + ": path secret of node " + std::to_string(node) +
               " does not match the tree";
      mine.emplace(node, std::move(kp.value().priv));
    }
  }

  for (const auto& up : c["update_paths"].array()) {
    const auto sender = static_cast<uint32_t>(up["sender"].u64());
    const std::string at = "path from " + std::to_string(sender) + ": ";
    auto path = m::wire::decode<m::UpdatePath>(up["update_path"].hex());
    if (!path)
      return at + "UpdatePath refused: " + path.message();
    m::GroupContext gc;
    gc.cipher_suite = suite;
    gc.group_id = c["group_id"].hex();
    gc.epoch = c["epoch"].u64();
    gc.tree_hash = up["tree_hash_after"].hex();
    gc.confirmed_transcript_hash = c["confirmed_transcript_hash"].hex();
    const m::Bytes context = gc.encode().value();
    std::string e;
    for (const auto& [receiver, mine] : keys) {
      if (receiver == sender)
        continue;
      auto got = m::decrypt_update_path(cr, tree.value(), sender, path.value(), receiver, mine, context);
      if (!got)
        return at + "receiver " + std::to_string(receiver) + " refused: " + got.message();
      const auto& want = up["path_secrets"][receiver];
      if (!want.is_null() &&
          !(e = mismatch(at + "path secret of " + std::to_string(receiver), got.value().path_secret.bytes(),
                         want.hex()))
             .empty())
        return e;
      if (!(e = mismatch(at + "commit secret", got.value().commit_secret.bytes(), up["commit_secret"].hex())).empty())
        return e;
    }
    m::RatchetTreeState merged = tree.value();
    auto r = merged.merge_update_path(cr, sender, path.value());
    if (!r)
      return at + "merge refused: " + r.message();
    auto h = merged.tree_hash(cr);
    if (!h || !(e = mismatch(at + "tree_hash_after", h.value(), up["tree_hash_after"].hex())).empty())
      return h ? e : "tree hash failed";
    auto ph = merged.verify_parent_hashes(cr);
    if (!ph)
      return at + "merged tree: " + ph.message();
  }
  return "";
}

} // namespace mlsvec
