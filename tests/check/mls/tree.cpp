// SPDX-License-Identifier: LGPL-2.1-or-later
// Ratchet tree refusals beyond the vectors (RFC 9420 7.9.2, 7.2, 12.4.3.1):
// starting from valid trees of tree-validation.json, a changed parent hash,
// a forged leaf signature, a reused encryption key, a leaf bound to another
// group, and malformed node lists are each refused with their own error.
#include <string>

#include "json.h"
#include "mls/ratchet_tree.h"

#include <check.h>

namespace m = gste2ee::mls;

namespace {

struct Case {
  m::Crypto crypto;
  m::RatchetTree nodes;
  m::Bytes group_id;
};

// Every vector case whose tree has at least one non-blank parent node.
std::vector<Case> trees_with_parents()
{
  const auto file = testjson::load_file(std::string(VECTORS_DIR) + "/mls/tree-validation.json");
  std::vector<Case> out;
  for (const auto& c : file.array()) {
    auto nodes = m::wire::decode<m::RatchetTree>(c["tree"].hex());
    ck_assert(nodes.ok());
    bool has_parent = false;
    for (const auto& n : nodes.value())
      has_parent = has_parent || (n && std::holds_alternative<m::ParentNode>(n->node));
    if (has_parent)
      out.push_back({ m::Crypto::for_suite(static_cast<uint16_t>(c["cipher_suite"].u64())).value(), nodes.value(),
                      c["group_id"].hex() });
  }
  ck_assert(!out.empty());
  return out;
}

} // namespace

// The tree keeps its subtree hashes between calls: after each Add, Update
// and Remove the root hash must equal that of the same nodes loaded afresh.
START_TEST(test_cached_tree_hash_follows_changes)
{
  for (auto& c : trees_with_parents()) {
    auto t = m::RatchetTreeState::from_nodes(c.nodes).value();
    auto fresh_hash = [&c](const m::RatchetTreeState& s) {
      return m::RatchetTreeState::from_nodes(s.to_nodes()).value().tree_hash(c.crypto).value();
    };
    ck_assert(t.tree_hash(c.crypto).value() == fresh_hash(t));  // fills the cache
    uint32_t some_leaf = 0;
    while (!t.leaf(some_leaf))
      some_leaf++;
    m::LeafNode changed = *t.leaf(some_leaf);
    changed.encryption_key.push_back(1);
    ck_assert(t.update(some_leaf, changed).ok());
    ck_assert_msg(t.tree_hash(c.crypto).value() == fresh_hash(t), "stale hash after Update");
    changed.encryption_key.push_back(2);
    ck_assert(t.add(changed).ok());
    ck_assert_msg(t.tree_hash(c.crypto).value() == fresh_hash(t), "stale hash after Add");
    ck_assert(t.remove(some_leaf).ok());
    ck_assert_msg(t.tree_hash(c.crypto).value() == fresh_hash(t), "stale hash after Remove");
    // Subtree hashes too, for every node.
    auto again = m::RatchetTreeState::from_nodes(t.to_nodes()).value();
    for (uint32_t x = 0; x < again.width(); x++)
      ck_assert(t.tree_hash(c.crypto, x).value() == again.tree_hash(c.crypto, x).value());
  }
}
END_TEST

START_TEST(test_changed_parent_hash_refused)
{
  for (auto& c : trees_with_parents()) {
    auto nodes = c.nodes;
    for (auto& n : nodes)
      if (n && std::holds_alternative<m::ParentNode>(n->node)) {
        std::get<m::ParentNode>(n->node).parent_hash.push_back(0);
        break;
      }
    auto t = m::RatchetTreeState::from_nodes(nodes);
    ck_assert(t.ok());
    auto r = t.value().verify_parent_hashes(c.crypto);
    ck_assert_msg(!r.ok(), "a changed parent hash went unnoticed");
    ck_assert(m::RatchetTreeState::from_nodes(c.nodes).value().verify_parent_hashes(c.crypto).ok());
  }
}
END_TEST

START_TEST(test_changed_parent_key_refused)
{
  // A parent's encryption key is in the parent hash its child committed to.
  for (auto& c : trees_with_parents()) {
    auto nodes = c.nodes;
    for (auto& n : nodes)
      if (n && std::holds_alternative<m::ParentNode>(n->node)) {
        std::get<m::ParentNode>(n->node).encryption_key[0] ^= 1;
        break;
      }
    ck_assert(!m::RatchetTreeState::from_nodes(nodes).value().verify_parent_hashes(c.crypto).ok());
  }
}
END_TEST

START_TEST(test_leaf_signature_and_binding)
{
  auto c = trees_with_parents().front();
  auto good = m::RatchetTreeState::from_nodes(c.nodes).value();
  ck_assert(good.verify_leaves(c.crypto, c.group_id).ok());
  // Another group: update/commit leaves are bound to the group id.
  bool bound = false;
  for (uint32_t i = 0; i < good.n_leaves(); i++)
    if (const auto* l = good.leaf(i); l && l->source != m::LeafNode::kKeyPackage)
      bound = true;
  if (bound) {
    auto r = good.verify_leaves(c.crypto, m::Bytes{ 'x' });
    ck_assert(!r.ok() && r.error() == m::Error::BadSignature);
  }
  auto nodes = c.nodes;
  std::get<m::LeafNode>(nodes[0]->node).signature.back() ^= 1;
  auto r = m::RatchetTreeState::from_nodes(nodes).value().verify_leaves(c.crypto, c.group_id);
  ck_assert(!r.ok() && r.error() == m::Error::BadSignature);
}
END_TEST

START_TEST(test_duplicate_encryption_key_refused)
{
  auto c = trees_with_parents().front();
  auto nodes = c.nodes;
  m::Bytes leaf_key = std::get<m::LeafNode>(nodes[0]->node).encryption_key;
  for (auto& n : nodes)
    if (n && std::holds_alternative<m::ParentNode>(n->node)) {
      std::get<m::ParentNode>(n->node).encryption_key = leaf_key;
      break;
    }
  auto r = m::RatchetTreeState::from_nodes(nodes).value().verify_leaves(c.crypto, c.group_id);
  ck_assert(!r.ok() && r.error() == m::Error::Malformed);
}
END_TEST

START_TEST(test_malformed_node_lists_refused)
{
  auto c = trees_with_parents().front();
  auto even = c.nodes;
  even.pop_back();
  ck_assert(!m::RatchetTreeState::from_nodes(even).ok());
  auto blank_last = c.nodes;
  blank_last.back().reset();
  ck_assert(!m::RatchetTreeState::from_nodes(blank_last).ok());
  auto swapped = c.nodes;  // a parent node in a leaf position
  for (auto& n : swapped)
    if (n && std::holds_alternative<m::ParentNode>(n->node)) {
      swapped[0] = n;
      break;
    }
  ck_assert(!m::RatchetTreeState::from_nodes(swapped).ok());
  ck_assert(!m::RatchetTreeState::from_nodes({}).ok());
}
END_TEST

START_TEST(test_operations_refuse_blank_leaves)
{
  auto c = trees_with_parents().front();
  auto t = m::RatchetTreeState::from_nodes(c.nodes).value();
  const auto before = m::wire::encode(t.to_nodes()).value();
  ck_assert(!t.update(t.n_leaves() + 5, *t.leaf(0)).ok());
  ck_assert(!t.remove(t.n_leaves() + 5).ok());
  ck_assert(m::wire::encode(t.to_nodes()).value() == before);  // unchanged
}
END_TEST

int main()
{
  Suite* s = suite_create("mls-tree");
  TCase* tc = tcase_create("tree");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_cached_tree_hash_follows_changes);
  tcase_add_test(tc, test_changed_parent_hash_refused);
  tcase_add_test(tc, test_changed_parent_key_refused);
  tcase_add_test(tc, test_leaf_signature_and_binding);
  tcase_add_test(tc, test_duplicate_encryption_key_refused);
  tcase_add_test(tc, test_malformed_node_lists_refused);
  tcase_add_test(tc, test_operations_refuse_blank_leaves);
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  const int failed_count = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed_count == 0 ? 0 : 1;
}
