// SPDX-License-Identifier: LGPL-2.1-or-later
// The ratchet tree (RFC 9420 section 7): nodes in array order over a full,
// power-of-two-wide tree; tree hashes (7.8), resolutions (4.1.1), parent
// hashes and their verification (7.9), leaf signatures (7.2), and the
// structural effects of Add, Update and Remove (12.1). Operations return
// errors and leave the tree untouched when refused.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "mls/messages.h"

namespace gste2ee::mls {

class TreeView;

class RatchetTreeState {
public:
  // From the ratchet_tree extension's node list (trailing blanks omitted,
  // 12.4.3.3): padded to the full width; refuses an even count or a blank last
  // node.
  static Result<RatchetTreeState> from_nodes(RatchetTree nodes);
  // The extension's form: full node list minus trailing blanks.
  RatchetTree to_nodes() const;

  uint32_t n_leaves() const { return n_leaves_; }
  uint32_t width() const { return static_cast<uint32_t>(nodes_.size()); }
  const Node* node(uint32_t x) const { return nodes_[x].get(); }  // null when blank
  const LeafNode* leaf(uint32_t leaf_index) const;
  const ParentNode* parent(uint32_t node_index) const;

  Result<Bytes> tree_hash(const Crypto& c) const;                 // of the root
  Result<Bytes> tree_hash(const Crypto& c, uint32_t node) const;  // of a subtree
  std::vector<uint32_t> resolution(uint32_t node) const;

  // ParentHash of parent node p with copath child s (7.9):
  // Hash(ParentHashInput { encryption_key; parent_hash<V>; original_sibling_tree_hash<V> }).
  Result<Bytes> parent_hash(const Crypto& c, uint32_t p, uint32_t s) const;
  // Every non-blank parent is parent-hash valid with respect to exactly one
  // descendant (7.9.2, checked top down).
  Result<void> verify_parent_hashes(const Crypto& c) const;
  // Every leaf's signature over its LeafNodeTBS (7.2), and no encryption or
  // signature key used twice (7.3 / 12.4.3.1).
  Result<void> verify_leaves(const Crypto& c, const Bytes& group_id) const;

  // 12.1.1: the leftmost blank leaf, or a new one (the tree doubles).
  Result<uint32_t> add(const LeafNode& leaf);
  // 12.1.2: replaces the leaf and blanks its direct path.
  Result<void> update(uint32_t leaf_index, const LeafNode& leaf);
  // 12.1.3: blanks the leaf and its direct path, then truncates.
  Result<void> remove(uint32_t leaf_index);

  // The sender's direct path without the nodes whose copath child has an
  // empty resolution (4.1.2), bottom up; each with that copath child.
  struct PathStep {
    uint32_t node;
    uint32_t copath_child;
  };
  std::vector<PathStep> filtered_direct_path(uint32_t leaf_index) const;
  // Merges a received or generated UpdatePath (7.5): new leaf, new parent
  // keys with freshly computed parent hashes on the filtered path, blanks on
  // the rest of the direct path. Refuses a path of the wrong length or a leaf
  // whose parent_hash does not match (7.9.2); then the tree is unchanged.
  Result<void> merge_update_path(const Crypto& c, uint32_t sender, const UpdatePath& path);
  // The parent_hash the sender's new leaf must carry for this path (7.9):
  // what merge_update_path checks, for the side that builds the path.
  Result<Bytes> leaf_parent_hash_for_path(const Crypto& c, uint32_t sender, const UpdatePath& path) const;

private:
  // The parent hashes a path gets when installed (7.9), leaf's first; checks
  // the path's length against the filtered direct path.
  Result<std::vector<Bytes>> path_parent_hashes(const Crypto& c, uint32_t sender, const UpdatePath& path) const;
  Result<Bytes> hash_subtree(const Crypto& c, uint32_t x, const std::set<uint32_t>& removed_leaves) const;
  // Forgets the cached tree hashes of x and of every node above it; called
  // for every node that changes.
  void invalidate_hashes(uint32_t x);
  void blank_direct_path(uint32_t leaf_index);
  void truncate();

  // Nodes are immutable and shared between copies: a Group is a value that
  // every commit copies, and copying a 1024-member tree node by node cost
  // more than processing the commit. A change replaces the node.
  std::vector<std::shared_ptr<const Node>> nodes_;
  uint32_t n_leaves_ = 0;
  // Tree hash of each subtree as it stands (empty: not computed). A commit
  // changes one direct path, so caching makes the tree hash and the parent
  // hashes cost O(log n) hashes instead of O(n) serializations of the whole
  // tree: what keeps commit processing in a 1024-member group within a few
  // milliseconds. A subtree's hash does not depend on the tree's width, so
  // growing or truncating only resizes this. Flat, hash_size_ bytes per
  // node, so that copying it is one memcpy.
  std::optional<Bytes> cached_hash(uint32_t x, size_t hash_size) const;
  void store_hash(uint32_t x, const Bytes& h) const;
  void resize_hash_cache();
  mutable size_t hash_size_ = 0;
  mutable std::vector<uint8_t> hash_cache_;
  mutable std::vector<uint8_t> hash_valid_;
};

// The LeafNodeTBS a leaf's signature covers (7.2): group binding for update
// and commit leaves.
Result<Bytes> leaf_node_tbs(const LeafNode& leaf, const Bytes& group_id, uint32_t leaf_index);

} // namespace gste2ee::mls
