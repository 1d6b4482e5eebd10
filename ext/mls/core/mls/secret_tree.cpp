// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/secret_tree.h"

#include "mls/tree_math.h"
#include "mls/wire.h"

namespace gste2ee::mls {

SecretTree::SecretTree(const Crypto& c, const SecretBytes& encryption_secret, uint32_t n_leaves, uint32_t window,
                       uint32_t max_forward)
  : crypto_(c), n_leaves_(n_leaves), window_(window), max_forward_(max_forward),
    nodes_(tree::node_width(n_leaves)), handshake_(n_leaves), application_(n_leaves)
{
  if (n_leaves > 0)
    nodes_[tree::root(n_leaves)] = encryption_secret;
}

Result<void> SecretTree::start(uint32_t leaf, ContentKind kind)
{
  Ratchet& r = kind == ContentKind::Handshake ? handshake_[leaf] : application_[leaf];
  if (r.started)
    return {};
  const uint32_t target = tree::leaf_to_node(leaf);
  // The path from the root down to the leaf; split every node on it that
  // still holds a secret (9: left/right children via ExpandWithLabel "tree").
  std::vector<uint32_t> path = tree::direct_path(target, n_leaves_);
  std::vector<uint32_t> down(path.rbegin(), path.rend());
  down.push_back(target);
  for (size_t i = 0; i + 1 < down.size(); i++) {
    const uint32_t x = down[i];
    if (nodes_[x].empty())
      continue;  // already split: its children hold the secrets
    auto l = crypto_.expand_with_label(nodes_[x], "tree", to_bytes("left"), crypto_.hash_size());
    auto rr = crypto_.expand_with_label(nodes_[x], "tree", to_bytes("right"), crypto_.hash_size());
    if (!l || !rr)
      return failed(Error::CryptoFailure, "secret tree derivation failed");
    nodes_[*tree::left(x)] = std::move(l).value();
    nodes_[*tree::right(x)] = std::move(rr).value();
    nodes_[x].wipe();  // 9.2: a parent's secret goes once its children exist
  }
  SecretBytes& leaf_secret = nodes_[target];
  if (leaf_secret.empty())
    return failed(Error::InvalidArgument, "leaf secret already consumed");
  // Both ratchets start together, so the leaf secret can go.
  auto hs = crypto_.expand_with_label(leaf_secret, "handshake", {}, crypto_.hash_size());
  auto app = crypto_.expand_with_label(leaf_secret, "application", {}, crypto_.hash_size());
  if (!hs || !app)
    return failed(Error::CryptoFailure, "ratchet derivation failed");
  handshake_[leaf].secret = std::move(hs).value();
  handshake_[leaf].started = true;
  application_[leaf].secret = std::move(app).value();
  application_[leaf].started = true;
  leaf_secret.wipe();
  return {};
}

Result<KeyAndNonce> SecretTree::derive(Ratchet& r)
{
  if (r.next_generation == UINT32_MAX)
    return failed(Error::InvalidArgument, "ratchet generations exhausted");
  const uint32_t g = r.next_generation;
  auto key = crypto_.derive_tree_secret(r.secret, "key", g, crypto_.suite().key_size);
  auto nonce = crypto_.derive_tree_secret(r.secret, "nonce", g, crypto_.suite().nonce_size);
  auto next = crypto_.derive_tree_secret(r.secret, "secret", g, crypto_.hash_size());
  if (!key || !nonce || !next)
    return failed(Error::CryptoFailure, "ratchet step failed");
  r.secret = std::move(next).value();  // the old secret is wiped by the assignment
  r.next_generation = g + 1;
  return KeyAndNonce{ g, std::move(key).value(), nonce.value().bytes() };
}

Result<KeyAndNonce> SecretTree::get(uint32_t leaf, ContentKind kind, uint32_t generation)
{
  if (leaf >= n_leaves_)
    return failed(Error::InvalidArgument, "leaf index outside the tree");
  auto started = start(leaf, kind);
  if (!started)
    return started.failure();
  Ratchet& r = kind == ContentKind::Handshake ? handshake_[leaf] : application_[leaf];
  if (generation < r.next_generation) {
    auto it = r.skipped.find(generation);
    if (it == r.skipped.end())
      return failed(Error::InvalidArgument, "generation already used or too old");
    KeyAndNonce kn = std::move(it->second);
    r.skipped.erase(it);
    return kn;
  }
  if (generation - r.next_generation > max_forward_)
    return failed(Error::InvalidArgument, "generation too far ahead");
  while (r.next_generation < generation) {
    auto kn = derive(r);
    if (!kn)
      return kn.failure();
    if (kn.value().generation + window_ >= generation)
      r.skipped.emplace(kn.value().generation, std::move(kn).value());
  }
  // Forget skipped keys that fell out of the window.
  while (!r.skipped.empty() && r.skipped.begin()->first + window_ < generation)
    r.skipped.erase(r.skipped.begin());
  return derive(r);
}

Result<KeyAndNonce> SecretTree::next(uint32_t leaf, ContentKind kind)
{
  if (leaf >= n_leaves_)
    return failed(Error::InvalidArgument, "leaf index outside the tree");
  auto started = start(leaf, kind);
  if (!started)
    return started.failure();
  return derive(kind == ContentKind::Handshake ? handshake_[leaf] : application_[leaf]);
}

bool SecretTree::save(Writer& w) const
{
  w.u32(n_leaves_);
  w.u32(window_);
  w.u32(max_forward_);
  const size_t mark = w.begin_vector();
  for (const auto& n : nodes_)
    if (!wire::write(w, n))
      return false;
  if (!w.end_vector(mark))
    return false;
  for (const auto* ratchets : { &handshake_, &application_ }) {
    const size_t rmark = w.begin_vector();
    for (const Ratchet& r : *ratchets) {
      w.u8(r.started ? 1 : 0);
      w.u32(r.next_generation);
      if (!wire::write(w, r.secret))
        return false;
      const size_t smark = w.begin_vector();
      for (const auto& [gen, kn] : r.skipped) {
        w.u32(gen);
        if (!wire::write(w, kn.key) || !wire::write(w, kn.nonce))
          return false;
      }
      if (!w.end_vector(smark))
        return false;
    }
    if (!w.end_vector(rmark))
      return false;
  }
  return true;
}

Result<SecretTree> SecretTree::load(const Crypto& c, Reader& r)
{
  uint32_t n_leaves = 0, window = 0, max_forward = 0;
  MLS_TRY(wire::read(r, n_leaves));
  MLS_TRY(wire::read(r, window));
  MLS_TRY(wire::read(r, max_forward));
  if (n_leaves == 0 || n_leaves > (1u << 20) || (n_leaves & (n_leaves - 1)))
    return failed(Error::Malformed, "secret tree of an impossible size");
  SecretTree t(c, SecretBytes(), n_leaves, window, max_forward);
  auto nodes = r.vector();
  if (!nodes)
    return nodes.failure();
  for (auto& n : t.nodes_)
    MLS_TRY(wire::read(nodes.value(), n));
  MLS_TRY(nodes.value().finish());
  for (auto* ratchets : { &t.handshake_, &t.application_ }) {
    auto rs = r.vector();
    if (!rs)
      return rs.failure();
    for (Ratchet& rt : *ratchets) {
      uint8_t started = 0;
      MLS_TRY(wire::read(rs.value(), started));
      rt.started = started != 0;
      MLS_TRY(wire::read(rs.value(), rt.next_generation));
      MLS_TRY(wire::read(rs.value(), rt.secret));
      auto skipped = rs.value().vector();
      if (!skipped)
        return skipped.failure();
      while (!skipped.value().empty()) {
        KeyAndNonce kn;
        MLS_TRY(wire::read(skipped.value(), kn.generation));
        MLS_TRY(wire::read(skipped.value(), kn.key));
        MLS_TRY(wire::read(skipped.value(), kn.nonce));
        const uint32_t gen = kn.generation;
        rt.skipped.emplace(gen, std::move(kn));
      }
    }
    MLS_TRY(rs.value().finish());
  }
  return t;
}

namespace {

Bytes sample(const Crypto& c, const Bytes& ciphertext)
{
  const size_t n = std::min(ciphertext.size(), c.hash_size());
  return Bytes(ciphertext.begin(), ciphertext.begin() + static_cast<std::ptrdiff_t>(n));
}

} // namespace

Result<SecretBytes> sender_data_key(const Crypto& c, const SecretBytes& sender_data_secret, const Bytes& ciphertext)
{
  return c.expand_with_label(sender_data_secret, "key", sample(c, ciphertext), c.suite().key_size);
}

Result<Bytes> sender_data_nonce(const Crypto& c, const SecretBytes& sender_data_secret, const Bytes& ciphertext)
{
  auto n = c.expand_with_label(sender_data_secret, "nonce", sample(c, ciphertext), c.suite().nonce_size);
  if (!n)
    return n.failure();
  return n.value().bytes();
}

} // namespace gste2ee::mls
