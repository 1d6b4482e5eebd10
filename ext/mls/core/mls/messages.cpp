// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/messages.h"

namespace gste2ee::mls {

using wire::read;
using wire::write;

namespace {

Failure bad_enum(const char* what)
{
  return failed(Error::Malformed, what);
}

// Reads one alternative of a variant into `out`.
template <typename V, typename T>
Result<void> read_into(Reader& r, V& out)
{
  T item{};
  MLS_TRY(read(r, item));
  out = std::move(item);
  return {};
}

} // namespace

// --- credentials and capabilities (5.3, 7.2) ---

Result<void> read(Reader& r, Credential& out)
{
  MLS_TRY(read(r, out.type));
  if (out.type == Credential::kBasic)
    return read(r, out.identity);
  if (out.type == Credential::kX509)
    return read(r, out.certificates);
  return bad_enum("unknown credential type");
}

bool write(Writer& w, const Credential& v)
{
  if (!write(w, v.type))
    return false;
  if (v.type == Credential::kBasic)
    return write(w, v.identity);
  return v.type == Credential::kX509 && write(w, v.certificates);
}

Result<void> read(Reader& r, ExternalSender& out)
{
  MLS_TRY(read(r, out.signature_key));
  return read(r, out.credential);
}

bool write(Writer& w, const ExternalSender& v)
{
  return write(w, v.signature_key) && write(w, v.credential);
}

Result<void> read(Reader& r, Capabilities& out)
{
  MLS_TRY(read(r, out.versions));
  MLS_TRY(read(r, out.cipher_suites));
  MLS_TRY(read(r, out.extensions));
  MLS_TRY(read(r, out.proposals));
  return read(r, out.credentials);
}

bool write(Writer& w, const Capabilities& v)
{
  return write(w, v.versions) && write(w, v.cipher_suites) && write(w, v.extensions) && write(w, v.proposals) &&
         write(w, v.credentials);
}

Result<void> read(Reader& r, Lifetime& out)
{
  MLS_TRY(read(r, out.not_before));
  return read(r, out.not_after);
}

bool write(Writer& w, const Lifetime& v)
{
  return write(w, v.not_before) && write(w, v.not_after);
}

// --- the ratchet tree's nodes (7.1, 7.2) ---

bool write_leaf_node_content(Writer& w, const LeafNode& v)
{
  if (!write(w, v.encryption_key) || !write(w, v.signature_key) || !write(w, v.credential) ||
      !write(w, v.capabilities) || !write(w, v.source))
    return false;
  switch (v.source) {
    case LeafNode::kKeyPackage:
      if (!write(w, v.lifetime))
        return false;
      break;
    case LeafNode::kUpdate:
      break;
    case LeafNode::kCommit:
      if (!write(w, v.parent_hash))
        return false;
      break;
    default:
      return false;
  }
  return write(w, v.extensions);
}

Result<void> read(Reader& r, LeafNode& out)
{
  MLS_TRY(read(r, out.encryption_key));
  MLS_TRY(read(r, out.signature_key));
  MLS_TRY(read(r, out.credential));
  MLS_TRY(read(r, out.capabilities));
  MLS_TRY(read(r, out.source));
  switch (out.source) {
    case LeafNode::kKeyPackage: MLS_TRY(read(r, out.lifetime)); break;
    case LeafNode::kUpdate: break;
    case LeafNode::kCommit: MLS_TRY(read(r, out.parent_hash)); break;
    default: return bad_enum("unknown leaf node source");
  }
  MLS_TRY(read(r, out.extensions));
  return read(r, out.signature);
}

bool write(Writer& w, const LeafNode& v)
{
  return write_leaf_node_content(w, v) && write(w, v.signature);
}

Result<void> read(Reader& r, ParentNode& out)
{
  MLS_TRY(read(r, out.encryption_key));
  MLS_TRY(read(r, out.parent_hash));
  return read(r, out.unmerged_leaves);
}

bool write(Writer& w, const ParentNode& v)
{
  return write(w, v.encryption_key) && write(w, v.parent_hash) && write(w, v.unmerged_leaves);
}

Result<void> read(Reader& r, Node& out)
{
  uint8_t type = 0;
  MLS_TRY(read(r, type));
  if (type == 1)
    return read_into<decltype(out.node), LeafNode>(r, out.node);
  if (type == 2)
    return read_into<decltype(out.node), ParentNode>(r, out.node);
  return bad_enum("unknown node type");
}

bool write(Writer& w, const Node& v)
{
  if (const auto* leaf = std::get_if<LeafNode>(&v.node))
    return write(w, uint8_t{ 1 }) && write(w, *leaf);
  return write(w, uint8_t{ 2 }) && write(w, std::get<ParentNode>(v.node));
}

Result<void> read(Reader& r, KeyPackage& out)
{
  MLS_TRY(read(r, out.version));
  MLS_TRY(read(r, out.cipher_suite));
  MLS_TRY(read(r, out.init_key));
  MLS_TRY(read(r, out.leaf_node));
  MLS_TRY(read(r, out.extensions));
  return read(r, out.signature);
}

bool write(Writer& w, const KeyPackage& v)
{
  return write(w, v.version) && write(w, v.cipher_suite) && write(w, v.init_key) && write(w, v.leaf_node) &&
         write(w, v.extensions) && write(w, v.signature);
}

// --- proposals and commits (12.1, 12.4) ---

Result<void> read(Reader& r, PreSharedKeyID& out)
{
  MLS_TRY(read(r, out.type));
  if (out.type == 1) {
    MLS_TRY(read(r, out.psk_id));
  } else if (out.type == 2) {
    MLS_TRY(read(r, out.usage));
    if (out.usage < 1 || out.usage > 3)
      return bad_enum("unknown resumption PSK usage");
    MLS_TRY(read(r, out.psk_group_id));
    MLS_TRY(read(r, out.psk_epoch));
  } else {
    return bad_enum("unknown PSK type");
  }
  return read(r, out.psk_nonce);
}

bool write(Writer& w, const PreSharedKeyID& v)
{
  if (!write(w, v.type))
    return false;
  if (v.type == 1) {
    if (!write(w, v.psk_id))
      return false;
  } else if (v.type == 2) {
    if (!write(w, v.usage) || !write(w, v.psk_group_id) || !write(w, v.psk_epoch))
      return false;
  } else {
    return false;
  }
  return write(w, v.psk_nonce);
}

Result<void> read(Reader& r, Proposal& out)
{
  uint16_t type = 0;
  MLS_TRY(read(r, type));
  switch (type) {
    case 1: {
      Add a;
      MLS_TRY(read(r, a.key_package));
      out.body = std::move(a);
      return {};
    }
    case 2: {
      Update u;
      MLS_TRY(read(r, u.leaf_node));
      out.body = std::move(u);
      return {};
    }
    case 3: {
      Remove rm;
      MLS_TRY(read(r, rm.removed));
      out.body = rm;
      return {};
    }
    case 4: {
      PreSharedKey p;
      MLS_TRY(read(r, p.psk));
      out.body = std::move(p);
      return {};
    }
    case 5: {
      ReInit ri;
      MLS_TRY(read(r, ri.group_id));
      MLS_TRY(read(r, ri.version));
      MLS_TRY(read(r, ri.cipher_suite));
      MLS_TRY(read(r, ri.extensions));
      out.body = std::move(ri);
      return {};
    }
    case 6: {
      ExternalInit ei;
      MLS_TRY(read(r, ei.kem_output));
      out.body = std::move(ei);
      return {};
    }
    case 7: {
      GroupContextExtensions g;
      MLS_TRY(read(r, g.extensions));
      out.body = std::move(g);
      return {};
    }
    default:
      return bad_enum("unknown proposal type");
  }
}

bool write(Writer& w, const Proposal& v)
{
  if (!write(w, v.type()))
    return false;
  return std::visit(
    [&w](const auto& body) -> bool {
      using T = std::decay_t<decltype(body)>;
      if constexpr (std::is_same_v<T, Add>)
        return write(w, body.key_package);
      else if constexpr (std::is_same_v<T, Update>)
        return write(w, body.leaf_node);
      else if constexpr (std::is_same_v<T, Remove>)
        return write(w, body.removed);
      else if constexpr (std::is_same_v<T, PreSharedKey>)
        return write(w, body.psk);
      else if constexpr (std::is_same_v<T, ReInit>)
        return write(w, body.group_id) && write(w, body.version) && write(w, body.cipher_suite) &&
               write(w, body.extensions);
      else if constexpr (std::is_same_v<T, ExternalInit>)
        return write(w, body.kem_output);
      else
        return write(w, body.extensions);
    },
    v.body);
}

Result<void> read(Reader& r, ProposalOrRef& out)
{
  uint8_t type = 0;
  MLS_TRY(read(r, type));
  if (type == 1)
    return read_into<decltype(out.value), Proposal>(r, out.value);
  if (type == 2)
    return read_into<decltype(out.value), Bytes>(r, out.value);
  return bad_enum("unknown ProposalOrRef type");
}

bool write(Writer& w, const ProposalOrRef& v)
{
  if (const auto* p = std::get_if<Proposal>(&v.value))
    return write(w, uint8_t{ 1 }) && write(w, *p);
  return write(w, uint8_t{ 2 }) && write(w, std::get<Bytes>(v.value));
}

Result<void> read(Reader& r, HpkeCiphertext& out)
{
  MLS_TRY(read(r, out.kem_output));
  return read(r, out.ciphertext);
}

bool write(Writer& w, const HpkeCiphertext& v)
{
  return write(w, v.kem_output) && write(w, v.ciphertext);
}

Result<void> read(Reader& r, UpdatePathNode& out)
{
  MLS_TRY(read(r, out.encryption_key));
  return read(r, out.encrypted_path_secret);
}

bool write(Writer& w, const UpdatePathNode& v)
{
  return write(w, v.encryption_key) && write(w, v.encrypted_path_secret);
}

Result<void> read(Reader& r, UpdatePath& out)
{
  MLS_TRY(read(r, out.leaf_node));
  return read(r, out.nodes);
}

bool write(Writer& w, const UpdatePath& v)
{
  return write(w, v.leaf_node) && write(w, v.nodes);
}

Result<void> read(Reader& r, Commit& out)
{
  MLS_TRY(read(r, out.proposals));
  return read(r, out.path);
}

bool write(Writer& w, const Commit& v)
{
  return write(w, v.proposals) && write(w, v.path);
}

// --- framing (6) ---

Result<void> read(Reader& r, Sender& out)
{
  MLS_TRY(read(r, out.type));
  switch (out.type) {
    case Sender::kMember:
    case Sender::kExternal: return read(r, out.index);
    case Sender::kNewMemberProposal:
    case Sender::kNewMemberCommit: out.index = 0; return {};
    default: return bad_enum("unknown sender type");
  }
}

bool write(Writer& w, const Sender& v)
{
  if (!write(w, v.type))
    return false;
  if (v.type == Sender::kMember || v.type == Sender::kExternal)
    return write(w, v.index);
  return v.type == Sender::kNewMemberProposal || v.type == Sender::kNewMemberCommit;
}

Result<void> read(Reader& r, FramedContent& out)
{
  MLS_TRY(read(r, out.group_id));
  MLS_TRY(read(r, out.epoch));
  MLS_TRY(read(r, out.sender));
  MLS_TRY(read(r, out.authenticated_data));
  uint8_t type = 0;
  MLS_TRY(read(r, type));
  switch (type) {
    case 1: return read_into<decltype(out.content), Bytes>(r, out.content);
    case 2: return read_into<decltype(out.content), Proposal>(r, out.content);
    case 3: return read_into<decltype(out.content), Commit>(r, out.content);
    default: return bad_enum("unknown content type");
  }
}

bool write(Writer& w, const FramedContent& v)
{
  if (!write(w, v.group_id) || !write(w, v.epoch) || !write(w, v.sender) || !write(w, v.authenticated_data) ||
      !write(w, static_cast<uint8_t>(v.content_type())))
    return false;
  return std::visit([&w](const auto& c) { return write(w, c); }, v.content);
}

Result<void> read_auth(Reader& r, ContentType type, FramedContentAuthData& out)
{
  MLS_TRY(read(r, out.signature));
  out.confirmation_tag.clear();
  if (type == ContentType::Commit)
    return read(r, out.confirmation_tag);
  return {};
}

bool write_auth(Writer& w, ContentType type, const FramedContentAuthData& a)
{
  return write(w, a.signature) && (type != ContentType::Commit || write(w, a.confirmation_tag));
}

Result<void> read(Reader& r, PublicMessage& out)
{
  MLS_TRY(read(r, out.content));
  MLS_TRY(read_auth(r, out.content.content_type(), out.auth));
  out.membership_tag.clear();
  if (out.content.sender.type == Sender::kMember)
    return read(r, out.membership_tag);
  return {};
}

bool write(Writer& w, const PublicMessage& v)
{
  return write(w, v.content) && write_auth(w, v.content.content_type(), v.auth) &&
         (v.content.sender.type != Sender::kMember || write(w, v.membership_tag));
}

Result<void> read(Reader& r, PrivateMessage& out)
{
  MLS_TRY(read(r, out.group_id));
  MLS_TRY(read(r, out.epoch));
  MLS_TRY(read(r, out.content_type));
  if (out.content_type < 1 || out.content_type > 3)
    return bad_enum("unknown content type");
  MLS_TRY(read(r, out.authenticated_data));
  MLS_TRY(read(r, out.encrypted_sender_data));
  return read(r, out.ciphertext);
}

bool write(Writer& w, const PrivateMessage& v)
{
  return write(w, v.group_id) && write(w, v.epoch) && write(w, v.content_type) && write(w, v.authenticated_data) &&
         write(w, v.encrypted_sender_data) && write(w, v.ciphertext);
}

Result<void> read(Reader& r, AuthenticatedContent& out)
{
  uint16_t wf = 0;
  MLS_TRY(read(r, wf));
  if (wf != 1 && wf != 2)
    return bad_enum("AuthenticatedContent of a wire format without content");
  out.wire_format = static_cast<WireFormat>(wf);
  MLS_TRY(read(r, out.content));
  return read_auth(r, out.content.content_type(), out.auth);
}

bool write(Writer& w, const AuthenticatedContent& v)
{
  return write(w, static_cast<uint16_t>(v.wire_format)) && write(w, v.content) &&
         write_auth(w, v.content.content_type(), v.auth);
}

// --- joining (12.4.3) ---

Result<void> read(Reader& r, EncryptedGroupSecrets& out)
{
  MLS_TRY(read(r, out.new_member));
  return read(r, out.encrypted_group_secrets);
}

bool write(Writer& w, const EncryptedGroupSecrets& v)
{
  return write(w, v.new_member) && write(w, v.encrypted_group_secrets);
}

Result<void> read(Reader& r, Welcome& out)
{
  MLS_TRY(read(r, out.cipher_suite));
  MLS_TRY(read(r, out.secrets));
  return read(r, out.encrypted_group_info);
}

bool write(Writer& w, const Welcome& v)
{
  return write(w, v.cipher_suite) && write(w, v.secrets) && write(w, v.encrypted_group_info);
}

Result<void> read(Reader& r, GroupInfo& out)
{
  MLS_TRY(read(r, out.group_context));
  MLS_TRY(read(r, out.extensions));
  MLS_TRY(read(r, out.confirmation_tag));
  MLS_TRY(read(r, out.signer));
  return read(r, out.signature);
}

bool write(Writer& w, const GroupInfo& v)
{
  return write(w, v.group_context) && write(w, v.extensions) && write(w, v.confirmation_tag) &&
         write(w, v.signer) && write(w, v.signature);
}

Result<void> read(Reader& r, GroupSecrets& out)
{
  MLS_TRY(read(r, out.joiner_secret));
  MLS_TRY(read(r, out.path_secret));
  return read(r, out.psks);
}

bool write(Writer& w, const GroupSecrets& v)
{
  return write(w, v.joiner_secret) && write(w, v.path_secret) && write(w, v.psks);
}

Result<void> read(Reader& r, MLSMessage& out)
{
  MLS_TRY(read(r, out.version));
  if (out.version != 1)
    return failed(Error::Malformed, "not an MLS 1.0 message");
  uint16_t wf = 0;
  MLS_TRY(read(r, wf));
  switch (wf) {
    case 1: return read_into<decltype(out.message), PublicMessage>(r, out.message);
    case 2: return read_into<decltype(out.message), PrivateMessage>(r, out.message);
    case 3: return read_into<decltype(out.message), Welcome>(r, out.message);
    case 4: return read_into<decltype(out.message), GroupInfo>(r, out.message);
    case 5: return read_into<decltype(out.message), KeyPackage>(r, out.message);
    default: return bad_enum("unknown wire format");
  }
}

bool write(Writer& w, const MLSMessage& v)
{
  if (!write(w, v.version) || !write(w, static_cast<uint16_t>(v.wire_format())))
    return false;
  return std::visit([&w](const auto& m) { return write(w, m); }, v.message);
}

} // namespace gste2ee::mls
