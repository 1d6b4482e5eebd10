// SPDX-License-Identifier: LGPL-2.1-or-later
// The sending side of a group (RFC 9420 sections 10-12): KeyPackages, group
// creation, our own commits with an UpdatePath and a Welcome, and application
// messages.
#include <algorithm>

#include <openssl/crypto.h>

#include "mls/group.h"
#include "mls/hpke.h"
#include "mls/primitives.h"
#include "mls/tree_math.h"
#include "mls/treekem.h"

namespace gste2ee::mls {

using wire::read;
using wire::write;

namespace {

constexpr uint16_t kExtRatchetTree = 2;
constexpr uint16_t kExtExternalSenders = 5;

Capabilities default_capabilities(uint16_t suite)
{
  Capabilities caps;
  caps.versions = { 1 };
  caps.cipher_suites = { suite };
  caps.credentials = { Credential::kBasic };
  return caps;
}

Result<void> sign_leaf(const Crypto& c, LeafNode& leaf, const SecretBytes& signature_priv, const Bytes& group_id,
                       uint32_t leaf_index)
{
  auto tbs = leaf_node_tbs(leaf, group_id, leaf_index);
  if (!tbs)
    return tbs.failure();
  auto sig = c.sign_with_label(signature_priv, "LeafNodeTBS", tbs.value());
  if (!sig)
    return sig.failure();
  leaf.signature = std::move(sig).value();
  return {};
}

// A member's PublicMessage (6.2): the signed content and its membership tag.
Result<MLSMessage> member_public_message(const Crypto& c, const SecretBytes& membership_key, const FramedContent& fc,
                                         const FramedContentAuthData& auth, const Bytes& group_context)
{
  auto mtag = membership_tag(c, membership_key, fc, auth, group_context);
  if (!mtag)
    return mtag.failure();
  MLSMessage m;
  m.message.emplace<PublicMessage>(PublicMessage{ fc, auth, std::move(mtag).value() });
  return m;
}

Result<Bytes> interim_after(const Crypto& c, const Bytes& confirmed, const Bytes& tag)
{
  Writer w;
  w.raw(confirmed);
  if (!w.opaque(tag))
    return wire::too_large();
  return c.hash(w.bytes());
}

} // namespace

Result<KeyPackageSecrets> generate_key_package(uint16_t suite, const Bytes& identity, uint64_t not_before,
                                               uint64_t not_after)
{
  auto crypto = Crypto::for_suite(suite);
  if (!crypto)
    return crypto.failure();
  const Crypto& c = crypto.value();
  auto sig_priv = prim::generate_signature_key(c.suite().sig);
  auto enc = hpke::generate_key_pair(c.suite());
  auto init = hpke::generate_key_pair(c.suite());
  if (!sig_priv || !enc || !init)
    return failed(Error::CryptoFailure, "key generation failed");
  auto sig_pub = c.signature_public_key(sig_priv.value());
  if (!sig_pub)
    return sig_pub.failure();
  KeyPackageSecrets out;
  KeyPackage& kp = out.key_package;
  kp.cipher_suite = suite;
  kp.init_key = init.value().pub;
  LeafNode& leaf = kp.leaf_node;
  leaf.encryption_key = enc.value().pub;
  leaf.signature_key = sig_pub.value();
  leaf.credential.type = Credential::kBasic;
  leaf.credential.identity = identity;
  leaf.capabilities = default_capabilities(suite);
  leaf.source = LeafNode::kKeyPackage;
  leaf.lifetime = Lifetime{ not_before, not_after };
  MLS_TRY(sign_leaf(c, leaf, sig_priv.value(), {}, 0));
  Writer tbs;
  if (!write(tbs, kp.version) || !write(tbs, kp.cipher_suite) || !write(tbs, kp.init_key) ||
      !write(tbs, kp.leaf_node) || !write(tbs, kp.extensions))
    return wire::too_large();
  auto sig = c.sign_with_label(sig_priv.value(), "KeyPackageTBS", tbs.bytes());
  if (!sig)
    return sig.failure();
  kp.signature = std::move(sig).value();
  out.init_priv = std::move(init.value().priv);
  out.encryption_priv = std::move(enc.value().priv);
  out.signature_priv = std::move(sig_priv).value();
  return out;
}

Result<Group> Group::create(const KeyPackageSecrets& me, const Bytes& group_id,
                            const std::vector<ExternalSender>& external_senders)
{
  auto crypto = Crypto::for_suite(me.key_package.cipher_suite);
  if (!crypto)
    return crypto.failure();
  const Crypto& c = crypto.value();
  Group g(c);
  auto tree = RatchetTreeState::from_nodes({ Node{ me.key_package.leaf_node } });
  if (!tree)
    return tree.failure();
  g.tree_ = std::move(tree).value();
  g.own_leaf_ = 0;
  g.node_privs_.emplace(0, me.encryption_priv);
  g.signature_priv_ = me.signature_priv;
  g.context_.cipher_suite = c.suite().id;
  g.context_.group_id = group_id;
  g.context_.epoch = 0;
  if (!external_senders.empty()) {
    auto list = wire::encode(external_senders);
    if (!list)
      return list.failure();
    g.context_.extensions.push_back(Extension{ kExtExternalSenders, std::move(list).value() });
  }
  auto th = g.tree_.tree_hash(c);
  if (!th)
    return th.failure();
  g.context_.tree_hash = th.value();
  auto ctx = g.context_.encode();
  if (!ctx)
    return ctx.failure();
  g.context_bytes_ = ctx.value();
  // 11: a random init_secret, zero commit and PSK secrets, empty transcript.
  auto init = prim::random_bytes(c.hash_size());
  if (!init)
    return init.failure();
  const SecretBytes zero(c.hash_size());
  auto secrets = derive_epoch(c, SecretBytes(init.value()), zero, zero, g.context_bytes_);
  if (!secrets)
    return secrets.failure();
  g.secrets_ = std::move(secrets).value();
  auto tag = c.mac(g.secrets_.confirmation_key, g.context_.confirmed_transcript_hash);
  if (!tag)
    return tag.failure();
  auto interim = interim_after(c, g.context_.confirmed_transcript_hash, tag.value());
  if (!interim)
    return interim.failure();
  g.interim_transcript_hash_ = interim.value();
  g.secret_tree_ = std::make_shared<SecretTree>(c, g.secrets_.encryption_secret, g.tree_.n_leaves());
  g.remember_resumption_psk();
  return g;
}

Result<Group::CommitResult> Group::commit(const std::vector<KeyPackage>& adds,
                                          const std::vector<uint32_t>& removes) const
{
  const Crypto& c = crypto_;
  Group g = *this;
  // The proposals of this epoch by reference, then ours inline. The tree
  // applies every Remove before any Add (12.3), Adds in the order listed,
  // as receivers do.
  std::vector<ProposalOrRef> proposals;
  std::vector<uint32_t> remove_leaves;
  std::vector<const KeyPackage*> add_packages;
  auto take_remove = [&](uint32_t r) -> Result<bool> {
    if (r == own_leaf_)
      return failed(Error::InvalidArgument, "a proposal removes us: another member has to commit it");
    if (!tree_.leaf(r) || std::count(remove_leaves.begin(), remove_leaves.end(), r))
      return false;  // gone already, or listed once
    remove_leaves.push_back(r);
    return true;
  };
  for (const auto& [ref, cp] : proposals_) {
    if (const auto* rm = std::get_if<Remove>(&cp.proposal.body)) {
      auto take = take_remove(rm->removed);
      if (!take)
        return take.failure();
      if (take.value())
        proposals.push_back({ ref });
    } else if (const auto* add = std::get_if<Add>(&cp.proposal.body)) {
      add_packages.push_back(&add->key_package);
      proposals.push_back({ ref });
    }
    // Other kinds (Update, PreSharedKey, ...) are not ours to commit: this
    // client never sends them, and a commit may leave proposals out.
  }
  for (uint32_t r : removes) {
    auto take = take_remove(r);
    if (!take)
      return take.failure();
    if (take.value())
      proposals.push_back({ Proposal{ Remove{ r } } });
  }
  for (const auto& kp : adds) {
    if (std::any_of(add_packages.begin(), add_packages.end(), [&](const KeyPackage* k) {
          return k->leaf_node.signature_key == kp.leaf_node.signature_key;
        }))
      continue;  // proposed already
    add_packages.push_back(&kp);
    proposals.push_back({ Proposal{ Add{ kp } } });
  }
  for (uint32_t r : remove_leaves)
    MLS_TRY(g.tree_.remove(r));
  std::vector<std::pair<uint32_t, const KeyPackage*>> joiners;
  std::set<uint32_t> new_leaves;
  for (const KeyPackage* kp : add_packages) {
    if (kp->cipher_suite != c.suite().id)
      return failed(Error::InvalidArgument, "KeyPackage of another cipher suite");
    auto index = g.tree_.add(kp->leaf_node);
    if (!index)
      return index.failure();
    joiners.push_back({ index.value(), kp });
    new_leaves.insert(index.value());
  }
  for (auto it = g.node_privs_.begin(); it != g.node_privs_.end();)
    it = g.tree_.node(it->first) ? std::next(it) : g.node_privs_.erase(it);

  // The UpdatePath (7.5): a fresh leaf key, path secrets up the filtered
  // direct path, node keys from them.
  const auto filtered = g.tree_.filtered_direct_path(own_leaf_);
  auto leaf_keys = hpke::generate_key_pair(c.suite());
  auto first = prim::random_bytes(c.hash_size());
  if (!leaf_keys || !first)
    return failed(Error::CryptoFailure, "key generation failed");
  std::vector<SecretBytes> path_secrets;
  UpdatePath path;
  path.leaf_node = *tree_.leaf(own_leaf_);
  path.leaf_node.encryption_key = leaf_keys.value().pub;
  path.leaf_node.source = LeafNode::kCommit;
  SecretBytes secret(first.value());
  std::map<uint32_t, SecretBytes> new_privs{ { tree::leaf_to_node(own_leaf_), leaf_keys.value().priv } };
  for (const auto& step : filtered) {
    auto kp = node_key_pair(c, secret);
    if (!kp)
      return kp.failure();
    path.nodes.push_back(UpdatePathNode{ kp.value().pub, {} });
    new_privs[step.node] = std::move(kp.value().priv);
    path_secrets.push_back(secret);
    auto next = next_path_secret(c, secret);
    if (!next)
      return next.failure();
    secret = std::move(next).value();
  }
  const SecretBytes commit_secret = std::move(secret);
  auto leaf_parent_hash = g.tree_.leaf_parent_hash_for_path(c, own_leaf_, path);
  if (!leaf_parent_hash)
    return leaf_parent_hash.failure();
  path.leaf_node.parent_hash = leaf_parent_hash.value();
  MLS_TRY(sign_leaf(c, path.leaf_node, signature_priv_, context_.group_id, own_leaf_));
  MLS_TRY(g.tree_.merge_update_path(c, own_leaf_, path));

  // Encrypt each path secret to the copath resolution, new members excluded,
  // under the provisional GroupContext (12.4.2).
  GroupContext provisional = g.context_;
  provisional.epoch = context_.epoch + 1;
  auto th = g.tree_.tree_hash(c);
  if (!th)
    return th.failure();
  provisional.tree_hash = th.value();
  auto pctx = provisional.encode();
  if (!pctx)
    return pctx.failure();
  for (size_t i = 0; i < filtered.size(); i++) {
    // Merging changed only our direct path, never a copath subtree: the
    // resolutions are those of the tree before the merge, as 12.4.2 wants.
    for (uint32_t y : g.tree_.resolution(filtered[i].copath_child)) {
      if (!(y & 1) && new_leaves.count(tree::node_to_leaf(y)))
        continue;
      const Bytes& pub = (y & 1) ? g.tree_.parent(y)->encryption_key
                                 : g.tree_.leaf(tree::node_to_leaf(y))->encryption_key;
      auto ct = c.encrypt_with_label(pub, "UpdatePathNode", pctx.value(), path_secrets[i].bytes());
      if (!ct)
        return ct.failure();
      path.nodes[i].encrypted_path_secret.push_back({ ct.value().enc, ct.value().ciphertext });
    }
  }
  g.node_privs_.erase(tree::leaf_to_node(own_leaf_));
  for (uint32_t x : tree::direct_path(tree::leaf_to_node(own_leaf_), g.tree_.n_leaves()))
    g.node_privs_.erase(x);
  for (auto& [node, priv] : new_privs)
    g.node_privs_[node] = std::move(priv);

  // The commit as a PublicMessage, signed under the current epoch.
  FramedContent fc;
  fc.group_id = context_.group_id;
  fc.epoch = context_.epoch;
  fc.sender = Sender{ Sender::kMember, own_leaf_ };
  fc.content = Commit{ proposals, path };
  FramedContentAuthData auth;
  auto sig = sign_framed_content(c, WireFormat::PublicMessage, fc, context_bytes_, signature_priv_);
  if (!sig)
    return sig.failure();
  auth.signature = std::move(sig).value();

  Writer confirmed_input;
  confirmed_input.raw(interim_transcript_hash_);
  confirmed_input.u16(static_cast<uint16_t>(WireFormat::PublicMessage));
  if (!write(confirmed_input, fc) || !confirmed_input.opaque(auth.signature))
    return wire::too_large();
  auto confirmed = c.hash(confirmed_input.bytes());
  if (!confirmed)
    return confirmed.failure();
  g.context_.epoch = context_.epoch + 1;
  g.context_.tree_hash = th.value();
  g.context_.confirmed_transcript_hash = confirmed.value();
  auto ctx = g.context_.encode();
  if (!ctx)
    return ctx.failure();
  g.context_bytes_ = ctx.value();
  const SecretBytes zero(c.hash_size());
  auto secrets = derive_epoch(c, secrets_.init_secret, commit_secret, zero, g.context_bytes_);
  if (!secrets)
    return secrets.failure();
  g.secrets_ = std::move(secrets).value();
  auto tag = c.mac(g.secrets_.confirmation_key, confirmed.value());
  if (!tag)
    return tag.failure();
  auth.confirmation_tag = tag.value();
  auto interim = interim_after(c, confirmed.value(), auth.confirmation_tag);
  if (!interim)
    return interim.failure();
  g.interim_transcript_hash_ = interim.value();
  g.secret_tree_ = std::make_shared<SecretTree>(c, g.secrets_.encryption_secret, g.tree_.n_leaves());
  g.proposals_.clear();
  g.remember_resumption_psk();

  auto commit_msg = member_public_message(c, secrets_.membership_key, fc, auth, context_bytes_);
  if (!commit_msg)
    return commit_msg.failure();

  std::optional<MLSMessage> welcome_msg;
  if (!joiners.empty()) {
    // GroupInfo with the ratchet_tree extension, signed by us (12.4.3).
    GroupInfo info;
    info.group_context = g.context_;
    auto tree_bytes = wire::encode(g.tree_.to_nodes());
    if (!tree_bytes)
      return tree_bytes.failure();
    info.extensions.push_back(Extension{ kExtRatchetTree, tree_bytes.value() });
    info.confirmation_tag = auth.confirmation_tag;
    info.signer = own_leaf_;
    Writer tbs;
    if (!write(tbs, info.group_context) || !write(tbs, info.extensions) || !write(tbs, info.confirmation_tag) ||
        !write(tbs, info.signer))
      return wire::too_large();
    auto gi_sig = c.sign_with_label(signature_priv_, "GroupInfoTBS", tbs.bytes());
    if (!gi_sig)
      return gi_sig.failure();
    info.signature = std::move(gi_sig).value();
    auto info_bytes = wire::encode(info);
    if (!info_bytes)
      return info_bytes.failure();
    auto key = c.expand_with_label(g.secrets_.welcome_secret, "key", {}, c.suite().key_size);
    auto nonce = c.expand_with_label(g.secrets_.welcome_secret, "nonce", {}, c.suite().nonce_size);
    if (!key || !nonce)
      return failed(Error::CryptoFailure, "welcome key derivation failed");
    Welcome w;
    w.cipher_suite = c.suite().id;
    auto egi = prim::seal(c.suite().aead, key.value(), nonce.value().bytes(), {}, info_bytes.value());
    if (!egi)
      return egi.failure();
    w.encrypted_group_info = std::move(egi).value();
    for (const auto& [index, kp] : joiners) {
      GroupSecrets gs;
      gs.joiner_secret = g.secrets_.joiner_secret;
      // The path secret of the lowest filtered node above the new member.
      const uint32_t ancestor = tree::common_ancestor(tree::leaf_to_node(own_leaf_), tree::leaf_to_node(index));
      for (size_t i = 0; i < filtered.size(); i++)
        if (filtered[i].node == ancestor)
          gs.path_secret = path_secrets[i];
      if (!gs.path_secret) {
        // The ancestor was not on the filtered path: the next one up that is.
        for (size_t i = 0; i < filtered.size() && !gs.path_secret; i++)
          if (tree::common_ancestor(filtered[i].node, ancestor) == filtered[i].node)
            gs.path_secret = path_secrets[i];
      }
      auto gs_bytes = wire::encode(gs);
      if (!gs_bytes)
        return gs_bytes.failure();
      auto ref = key_package_ref(c, *kp);
      auto sealed = c.encrypt_with_label(kp->init_key, "Welcome", w.encrypted_group_info, gs_bytes.value());
      OPENSSL_cleanse(gs_bytes.value().data(), gs_bytes.value().size());
      if (!ref || !sealed)
        return failed(Error::CryptoFailure, "Welcome encryption failed");
      w.secrets.push_back(
        EncryptedGroupSecrets{ ref.value(), HpkeCiphertext{ sealed.value().enc, sealed.value().ciphertext } });
    }
    MLSMessage m;
    m.message.emplace<Welcome>(std::move(w));
    welcome_msg = std::move(m);
  }
  return CommitResult{ std::move(g), std::move(commit_msg).value(), std::move(welcome_msg) };
}

Result<MLSMessage> Group::propose_remove(uint32_t leaf) const
{
  if (!tree_.leaf(leaf))
    return failed(Error::InvalidArgument, "no member at that leaf");
  FramedContent fc;
  fc.group_id = context_.group_id;
  fc.epoch = context_.epoch;
  fc.sender = Sender{ Sender::kMember, own_leaf_ };
  fc.content = Proposal{ Remove{ leaf } };
  FramedContentAuthData auth;
  auto sig = sign_framed_content(crypto_, WireFormat::PublicMessage, fc, context_bytes_, signature_priv_);
  if (!sig)
    return sig.failure();
  auth.signature = std::move(sig).value();
  return member_public_message(crypto_, secrets_.membership_key, fc, auth, context_bytes_);
}

Result<std::pair<Group, MLSMessage>> Group::protect(const Bytes& data) const
{
  Group next = *this;
  next.secret_tree_ = std::make_shared<SecretTree>(*secret_tree_);
  FramedContent fc;
  fc.group_id = context_.group_id;
  fc.epoch = context_.epoch;
  fc.sender = Sender{ Sender::kMember, own_leaf_ };
  fc.content = data;
  FramedContentAuthData auth;
  auto sig = sign_framed_content(crypto_, WireFormat::PrivateMessage, fc, context_bytes_, signature_priv_);
  if (!sig)
    return sig.failure();
  auth.signature = std::move(sig).value();
  auto pm = encrypt_private(crypto_, fc, auth, *next.secret_tree_, secrets_.sender_data_secret);
  if (!pm)
    return pm.failure();
  MLSMessage m;
  m.message.emplace<PrivateMessage>(std::move(pm).value());
  return std::make_pair(std::move(next), std::move(m));
}

Result<std::pair<Group, SecretBytes>> Group::unprotect(const MLSMessage& message) const
{
  if (!std::holds_alternative<PrivateMessage>(message.message))
    return failed(Error::InvalidArgument, "application data comes as a PrivateMessage");
  Group next = *this;
  next.secret_tree_ = std::make_shared<SecretTree>(*secret_tree_);
  auto ac = next.unprotect(message, next.secret_tree_.get());
  if (!ac)
    return ac.failure();
  const Bytes* data = std::get_if<Bytes>(&ac.value().content.content);
  if (!data)
    return failed(Error::InvalidArgument, "not application data");
  SecretBytes out(*data);
  return std::make_pair(std::move(next), std::move(out));
}

std::vector<std::pair<uint32_t, Bytes>> Group::members() const
{
  std::vector<std::pair<uint32_t, Bytes>> out;
  for (uint32_t i = 0; i < tree_.n_leaves(); i++)
    if (const LeafNode* l = tree_.leaf(i))
      out.push_back({ i, l->credential.identity });
  return out;
}

} // namespace gste2ee::mls
