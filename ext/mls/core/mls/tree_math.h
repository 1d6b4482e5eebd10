// SPDX-License-Identifier: LGPL-2.1-or-later
// Array-based, left-balanced binary tree arithmetic (RFC 9420 appendix C).
// Nodes are numbered left to right: leaves even, parents odd; a tree of
// n_leaves leaves (a power of two in MLS trees) has 2 * n_leaves - 1 nodes.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace gste2ee::mls::tree {

// Level of a node: 0 for leaves, number of trailing 1 bits otherwise.
uint32_t level(uint32_t x);
uint32_t node_width(uint32_t n_leaves);
uint32_t root(uint32_t n_leaves);
// Children of a parent node; nullopt for a leaf.
std::optional<uint32_t> left(uint32_t x);
std::optional<uint32_t> right(uint32_t x);
// Parent and sibling; nullopt for the root (and out-of-tree nodes).
std::optional<uint32_t> parent(uint32_t x, uint32_t n_leaves);
std::optional<uint32_t> sibling(uint32_t x, uint32_t n_leaves);
// Parents from x's parent up to the root, and their siblings along the way.
std::vector<uint32_t> direct_path(uint32_t x, uint32_t n_leaves);
std::vector<uint32_t> copath(uint32_t x, uint32_t n_leaves);
// The lowest common ancestor of two nodes.
uint32_t common_ancestor(uint32_t x, uint32_t y);

inline uint32_t leaf_to_node(uint32_t leaf) { return 2 * leaf; }
inline uint32_t node_to_leaf(uint32_t node) { return node / 2; }

} // namespace gste2ee::mls::tree
