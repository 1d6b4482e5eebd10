// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/treekem.h"

#include <algorithm>

#include "mls/tree_math.h"

namespace gste2ee::mls {

Result<hpke::KeyPair> node_key_pair(const Crypto& c, const SecretBytes& path_secret)
{
  auto node_secret = c.derive_secret(path_secret, "node");
  if (!node_secret)
    return node_secret.failure();
  return c.derive_key_pair(node_secret.value());
}

Result<SecretBytes> next_path_secret(const Crypto& c, const SecretBytes& path_secret)
{
  return c.derive_secret(path_secret, "path");
}

namespace {

bool in_subtree_of(uint32_t ancestor, uint32_t node)
{
  // A node lies below `ancestor` when their common ancestor is `ancestor`.
  return tree::common_ancestor(ancestor, node) == ancestor;
}

} // namespace

Result<DecryptedPath> decrypt_update_path(const Crypto& c, const RatchetTreeState& tree, uint32_t sender,
                                          const UpdatePath& path, uint32_t receiver,
                                          const std::map<uint32_t, SecretBytes>& private_keys,
                                          const Bytes& group_context, const std::set<uint32_t>& new_leaves)
{
  if (sender == receiver)
    return failed(Error::InvalidArgument, "the sender does not decrypt its own path");
  const auto filtered = tree.filtered_direct_path(sender);
  if (path.nodes.size() != filtered.size())
    return failed(Error::Malformed, "UpdatePath length differs from the filtered direct path");
  const uint32_t receiver_node = tree::leaf_to_node(receiver);
  // The first filtered node whose copath child holds the receiver.
  size_t i = 0;
  while (i < filtered.size() && !in_subtree_of(filtered[i].copath_child, receiver_node))
    i++;
  if (i == filtered.size())
    return failed(Error::InvalidArgument, "the receiver is not below the sender's path");
  std::vector<uint32_t> res;
  for (uint32_t y : tree.resolution(filtered[i].copath_child))
    if ((y & 1) || !new_leaves.count(tree::node_to_leaf(y)))  // parents, or leaves not new
      res.push_back(y);
  const auto& cts = path.nodes[i].encrypted_path_secret;
  if (cts.size() != res.size())
    return failed(Error::Malformed, "ciphertext count differs from the copath resolution");
  // The resolution node the receiver holds a private key for.
  size_t k = 0;
  while (k < res.size() && !private_keys.count(res[k]))
    k++;
  if (k == res.size())
    return failed(Error::InvalidKey, "no private key for any node of the copath resolution");
  auto secret = c.decrypt_with_label(private_keys.at(res[k]), "UpdatePathNode", group_context, cts[k].kem_output,
                                     cts[k].ciphertext);
  if (!secret)
    return secret.failure();

  DecryptedPath out;
  out.common_ancestor = filtered[i].node;
  out.path_secret = secret.value();
  SecretBytes current = std::move(secret).value();
  for (size_t j = i; j < filtered.size(); j++) {
    auto kp = node_key_pair(c, current);
    if (!kp)
      return kp.failure();
    if (kp.value().pub != path.nodes[j].encryption_key)
      return failed(Error::Malformed, "path secret does not give the announced node key");
    out.path_secrets.emplace(filtered[j].node, current);
    out.node_private_keys.emplace(filtered[j].node, std::move(kp.value().priv));
    auto next = next_path_secret(c, current);
    if (!next)
      return next.failure();
    current = std::move(next).value();
  }
  out.commit_secret = std::move(current);
  return out;
}

} // namespace gste2ee::mls
