// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/tree_math.h"

namespace gste2ee::mls::tree {

uint32_t level(uint32_t x)
{
  uint32_t k = 0;
  while ((x >> k) & 1)
    k++;
  return k;
}

uint32_t node_width(uint32_t n_leaves)
{
  return n_leaves == 0 ? 0 : 2 * (n_leaves - 1) + 1;
}

uint32_t root(uint32_t n_leaves)
{
  // The root of a left-balanced tree is the largest 2^k - 1 below the width.
  const uint32_t w = node_width(n_leaves);
  uint32_t r = 0;
  while (((r << 1) | 1) < w)
    r = (r << 1) | 1;
  return r;
}

std::optional<uint32_t> left(uint32_t x)
{
  const uint32_t k = level(x);
  if (k == 0)
    return std::nullopt;
  return x ^ (1u << (k - 1));
}

std::optional<uint32_t> right(uint32_t x)
{
  const uint32_t k = level(x);
  if (k == 0)
    return std::nullopt;
  return x ^ (3u << (k - 1));
}

std::optional<uint32_t> parent(uint32_t x, uint32_t n_leaves)
{
  if (x == root(n_leaves) || x >= node_width(n_leaves))
    return std::nullopt;
  const uint32_t k = level(x);
  const uint32_t b = (x >> (k + 1)) & 1;
  return (x | (1u << k)) ^ (b << (k + 1));
}

std::optional<uint32_t> sibling(uint32_t x, uint32_t n_leaves)
{
  auto p = parent(x, n_leaves);
  if (!p)
    return std::nullopt;
  return x < *p ? right(*p) : left(*p);
}

std::vector<uint32_t> direct_path(uint32_t x, uint32_t n_leaves)
{
  std::vector<uint32_t> path;
  for (auto p = parent(x, n_leaves); p; p = parent(*p, n_leaves))
    path.push_back(*p);
  return path;
}

std::vector<uint32_t> copath(uint32_t x, uint32_t n_leaves)
{
  std::vector<uint32_t> out;
  if (x == root(n_leaves))
    return out;
  std::vector<uint32_t> d = direct_path(x, n_leaves);
  d.insert(d.begin(), x);
  d.pop_back();  // the root has no sibling
  for (uint32_t y : d)
    out.push_back(*sibling(y, n_leaves));
  return out;
}

uint32_t common_ancestor(uint32_t x, uint32_t y)
{
  uint32_t lx = level(x) + 1, ly = level(y) + 1;
  if (lx <= ly && (x >> ly) == (y >> ly))
    return y;
  if (ly <= lx && (x >> lx) == (y >> lx))
    return x;
  uint32_t xn = x, yn = y, k = 0;
  while (xn != yn) {
    xn >>= 1;
    yn >>= 1;
    k++;
  }
  return (xn << k) + (1u << (k - 1)) - 1;
}

} // namespace gste2ee::mls::tree
