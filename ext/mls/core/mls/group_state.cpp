// SPDX-License-Identifier: LGPL-2.1-or-later
// Saving and loading a member's state. The format is ours (not on the wire):
//   struct {
//     uint16 format = 1;
//     GroupContext context;
//     optional<Node> tree<V>;
//     uint32 own_leaf;
//     struct { uint32 node; opaque priv<V>; } node_privs<V>;
//     opaque signature_priv<V>;
//     opaque init_secret<V>; ... (the epoch secrets a member keeps using)
//     opaque interim_transcript_hash<V>;
//     SecretTree secret_tree;
//     struct { opaque ref<V>; Proposal proposal; Sender sender; } proposals<V>;
//     struct { uint64 epoch; opaque psk<V>; } resumption_psks<V>;
//   } GroupState;
#include "mls/group.h"

#include <openssl/crypto.h>

namespace gste2ee::mls {

using wire::read;
using wire::write;

namespace {

constexpr uint16_t kFormat = 1;

std::vector<SecretBytes*> kept_secrets(EpochSecrets& s)
{
  return { &s.sender_data_secret, &s.encryption_secret,  &s.exporter_secret,
           &s.external_secret,    &s.confirmation_key,   &s.membership_key,
           &s.resumption_psk,     &s.epoch_authenticator, &s.init_secret };
}

} // namespace

Result<Bytes> Group::save() const
{
  Writer w;
  w.u16(kFormat);
  bool ok = write(w, context_) && write(w, tree_.to_nodes());
  w.u32(own_leaf_);
  size_t mark = w.begin_vector();
  for (const auto& [node, priv] : node_privs_) {
    w.u32(node);
    ok = ok && write(w, priv);
  }
  ok = ok && w.end_vector(mark) && write(w, signature_priv_);
  EpochSecrets copy = secrets_;
  for (SecretBytes* s : kept_secrets(copy))
    ok = ok && write(w, *s);
  ok = ok && write(w, interim_transcript_hash_) && secret_tree_->save(w);
  mark = w.begin_vector();
  for (const auto& [ref, cp] : proposals_)
    ok = ok && write(w, ref) && write(w, cp.proposal) && write(w, cp.sender);
  ok = ok && w.end_vector(mark);
  mark = w.begin_vector();
  for (const auto& [epoch, psk] : resumption_psks_) {
    w.u64(epoch);
    ok = ok && write(w, psk);
  }
  ok = ok && w.end_vector(mark);
  if (!ok)
    return wire::too_large();
  return w.take();
}

Result<Group> Group::load(const Bytes& state)
{
  Reader r(state);
  uint16_t format = 0;
  MLS_TRY(read(r, format));
  if (format != kFormat)
    return failed(Error::Malformed, "unknown state format");
  GroupContext context;
  MLS_TRY(read(r, context));
  auto crypto = Crypto::for_suite(context.cipher_suite);
  if (!crypto)
    return crypto.failure();
  Group g(crypto.value());
  g.context_ = std::move(context);
  auto ctx = g.context_.encode();
  if (!ctx)
    return ctx.failure();
  g.context_bytes_ = ctx.value();
  RatchetTree nodes;
  MLS_TRY(read(r, nodes));
  auto tree = RatchetTreeState::from_nodes(std::move(nodes));
  if (!tree)
    return tree.failure();
  g.tree_ = std::move(tree).value();
  MLS_TRY(read(r, g.own_leaf_));
  if (!g.tree_.leaf(g.own_leaf_))
    return failed(Error::Malformed, "state's own leaf is blank");
  auto privs = r.vector();
  if (!privs)
    return privs.failure();
  while (!privs.value().empty()) {
    uint32_t node = 0;
    SecretBytes priv;
    MLS_TRY(read(privs.value(), node));
    MLS_TRY(read(privs.value(), priv));
    g.node_privs_[node] = std::move(priv);
  }
  MLS_TRY(read(r, g.signature_priv_));
  for (SecretBytes* s : kept_secrets(g.secrets_))
    MLS_TRY(read(r, *s));
  auto ext = g.crypto_.derive_key_pair(g.secrets_.external_secret);
  if (!ext)
    return ext.failure();
  g.secrets_.external_pub = ext.value().pub;
  MLS_TRY(read(r, g.interim_transcript_hash_));
  auto st = SecretTree::load(g.crypto_, r);
  if (!st)
    return st.failure();
  g.secret_tree_ = std::make_shared<SecretTree>(std::move(st).value());
  auto props = r.vector();
  if (!props)
    return props.failure();
  while (!props.value().empty()) {
    Bytes ref;
    CachedProposal cp;
    MLS_TRY(read(props.value(), ref));
    MLS_TRY(read(props.value(), cp.proposal));
    MLS_TRY(read(props.value(), cp.sender));
    g.proposals_[ref] = std::move(cp);
  }
  auto psks = r.vector();
  if (!psks)
    return psks.failure();
  while (!psks.value().empty()) {
    uint64_t epoch = 0;
    SecretBytes psk;
    MLS_TRY(read(psks.value(), epoch));
    MLS_TRY(read(psks.value(), psk));
    g.resumption_psks_[epoch] = std::move(psk);
  }
  MLS_TRY(r.finish());
  return g;
}

} // namespace gste2ee::mls
