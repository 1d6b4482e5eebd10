// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/group.h"

#include <algorithm>

#include <openssl/crypto.h>

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

bool equal_ct(const Bytes& a, const Bytes& b)
{
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<Bytes> interim_hash(const Crypto& c, const Bytes& confirmed, const Bytes& confirmation_tag)
{
  Writer w;
  w.raw(confirmed);
  if (!w.opaque(confirmation_tag))
    return wire::too_large();
  return c.hash(w.bytes());
}


// The PSKs a commit or Welcome names, in order (8.4): external ones from
// the client's store, resumption ones (usage application) from the epochs of
// this group we still remember.
Result<std::vector<PskInput>> psk_inputs(const std::vector<PreSharedKeyID>& ids, const ExternalPsks& psks,
                                         const Bytes* group_id = nullptr,
                                         const std::map<uint64_t, SecretBytes>* resumption = nullptr)
{
  std::vector<PskInput> out;
  for (const auto& id : ids) {
    PskInput in;
    in.type = id.type;
    in.psk_id = id.psk_id;
    in.usage = id.usage;
    in.psk_group_id = id.psk_group_id;
    in.psk_epoch = id.psk_epoch;
    in.psk_nonce = id.psk_nonce;
    if (id.type == 1) {
      auto it = psks.find(id.psk_id);
      if (it == psks.end())
        return failed(Error::InvalidArgument, "an external PSK this client does not hold");
      in.psk = it->second;
    } else {
      if (!group_id || !resumption || id.usage != 1 || id.psk_group_id != *group_id)
        return failed(Error::InvalidArgument, "a resumption PSK this client does not hold");
      auto it = resumption->find(id.psk_epoch);
      if (it == resumption->end())
        return failed(Error::InvalidArgument, "a resumption PSK of an epoch no longer kept");
      in.psk = it->second;
    }
    out.push_back(std::move(in));
  }
  return out;
}

// KeyPackageTBS and the key package leaf's LeafNodeTBS (10.1, 7.2).
bool key_package_valid(const Crypto& c, const KeyPackage& kp)
{
  if (kp.version != 1 || kp.cipher_suite != c.suite().id || kp.leaf_node.source != LeafNode::kKeyPackage)
    return false;
  Writer tbs;
  if (!write(tbs, kp.version) || !write(tbs, kp.cipher_suite) || !write(tbs, kp.init_key) ||
      !write(tbs, kp.leaf_node) || !write(tbs, kp.extensions))
    return false;
  if (!c.verify_with_label(kp.leaf_node.signature_key, "KeyPackageTBS", tbs.bytes(), kp.signature))
    return false;
  auto leaf_tbs = leaf_node_tbs(kp.leaf_node, {}, 0);
  return leaf_tbs &&
         c.verify_with_label(kp.leaf_node.signature_key, "LeafNodeTBS", leaf_tbs.value(), kp.leaf_node.signature) &&
         kp.init_key != kp.leaf_node.encryption_key;
}

} // namespace

Result<Bytes> key_package_ref(const Crypto& c, const KeyPackage& kp)
{
  auto encoded = wire::encode(kp);
  if (!encoded)
    return encoded.failure();
  return c.ref_hash("MLS 1.0 KeyPackage Reference", encoded.value());
}

Result<Bytes> proposal_ref(const Crypto& c, const AuthenticatedContent& ac)
{
  auto encoded = wire::encode(ac);
  if (!encoded)
    return encoded.failure();
  return c.ref_hash("MLS 1.0 Proposal Reference", encoded.value());
}

void Group::remember_resumption_psk()
{
  resumption_psks_[context_.epoch] = secrets_.resumption_psk;
  while (resumption_psks_.size() > kResumptionEpochs)
    resumption_psks_.erase(resumption_psks_.begin());
}

Result<SecretBytes> Group::export_secret(const Bytes& label, const Bytes& context, size_t length) const
{
  return mls::export_secret(crypto_, secrets_.exporter_secret, label, context, length);
}

Result<OpenedWelcome> open_welcome(const Crypto& c, const Welcome& welcome, const KeyPackage& kp,
                                   const SecretBytes& init_priv, const ExternalPsks& psks)
{
  if (kp.cipher_suite != welcome.cipher_suite || c.suite().id != welcome.cipher_suite)
    return failed(Error::InvalidArgument, "Welcome for another cipher suite than the KeyPackage");
  auto ref = key_package_ref(c, kp);
  if (!ref)
    return ref.failure();
  const EncryptedGroupSecrets* mine = nullptr;
  for (const auto& s : welcome.secrets)
    if (s.new_member == ref.value())
      mine = &s;
  if (!mine)
    return failed(Error::InvalidArgument, "Welcome is not for a KeyPackage we hold");
  auto gs_bytes = c.decrypt_with_label(init_priv, "Welcome", welcome.encrypted_group_info,
                                       mine->encrypted_group_secrets.kem_output,
                                       mine->encrypted_group_secrets.ciphertext);
  if (!gs_bytes)
    return gs_bytes.failure();
  auto gs = wire::decode<GroupSecrets>(gs_bytes.value().bytes());
  if (!gs)
    return gs.failure();
  auto inputs = psk_inputs(gs.value().psks, psks);
  if (!inputs)
    return inputs.failure();
  auto psk_secret = mls::psk_secret(c, inputs.value());
  if (!psk_secret)
    return psk_secret.failure();
  // welcome_secret, then the GroupInfo key and nonce.
  auto member = c.extract(gs.value().joiner_secret, psk_secret.value());
  if (!member)
    return member.failure();
  auto welcome_secret = c.derive_secret(member.value(), "welcome");
  if (!welcome_secret)
    return welcome_secret.failure();
  auto key = c.expand_with_label(welcome_secret.value(), "key", {}, c.suite().key_size);
  auto nonce = c.expand_with_label(welcome_secret.value(), "nonce", {}, c.suite().nonce_size);
  if (!key || !nonce)
    return failed(Error::CryptoFailure, "welcome key derivation failed");
  auto gi_bytes = prim::open(c.suite().aead, key.value(), nonce.value().bytes(), {}, welcome.encrypted_group_info);
  if (!gi_bytes)
    return gi_bytes.failure();
  auto gi = wire::decode<GroupInfo>(gi_bytes.value().bytes());
  if (!gi)
    return gi.failure();
  if (gi.value().group_context.cipher_suite != welcome.cipher_suite || gi.value().group_context.version != 1)
    return failed(Error::Malformed, "GroupInfo of another cipher suite or version");
  return OpenedWelcome{ std::move(gs).value(), std::move(gi).value(), std::move(psk_secret).value() };
}

bool verify_group_info(const Crypto& c, const GroupInfo& info, const Bytes& signer_key)
{
  Writer tbs;
  return write(tbs, info.group_context) && write(tbs, info.extensions) && write(tbs, info.confirmation_tag) &&
         write(tbs, info.signer) && c.verify_with_label(signer_key, "GroupInfoTBS", tbs.bytes(), info.signature);
}

Result<Group> Group::join(const Welcome& welcome, const KeyPackageSecrets& kp, const std::optional<RatchetTree>& tree,
                          const ExternalPsks& psks)
{
  auto crypto = Crypto::for_suite(welcome.cipher_suite);
  if (!crypto)
    return crypto.failure();
  const Crypto& c = crypto.value();
  auto opened = open_welcome(c, welcome, kp.key_package, kp.init_priv, psks);
  if (!opened)
    return opened.failure();
  const GroupInfo& info = opened.value().info;
  const GroupSecrets& gs = opened.value().secrets;
  const SecretBytes& psk_secret = opened.value().psk_secret;

  // The tree: from the ratchet_tree extension, else from the caller.
  std::optional<RatchetTree> nodes = tree;
  for (const auto& ext : info.extensions)
    if (ext.type == kExtRatchetTree) {
      auto t = wire::decode<RatchetTree>(ext.data);
      if (!t)
        return t.failure();
      nodes = std::move(t).value();
    }
  if (!nodes)
    return failed(Error::InvalidArgument, "no ratchet tree in the Welcome and none given");
  auto state = RatchetTreeState::from_nodes(std::move(*nodes));
  if (!state)
    return state.failure();

  // GroupInfo signature by the signer's leaf.
  const LeafNode* signer = state.value().leaf(info.signer);
  if (!signer)
    return failed(Error::Malformed, "GroupInfo signer is a blank leaf");
  if (!verify_group_info(c, info, signer->signature_key))
    return failed(Error::BadSignature, "GroupInfo signature does not verify");

  auto th = state.value().tree_hash(c);
  if (!th || th.value() != info.group_context.tree_hash)
    return failed(Error::Malformed, "ratchet tree does not match the GroupInfo's tree hash");
  MLS_TRY(state.value().verify_parent_hashes(c));
  MLS_TRY(state.value().verify_leaves(c, info.group_context.group_id));

  Group g(c);
  g.tree_ = std::move(state).value();
  // Our leaf: the one identical to our KeyPackage's.
  auto my_leaf_bytes = wire::encode(kp.key_package.leaf_node);
  bool found = false;
  for (uint32_t i = 0; i < g.tree_.n_leaves() && !found; i++)
    if (const LeafNode* l = g.tree_.leaf(i); l && wire::encode(*l).value() == my_leaf_bytes.value()) {
      g.own_leaf_ = i;
      found = true;
    }
  if (!found)
    return failed(Error::Malformed, "our KeyPackage's leaf is not in the tree");
  g.node_privs_.emplace(tree::leaf_to_node(g.own_leaf_), kp.encryption_priv);
  if (gs.path_secret) {
    const uint32_t ancestor =
      tree::common_ancestor(tree::leaf_to_node(g.own_leaf_), tree::leaf_to_node(info.signer));
    std::vector<uint32_t> up{ ancestor };
    for (uint32_t x : tree::direct_path(ancestor, g.tree_.n_leaves()))
      up.push_back(x);
    SecretBytes secret = *gs.path_secret;
    for (uint32_t x : up) {
      const ParentNode* p = g.tree_.parent(x);
      if (!p)
        continue;  // blank: not on the committer's filtered path
      auto kp_node = node_key_pair(c, secret);
      if (!kp_node || kp_node.value().pub != p->encryption_key)
        return failed(Error::Malformed, "path secret does not match the tree");
      g.node_privs_[x] = std::move(kp_node.value().priv);
      auto next = next_path_secret(c, secret);
      if (!next)
        return next.failure();
      secret = std::move(next).value();
    }
  }
  g.signature_priv_ = kp.signature_priv;
  g.context_ = info.group_context;
  auto ctx = g.context_.encode();
  if (!ctx)
    return ctx.failure();
  g.context_bytes_ = ctx.value();
  auto secrets = derive_epoch_from_joiner(c, gs.joiner_secret, psk_secret, g.context_bytes_);
  if (!secrets)
    return secrets.failure();
  g.secrets_ = std::move(secrets).value();
  auto tag = c.mac(g.secrets_.confirmation_key, g.context_.confirmed_transcript_hash);
  if (!tag || !equal_ct(tag.value(), info.confirmation_tag))
    return failed(Error::AuthenticationFailed, "GroupInfo confirmation tag does not verify");
  auto interim = interim_hash(c, g.context_.confirmed_transcript_hash, info.confirmation_tag);
  if (!interim)
    return interim.failure();
  g.interim_transcript_hash_ = interim.value();
  g.secret_tree_ = std::make_shared<SecretTree>(c, g.secrets_.encryption_secret, g.tree_.n_leaves());
  g.remember_resumption_psk();
  return g;
}

Result<AuthenticatedContent> Group::unprotect(const MLSMessage& m, SecretTree* tree) const
{
  if (const auto* priv = std::get_if<PrivateMessage>(&m.message)) {
    if (priv->group_id != context_.group_id)
      return failed(Error::InvalidArgument, "message for another group");
    if (priv->epoch != context_.epoch)
      return failed(Error::InvalidArgument, "message for another epoch");
    auto ac = decrypt_private(crypto_, *priv, *tree, secrets_.sender_data_secret);
    if (!ac)
      return ac.failure();
    const LeafNode* sender = tree_.leaf(ac.value().content.sender.index);
    if (!sender || !verify_framed_content(crypto_, WireFormat::PrivateMessage, ac.value().content, context_bytes_,
                                          sender->signature_key, ac.value().auth.signature))
      return failed(Error::BadSignature, "PrivateMessage signature does not verify");
    return ac;
  }
  const auto* pub = std::get_if<PublicMessage>(&m.message);
  if (!pub)
    return failed(Error::InvalidArgument, "not a PublicMessage or PrivateMessage");
  const FramedContent& fc = pub->content;
  if (fc.group_id != context_.group_id)
    return failed(Error::InvalidArgument, "message for another group");
  if (fc.epoch != context_.epoch)
    return failed(Error::InvalidArgument, "message for another epoch");
  if (fc.content_type() == ContentType::Application)
    return failed(Error::InvalidArgument, "application data must be a PrivateMessage");
  Bytes signature_key;
  switch (fc.sender.type) {
    case Sender::kMember: {
      const LeafNode* l = tree_.leaf(fc.sender.index);
      if (!l)
        return failed(Error::InvalidArgument, "sender is not a member");
      if (!verify_membership_tag(crypto_, secrets_.membership_key, *pub, context_bytes_))
        return failed(Error::AuthenticationFailed, "membership tag does not verify");
      signature_key = l->signature_key;
      break;
    }
    case Sender::kExternal: {
      auto listed = external_senders();
      if (!listed)
        return listed.failure();
      const auto& senders = listed.value();
      if (fc.sender.index >= senders.size())
        return failed(Error::InvalidArgument, "unknown external sender");
      signature_key = senders[fc.sender.index].signature_key;
      break;
    }
    case Sender::kNewMemberProposal: {
      const auto* p = std::get_if<Proposal>(&fc.content);
      const Add* add = p ? std::get_if<Add>(&p->body) : nullptr;
      if (!add)
        return failed(Error::InvalidArgument, "new member proposal that is not an Add");
      signature_key = add->key_package.leaf_node.signature_key;
      break;
    }
    case Sender::kNewMemberCommit: {
      const auto* cm = std::get_if<Commit>(&fc.content);
      if (!cm || !cm->path)
        return failed(Error::InvalidArgument, "external commit without a path");
      signature_key = cm->path->leaf_node.signature_key;
      break;
    }
    default:
      return failed(Error::Malformed, "unknown sender type");
  }
  if (!verify_framed_content(crypto_, WireFormat::PublicMessage, fc, context_bytes_, signature_key,
                             pub->auth.signature))
    return failed(Error::BadSignature, "PublicMessage signature does not verify");
  return AuthenticatedContent{ WireFormat::PublicMessage, fc, pub->auth };
}

Result<Group> Group::handle(const MLSMessage& message, const ExternalPsks& psks) const
{
  Group next = *this;
  next.secret_tree_ = std::make_shared<SecretTree>(*secret_tree_);  // decryption consumes keys
  auto ac = next.unprotect(message, next.secret_tree_.get());
  if (!ac)
    return ac.failure();
  switch (ac.value().content.content_type()) {
    case ContentType::Application:
      return failed(Error::InvalidArgument, "application data is not a handshake message");
    case ContentType::Proposal: {
      auto ref = proposal_ref(crypto_, ac.value());
      if (!ref)
        return ref.failure();
      const Proposal& p = std::get<Proposal>(ac.value().content.content);
      if (const Add* add = std::get_if<Add>(&p.body); add && !key_package_valid(crypto_, add->key_package))
        return failed(Error::Malformed, "Add proposal with an invalid KeyPackage");
      next.proposals_[ref.value()] = CachedProposal{ p, ac.value().content.sender };
      return next;
    }
    case ContentType::Commit:
      return next.handle_commit(ac.value(), psks);
  }
  return failed(Error::Malformed, "unknown content type");
}

Result<Group> Group::handle_commit(const AuthenticatedContent& ac, const ExternalPsks& psks) const
{
  const Commit& commit = std::get<Commit>(ac.content.content);
  const Sender& sender = ac.content.sender;
  const bool external = sender.type == Sender::kNewMemberCommit;
  if (sender.type != Sender::kMember && !external)
    return failed(Error::InvalidArgument, "commit from a sender that cannot commit");
  if (!external && sender.index == own_leaf_)
    return failed(Error::InvalidArgument, "our own commit: apply it from the pending state");

  // Proposals in the order 12.3 applies them.
  std::vector<CachedProposal> list;
  for (const auto& por : commit.proposals) {
    if (const auto* p = std::get_if<Proposal>(&por.value)) {
      list.push_back({ *p, sender });
    } else {
      auto it = proposals_.find(std::get<Bytes>(por.value));
      if (it == proposals_.end())
        return failed(Error::InvalidArgument, "commit references a proposal we did not receive");
      list.push_back(it->second);
    }
  }
  bool path_required = list.empty();
  for (const auto& cp : list) {
    const auto t = cp.proposal.type();
    path_required = path_required || t == 2 || t == 3 || t == 6 || t == 7;
  }
  if (path_required && !commit.path)
    return failed(Error::Malformed, "commit without the path its proposals require");

  Group g = *this;
  std::vector<PreSharedKeyID> psk_ids;
  std::set<uint32_t> new_leaves;
  std::optional<SecretBytes> external_init_secret;
  for (int pass = 0; pass < 6; pass++) {
    for (const auto& cp : list) {
      const auto& body = cp.proposal.body;
      if (pass == 0) {
        if (const auto* gce = std::get_if<GroupContextExtensions>(&body))
          g.context_.extensions = gce->extensions;
      } else if (pass == 1) {
        if (const auto* up = std::get_if<Update>(&body)) {
          if (cp.sender.type != Sender::kMember || cp.sender.index == sender.index)
            return failed(Error::Malformed, "Update from the committer or a non-member");
          auto tbs = leaf_node_tbs(up->leaf_node, context_.group_id, cp.sender.index);
          if (!tbs || up->leaf_node.source != LeafNode::kUpdate ||
              !crypto_.verify_with_label(up->leaf_node.signature_key, "LeafNodeTBS", tbs.value(),
                                         up->leaf_node.signature))
            return failed(Error::BadSignature, "Update leaf signature does not verify");
          MLS_TRY(g.tree_.update(cp.sender.index, up->leaf_node));
        }
      } else if (pass == 2) {
        if (const auto* rm = std::get_if<Remove>(&body)) {
          if (!external && rm->removed == sender.index)
            return failed(Error::Malformed, "the committer removes itself");
          if (rm->removed == own_leaf_)
            return failed(Error::RemovedFromGroup, "this commit removes us from the group");
          MLS_TRY(g.tree_.remove(rm->removed));
        }
      } else if (pass == 3) {
        if (const auto* add = std::get_if<Add>(&body)) {
          if (!key_package_valid(crypto_, add->key_package))
            return failed(Error::Malformed, "Add of an invalid KeyPackage");
          auto index = g.tree_.add(add->key_package.leaf_node);
          if (!index)
            return index.failure();
          new_leaves.insert(index.value());
        }
      } else if (pass == 4) {
        if (const auto* psk = std::get_if<PreSharedKey>(&body))
          psk_ids.push_back(psk->psk);
      } else {
        if (const auto* ei = std::get_if<ExternalInit>(&body)) {
          if (!external)
            return failed(Error::Malformed, "ExternalInit in a member's commit");
          auto ext = crypto_.derive_key_pair(secrets_.external_secret);
          if (!ext)
            return ext.failure();
          auto init = hpke::receiver_export(crypto_.suite(), ei->kem_output, ext.value().priv, {},
                                            to_bytes("MLS 1.0 external init secret"), crypto_.hash_size());
          if (!init)
            return init.failure();
          external_init_secret = std::move(init).value();
        }
      }
    }
  }
  if (external && !external_init_secret)
    return failed(Error::Malformed, "external commit without ExternalInit");
  // Keys of nodes that proposals blanked are gone.
  for (auto it = g.node_privs_.begin(); it != g.node_privs_.end();)
    it = g.tree_.node(it->first) ? std::next(it) : g.node_privs_.erase(it);

  uint32_t committer = sender.index;
  SecretBytes commit_secret(crypto_.hash_size());
  if (commit.path) {
    const UpdatePath& path = *commit.path;
    if (external) {
      auto index = g.tree_.add(path.leaf_node);
      if (!index)
        return index.failure();
      committer = index.value();
    }
    auto tbs = leaf_node_tbs(path.leaf_node, context_.group_id, committer);
    if (!tbs || !crypto_.verify_with_label(path.leaf_node.signature_key, "LeafNodeTBS", tbs.value(),
                                           path.leaf_node.signature))
      return failed(Error::BadSignature, "UpdatePath leaf signature does not verify");
    MLS_TRY(g.tree_.merge_update_path(crypto_, committer, path));
    // Provisional GroupContext (12.4.2): new epoch and tree, old transcript.
    GroupContext provisional = g.context_;
    provisional.epoch = context_.epoch + 1;
    auto th = g.tree_.tree_hash(crypto_);
    if (!th)
      return th.failure();
    provisional.tree_hash = th.value();
    auto pctx = provisional.encode();
    if (!pctx)
      return pctx.failure();
    // The merge changed only the committer's direct path, never a copath
    // subtree, which is all decryption looks at.
    auto dec = decrypt_update_path(crypto_, g.tree_, committer, path, own_leaf_, g.node_privs_, pctx.value(),
                                   new_leaves);
    if (!dec)
      return dec.failure();
    for (uint32_t x : tree::direct_path(tree::leaf_to_node(committer), g.tree_.n_leaves()))
      g.node_privs_.erase(x);
    for (auto& [node, priv] : dec.value().node_private_keys)
      g.node_privs_[node] = std::move(priv);
    commit_secret = std::move(dec.value().commit_secret);
  }

  // Transcript hashes (8.2) and the new GroupContext.
  Writer confirmed_input;
  confirmed_input.raw(interim_transcript_hash_);
  confirmed_input.u16(static_cast<uint16_t>(ac.wire_format));
  if (!write(confirmed_input, ac.content) || !confirmed_input.opaque(ac.auth.signature))
    return wire::too_large();
  auto confirmed = crypto_.hash(confirmed_input.bytes());
  if (!confirmed)
    return confirmed.failure();
  g.context_.epoch = context_.epoch + 1;
  auto th = g.tree_.tree_hash(crypto_);
  if (!th)
    return th.failure();
  g.context_.tree_hash = th.value();
  g.context_.confirmed_transcript_hash = confirmed.value();
  auto ctx = g.context_.encode();
  if (!ctx)
    return ctx.failure();
  g.context_bytes_ = ctx.value();

  auto inputs = psk_inputs(psk_ids, psks, &context_.group_id, &resumption_psks_);
  if (!inputs)
    return inputs.failure();
  auto psk_secret = mls::psk_secret(crypto_, inputs.value());
  if (!psk_secret)
    return psk_secret.failure();
  const SecretBytes& init = external_init_secret ? *external_init_secret : secrets_.init_secret;
  auto secrets = derive_epoch(crypto_, init, commit_secret, psk_secret.value(), g.context_bytes_);
  if (!secrets)
    return secrets.failure();
  g.secrets_ = std::move(secrets).value();
  auto tag = crypto_.mac(g.secrets_.confirmation_key, confirmed.value());
  if (!tag || !equal_ct(tag.value(), ac.auth.confirmation_tag))
    return failed(Error::AuthenticationFailed, "commit confirmation tag does not verify");
  auto interim = interim_hash(crypto_, confirmed.value(), ac.auth.confirmation_tag);
  if (!interim)
    return interim.failure();
  g.interim_transcript_hash_ = interim.value();
  g.secret_tree_ = std::make_shared<SecretTree>(crypto_, g.secrets_.encryption_secret, g.tree_.n_leaves());
  g.proposals_.clear();
  g.remember_resumption_psk();
  return g;
}

Result<std::vector<ExternalSender>> Group::external_senders() const
{
  std::vector<ExternalSender> senders;
  for (const auto& ext : context_.extensions)
    if (ext.type == kExtExternalSenders) {
      Reader r(ext.data);
      MLS_TRY(read(r, senders));
      if (!r.empty())
        return failed(Error::Malformed, "trailing bytes after the external_senders extension");
    }
  return senders;
}

std::vector<uint32_t> Group::pending_removals() const
{
  std::vector<uint32_t> out;
  for (const auto& [ref, cp] : proposals_)
    if (const auto* rm = std::get_if<Remove>(&cp.proposal.body))
      out.push_back(rm->removed);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

} // namespace gste2ee::mls
