// SPDX-License-Identifier: LGPL-2.1-or-later
// tree-validation.json: the tree hash and resolution of every node, parent
// hashes valid, leaf signatures valid. tree-operations.json: an Add, Update
// or Remove proposal applied to a tree gives the expected tree and tree hash.
#include "mls-vectors.h"
#include "mls/ratchet_tree.h"

namespace mlsvec {

namespace m = gste2ee::mls;

namespace {

m::Result<m::RatchetTreeState> load_tree(const m::Bytes& encoded)
{
  auto nodes = m::wire::decode<m::RatchetTree>(encoded);
  if (!nodes)
    return nodes.failure();
  return m::RatchetTreeState::from_nodes(std::move(nodes).value());
}

} // namespace

std::string check_tree_validation(const testjson::Value& c)
{
  auto crypto = m::Crypto::for_suite(static_cast<uint16_t>(c["cipher_suite"].u64()));
  if (!crypto)
    return "suite not supported";
  auto t = load_tree(c["tree"].hex());
  if (!t)
    return std::string("tree refused: ") + t.message();
  const auto& hashes = c["tree_hashes"];
  const auto& resolutions = c["resolutions"];
  if (hashes.size() != t.value().width())
    return "tree width " + std::to_string(t.value().width()) + ", vector has " + std::to_string(hashes.size());
  std::string e;
  for (uint32_t x = 0; x < t.value().width(); x++) {
    auto h = t.value().tree_hash(crypto.value(), x);
    if (!h || !(e = mismatch("tree hash of node " + std::to_string(x), h.value(), hashes[x].hex())).empty())
      return h ? e : "tree hash failed";
    std::vector<uint32_t> want;
    for (const auto& r : resolutions[x].array())
      want.push_back(static_cast<uint32_t>(r.u64()));
    if (t.value().resolution(x) != want)
      return "resolution of node " + std::to_string(x);
  }
  auto ph = t.value().verify_parent_hashes(crypto.value());
  if (!ph)
    return std::string("parent hashes: ") + ph.message();
  auto leaves = t.value().verify_leaves(crypto.value(), c["group_id"].hex());
  if (!leaves)
    return std::string("leaves: ") + leaves.message();
  return "";
}

std::string check_tree_operations(const testjson::Value& c)
{
  auto crypto = m::Crypto::for_suite(static_cast<uint16_t>(c["cipher_suite"].u64()));
  if (!crypto)
    return "suite not supported";
  auto t = load_tree(c["tree_before"].hex());
  if (!t)
    return std::string("tree_before refused: ") + t.message();
  std::string e;
  auto before = t.value().tree_hash(crypto.value());
  if (!before || !(e = mismatch("tree_hash_before", before.value(), c["tree_hash_before"].hex())).empty())
    return before ? e : "tree hash failed";
  auto proposal = m::wire::decode<m::Proposal>(c["proposal"].hex());
  if (!proposal)
    return std::string("proposal refused: ") + proposal.message();
  const auto sender = static_cast<uint32_t>(c["proposal_sender"].u64());
  m::RatchetTreeState& tree = t.value();
  if (const auto* add = std::get_if<m::Add>(&proposal.value().body)) {
    if (!tree.add(add->key_package.leaf_node))
      return "add refused";
  } else if (const auto* up = std::get_if<m::Update>(&proposal.value().body)) {
    if (!tree.update(sender, up->leaf_node))
      return "update refused";
  } else if (const auto* rm = std::get_if<m::Remove>(&proposal.value().body)) {
    if (!tree.remove(rm->removed))
      return "remove refused";
  } else {
    return "not a tree operation";
  }
  auto encoded = m::wire::encode(tree.to_nodes());
  if (!encoded || !(e = mismatch("tree_after", encoded.value(), c["tree_after"].hex())).empty())
    return encoded ? e : "encode failed";
  auto after = tree.tree_hash(crypto.value());
  if (!after || !(e = mismatch("tree_hash_after", after.value(), c["tree_hash_after"].hex())).empty())
    return after ? e : "tree hash failed";
  return "";
}

} // namespace mlsvec
