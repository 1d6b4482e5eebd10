// SPDX-License-Identifier: LGPL-2.1-or-later
// tree-math.json: root, and left/right/parent/sibling of every node (null
// where the RFC's functions have no value).
#include "mls-vectors.h"
#include "mls/tree_math.h"

namespace mlsvec {

namespace {

std::string compare(const char* what, uint32_t node, std::optional<uint32_t> got, const testjson::Value& want)
{
  const bool want_null = want.is_null();
  if (want_null != !got.has_value() || (got && *got != want.u64()))
    return std::string(what) + "(" + std::to_string(node) + ") = " + (got ? std::to_string(*got) : "null") +
           ", want " + (want_null ? "null" : std::to_string(want.u64()));
  return "";
}

} // namespace

std::string check_tree_math(const testjson::Value& c)
{
  namespace t = gste2ee::mls::tree;
  const auto n_leaves = static_cast<uint32_t>(c["n_leaves"].u64());
  if (t::node_width(n_leaves) != c["n_nodes"].u64())
    return "node_width";
  if (t::root(n_leaves) != c["root"].u64())
    return "root = " + std::to_string(t::root(n_leaves));
  for (uint32_t x = 0; x < c["n_nodes"].u64(); x++) {
    std::string e;
    if (!(e = compare("left", x, t::left(x), c["left"][x])).empty() ||
        !(e = compare("right", x, t::right(x), c["right"][x])).empty() ||
        !(e = compare("parent", x, t::parent(x, n_leaves), c["parent"][x])).empty() ||
        !(e = compare("sibling", x, t::sibling(x, n_leaves), c["sibling"][x])).empty())
      return e;
  }
  return "";
}

} // namespace mlsvec
