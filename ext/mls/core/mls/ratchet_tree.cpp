// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/ratchet_tree.h"

#include <algorithm>

#include "mls/tree_math.h"

namespace gste2ee::mls {

using wire::read;
using wire::write;

namespace {

bool is_leaf_node(uint32_t x)
{
  return (x & 1) == 0;
}

uint32_t subtree_first_leaf(uint32_t x)
{
  const uint32_t k = tree::level(x);
  return (x - ((1u << k) - 1)) / 2;
}

uint32_t subtree_leaf_count(uint32_t x)
{
  return 1u << tree::level(x);
}

bool in_subtree(uint32_t x, uint32_t leaf)
{
  return leaf >= subtree_first_leaf(x) && leaf < subtree_first_leaf(x) + subtree_leaf_count(x);
}

bool subtree_holds_any(uint32_t x, const std::set<uint32_t>& leaves)
{
  auto it = leaves.lower_bound(subtree_first_leaf(x));
  return it != leaves.end() && in_subtree(x, *it);
}

} // namespace

Result<RatchetTreeState> RatchetTreeState::from_nodes(RatchetTree nodes)
{
  if (nodes.empty() || nodes.size() % 2 == 0)
    return failed(Error::Malformed, "ratchet tree must have an odd number of nodes");
  if (!nodes.back())
    return failed(Error::Malformed, "ratchet tree ends with a blank node");
  if (nodes.size() > (size_t{ 1 } << 31))
    return failed(Error::TooLarge, "ratchet tree too large");
  RatchetTreeState t;
  uint32_t leaves = 1;
  while (tree::node_width(leaves) < nodes.size())
    leaves *= 2;
  t.n_leaves_ = leaves;
  nodes.resize(tree::node_width(leaves));
  for (uint32_t x = 0; x < nodes.size(); x++) {
    if (!nodes[x])
      continue;
    const bool leaf_kind = std::holds_alternative<LeafNode>(nodes[x]->node);
    if (leaf_kind != is_leaf_node(x))
      return failed(Error::Malformed, "node kind does not match its position");
    if (!leaf_kind) {
      // Unmerged leaves must lie below the parent (7.1).
      for (uint32_t u : std::get<ParentNode>(nodes[x]->node).unmerged_leaves)
        if (!in_subtree(x, u))
          return failed(Error::Malformed, "unmerged leaf outside its parent's subtree");
    }
  }
  t.nodes_.reserve(nodes.size());
  for (auto& n : nodes)
    t.nodes_.push_back(n ? std::make_shared<const Node>(std::move(*n)) : nullptr);
  t.resize_hash_cache();
  return t;
}

RatchetTree RatchetTreeState::to_nodes() const
{
  RatchetTree out;
  out.reserve(nodes_.size());
  for (const auto& n : nodes_)
    out.push_back(n ? std::optional<Node>(*n) : std::nullopt);
  while (!out.empty() && !out.back())
    out.pop_back();
  return out;
}

const LeafNode* RatchetTreeState::leaf(uint32_t leaf_index) const
{
  const uint32_t x = tree::leaf_to_node(leaf_index);
  if (x >= nodes_.size() || !nodes_[x])
    return nullptr;
  return std::get_if<LeafNode>(&nodes_[x]->node);
}

const ParentNode* RatchetTreeState::parent(uint32_t node_index) const
{
  if (node_index >= nodes_.size() || !nodes_[node_index])
    return nullptr;
  return std::get_if<ParentNode>(&nodes_[node_index]->node);
}

std::vector<uint32_t> RatchetTreeState::resolution(uint32_t x) const
{
  if (nodes_[x]) {
    std::vector<uint32_t> out{ x };
    if (const ParentNode* p = parent(x))
      for (uint32_t u : p->unmerged_leaves)
        out.push_back(tree::leaf_to_node(u));
    return out;
  }
  if (is_leaf_node(x))
    return {};
  auto l = resolution(*tree::left(x));
  auto r = resolution(*tree::right(x));
  l.insert(l.end(), r.begin(), r.end());
  return l;
}

// TreeHashInput (7.8), with the leaves in `removed` blanked and dropped from
// every unmerged_leaves list (the "original" tree of 7.9).
Result<Bytes> RatchetTreeState::hash_subtree(const Crypto& c, uint32_t x, const std::set<uint32_t>& removed) const
{
  // The cache holds hashes of the tree as it stands: only usable where no
  // leaf is treated as removed.
  const bool cacheable = !subtree_holds_any(x, removed);
  if (cacheable)
    if (auto h = cached_hash(x, c.hash_size()))
      return std::move(*h);
  Writer w;
  if (is_leaf_node(x)) {
    const uint32_t leaf_index = tree::node_to_leaf(x);
    w.u8(1);
    w.u32(leaf_index);
    const LeafNode* l = removed.count(leaf_index) ? nullptr : leaf(leaf_index);
    w.u8(l ? 1 : 0);
    if (l && !write(w, *l))
      return wire::too_large();
  } else {
    auto left = hash_subtree(c, *tree::left(x), removed);
    auto right = hash_subtree(c, *tree::right(x), removed);
    if (!left || !right)
      return failed(Error::CryptoFailure, "tree hash failed");
    w.u8(2);
    const ParentNode* p = parent(x);
    w.u8(p ? 1 : 0);
    if (p) {
      ParentNode copy = *p;
      copy.unmerged_leaves.erase(std::remove_if(copy.unmerged_leaves.begin(), copy.unmerged_leaves.end(),
                                                [&removed](uint32_t u) { return removed.count(u) > 0; }),
                                 copy.unmerged_leaves.end());
      if (!write(w, copy))
        return wire::too_large();
    }
    if (!w.opaque(left.value()) || !w.opaque(right.value()))
      return wire::too_large();
  }
  auto h = c.hash(w.bytes());
  if (h && cacheable)
    store_hash(x, h.value());
  return h;
}

Result<Bytes> RatchetTreeState::tree_hash(const Crypto& c, uint32_t node) const
{
  return hash_subtree(c, node, {});
}

Result<Bytes> RatchetTreeState::tree_hash(const Crypto& c) const
{
  return hash_subtree(c, tree::root(n_leaves_), {});
}

Result<Bytes> RatchetTreeState::parent_hash(const Crypto& c, uint32_t p, uint32_t s) const
{
  const ParentNode* pn = parent(p);
  if (!pn)
    return failed(Error::InvalidArgument, "parent hash of a blank node");
  const std::set<uint32_t> removed(pn->unmerged_leaves.begin(), pn->unmerged_leaves.end());
  auto sibling_hash = hash_subtree(c, s, removed);
  if (!sibling_hash)
    return sibling_hash.failure();
  Writer w;
  if (!w.opaque(pn->encryption_key) || !w.opaque(pn->parent_hash) || !w.opaque(sibling_hash.value()))
    return wire::too_large();
  return c.hash(w.bytes());
}

Result<void> RatchetTreeState::verify_parent_hashes(const Crypto& c) const
{
  for (uint32_t p = 1; p < nodes_.size(); p += 2) {
    const ParentNode* pn = parent(p);
    if (!pn)
      continue;
    int valid_descendants = 0;
    for (uint32_t child : { *tree::left(p), *tree::right(p) }) {
      const uint32_t s = child == *tree::left(p) ? *tree::right(p) : *tree::left(p);
      auto expected = parent_hash(c, p, s);
      if (!expected)
        return expected.failure();
      // The unmerged leaves of P below C, as node indices.
      std::set<uint32_t> unmerged_below;
      for (uint32_t u : pn->unmerged_leaves)
        if (in_subtree(child, u))
          unmerged_below.insert(tree::leaf_to_node(u));
      for (uint32_t d : resolution(child)) {
        const Bytes* d_parent_hash = nullptr;
        if (const ParentNode* dp = parent(d))
          d_parent_hash = &dp->parent_hash;
        else if (const LeafNode* dl = leaf(tree::node_to_leaf(d)); dl && dl->source == LeafNode::kCommit)
          d_parent_hash = &dl->parent_hash;
        if (!d_parent_hash || *d_parent_hash != expected.value())
          continue;
        // Resolution of C without D must be exactly P's unmerged leaves under C.
        std::set<uint32_t> rest;
        for (uint32_t y : resolution(child))
          if (y != d)
            rest.insert(y);
        if (rest == unmerged_below)
          valid_descendants++;
      }
    }
    if (valid_descendants != 1)
      return failed(Error::Malformed, "a parent node is not parent-hash valid");
  }
  return {};
}

Result<Bytes> leaf_node_tbs(const LeafNode& leaf, const Bytes& group_id, uint32_t leaf_index)
{
  Writer w;
  if (!write_leaf_node_content(w, leaf))
    return wire::too_large();
  if (leaf.source == LeafNode::kUpdate || leaf.source == LeafNode::kCommit) {
    if (!w.opaque(group_id))
      return wire::too_large();
    w.u32(leaf_index);
  }
  return w.take();
}

Result<void> RatchetTreeState::verify_leaves(const Crypto& c, const Bytes& group_id) const
{
  std::set<Bytes> encryption_keys, signature_keys;
  for (uint32_t i = 0; i < n_leaves_; i++) {
    const LeafNode* l = leaf(i);
    if (!l)
      continue;
    auto tbs = leaf_node_tbs(*l, group_id, i);
    if (!tbs)
      return tbs.failure();
    if (!c.verify_with_label(l->signature_key, "LeafNodeTBS", tbs.value(), l->signature))
      return failed(Error::BadSignature, "a leaf node's signature does not verify");
    if (!signature_keys.insert(l->signature_key).second)
      return failed(Error::Malformed, "two leaves share a signature key");
    if (!encryption_keys.insert(l->encryption_key).second)
      return failed(Error::Malformed, "two nodes share an encryption key");
  }
  for (uint32_t p = 1; p < nodes_.size(); p += 2)
    if (const ParentNode* pn = parent(p); pn && !encryption_keys.insert(pn->encryption_key).second)
      return failed(Error::Malformed, "two nodes share an encryption key");
  return {};
}

void RatchetTreeState::invalidate_hashes(uint32_t x)
{
  for (std::optional<uint32_t> y = x; y; y = tree::parent(*y, n_leaves_))
    hash_valid_[*y] = 0;
}

std::optional<Bytes> RatchetTreeState::cached_hash(uint32_t x, size_t hash_size) const
{
  if (hash_size != hash_size_ || !hash_valid_[x])
    return std::nullopt;
  const auto first = hash_cache_.begin() + static_cast<ptrdiff_t>(x * hash_size_);
  return Bytes(first, first + static_cast<ptrdiff_t>(hash_size_));
}

void RatchetTreeState::store_hash(uint32_t x, const Bytes& h) const
{
  if (h.size() != hash_size_) {  // first use, or another suite's hash
    hash_size_ = h.size();
    std::fill(hash_valid_.begin(), hash_valid_.end(), 0);
    hash_cache_.assign(nodes_.size() * hash_size_, 0);
  }
  std::copy(h.begin(), h.end(), hash_cache_.begin() + static_cast<ptrdiff_t>(x * hash_size_));
  hash_valid_[x] = 1;
}

void RatchetTreeState::resize_hash_cache()
{
  hash_valid_.resize(nodes_.size(), 0);
  hash_cache_.resize(nodes_.size() * hash_size_, 0);
}

void RatchetTreeState::blank_direct_path(uint32_t leaf_index)
{
  for (uint32_t x : tree::direct_path(tree::leaf_to_node(leaf_index), n_leaves_))
    nodes_[x].reset();
  invalidate_hashes(tree::leaf_to_node(leaf_index));
}

void RatchetTreeState::truncate()
{
  // 12.1.3: while the right half holds no leaf, drop it.
  while (n_leaves_ > 1) {
    bool right_has_leaf = false;
    for (uint32_t i = n_leaves_ / 2; i < n_leaves_ && !right_has_leaf; i++)
      right_has_leaf = leaf(i) != nullptr;
    if (right_has_leaf)
      break;
    n_leaves_ /= 2;
    nodes_.resize(tree::node_width(n_leaves_));
    resize_hash_cache();
  }
}

Result<uint32_t> RatchetTreeState::add(const LeafNode& new_leaf)
{
  uint32_t index = 0;
  while (index < n_leaves_ && leaf(index))
    index++;
  if (index == n_leaves_) {
    if (n_leaves_ >= (1u << 30))
      return failed(Error::TooLarge, "tree full");
    n_leaves_ = n_leaves_ == 0 ? 1 : n_leaves_ * 2;
    nodes_.resize(tree::node_width(n_leaves_));
    resize_hash_cache();
  }
  nodes_[tree::leaf_to_node(index)] = std::make_shared<const Node>(Node{ new_leaf });
  for (uint32_t x : tree::direct_path(tree::leaf_to_node(index), n_leaves_))
    if (nodes_[x]) {
      auto changed = std::make_shared<Node>(*nodes_[x]);
      std::get<ParentNode>(changed->node).unmerged_leaves.push_back(index);
      nodes_[x] = std::move(changed);
    }
  invalidate_hashes(tree::leaf_to_node(index));
  return index;
}

Result<void> RatchetTreeState::update(uint32_t leaf_index, const LeafNode& new_leaf)
{
  if (!leaf(leaf_index))
    return failed(Error::InvalidArgument, "update of a blank or absent leaf");
  nodes_[tree::leaf_to_node(leaf_index)] = std::make_shared<const Node>(Node{ new_leaf });
  blank_direct_path(leaf_index);
  return {};
}

Result<void> RatchetTreeState::remove(uint32_t leaf_index)
{
  if (!leaf(leaf_index))
    return failed(Error::InvalidArgument, "removal of a blank or absent leaf");
  nodes_[tree::leaf_to_node(leaf_index)].reset();
  blank_direct_path(leaf_index);  // invalidates the leaf's hash too
  truncate();
  return {};
}

std::vector<RatchetTreeState::PathStep> RatchetTreeState::filtered_direct_path(uint32_t leaf_index) const
{
  std::vector<PathStep> out;
  const uint32_t x = tree::leaf_to_node(leaf_index);
  const auto path = tree::direct_path(x, n_leaves_);
  const auto copath = tree::copath(x, n_leaves_);
  for (size_t i = 0; i < path.size(); i++)
    if (!resolution(copath[i]).empty())
      out.push_back({ path[i], copath[i] });
  return out;
}

Result<std::vector<Bytes>> RatchetTreeState::path_parent_hashes(const Crypto& c, uint32_t sender,
                                                               const UpdatePath& path) const
{
  if (!leaf(sender))
    return failed(Error::InvalidArgument, "UpdatePath from a blank leaf");
  const auto filtered = filtered_direct_path(sender);
  if (path.nodes.size() != filtered.size())
    return failed(Error::Malformed, "UpdatePath length differs from the filtered direct path");
  // out[i] is the parent hash of filtered node i, which the node below it
  // carries: out[0] goes into the leaf, out[i + 1] into filtered node i, and
  // out[n] (empty) into the topmost. Computed top down. A new node has no
  // unmerged leaves, so its original sibling tree hash is the copath
  // subtree's hash as it stands; the path does not reach into copath
  // subtrees, so nothing needs to be installed to compute this.
  std::vector<Bytes> out(filtered.size() + 1);
  for (size_t i = filtered.size(); i-- > 0;) {
    auto sibling_hash = hash_subtree(c, filtered[i].copath_child, {});
    if (!sibling_hash)
      return sibling_hash.failure();
    Writer w;
    if (!w.opaque(path.nodes[i].encryption_key) || !w.opaque(out[i + 1]) || !w.opaque(sibling_hash.value()))
      return wire::too_large();
    auto h = c.hash(w.bytes());
    if (!h)
      return h.failure();
    out[i] = std::move(h).value();
  }
  return out;
}

Result<Bytes> RatchetTreeState::leaf_parent_hash_for_path(const Crypto& c, uint32_t sender,
                                                          const UpdatePath& path) const
{
  auto hashes = path_parent_hashes(c, sender, path);
  if (!hashes)
    return hashes.failure();
  return hashes.value().front();
}

Result<void> RatchetTreeState::merge_update_path(const Crypto& c, uint32_t sender, const UpdatePath& path)
{
  if (path.leaf_node.source != LeafNode::kCommit)
    return failed(Error::Malformed, "UpdatePath leaf is not a commit leaf");
  // Everything is checked before the first change: all-or-nothing without
  // copying the tree.
  auto hashes = path_parent_hashes(c, sender, path);
  if (!hashes)
    return hashes.failure();
  if (path.leaf_node.parent_hash != hashes.value().front())
    return failed(Error::Malformed, "UpdatePath leaf's parent_hash does not match the path");
  const auto filtered = filtered_direct_path(sender);
  blank_direct_path(sender);
  for (size_t i = 0; i < filtered.size(); i++)
    nodes_[filtered[i].node] = std::make_shared<const Node>(
        Node{ ParentNode{ path.nodes[i].encryption_key, hashes.value()[i + 1], {} } });
  nodes_[tree::leaf_to_node(sender)] = std::make_shared<const Node>(Node{ path.leaf_node });
  invalidate_hashes(tree::leaf_to_node(sender));
  return {};
}

} // namespace gste2ee::mls
