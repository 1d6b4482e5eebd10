// SPDX-License-Identifier: LGPL-2.1-or-later
// message-protection.json: unprotect the given PublicMessage (signature and
// membership tag) and PrivateMessage (sender data, content, padding,
// signature) of a proposal, a commit and application data; then protect the
// same content ourselves and unprotect that. The vectors' group has two
// members; the sender is the one at leaf 1.
#include "mls-vectors.h"
#include "mls/framing.h"

namespace mlsvec {

namespace m = gste2ee::mls;

namespace {

constexpr uint32_t kLeaves = 2;

struct Group {
  m::Crypto crypto;
  m::Bytes gc;
  m::Bytes group_id;
  uint64_t epoch;
  m::SecretBytes sig_priv;
  m::Bytes sig_pub;
  m::SecretBytes encryption_secret, sender_data_secret, membership_key;
};

// The vectors give application data bare, proposals and commits encoded.
m::Bytes content_bytes(const m::FramedContent& fc)
{
  if (const auto* data = std::get_if<m::Bytes>(&fc.content))
    return *data;
  return std::visit([](const auto& body) { return m::wire::encode(body).value(); }, fc.content);
}

std::string check_public(const Group& g, const char* name, const m::Bytes& msg, const m::Bytes& want)
{
  auto decoded = m::wire::decode<m::MLSMessage>(msg);
  if (!decoded || decoded.value().wire_format() != m::WireFormat::PublicMessage)
    return std::string(name) + ": not a PublicMessage";
  const auto& pm = std::get<m::PublicMessage>(decoded.value().message);
  if (!m::verify_membership_tag(g.crypto, g.membership_key, pm, g.gc))
    return std::string(name) + ": membership tag does not verify";
  if (!m::verify_framed_content(g.crypto, m::WireFormat::PublicMessage, pm.content, g.gc, g.sig_pub,
                                pm.auth.signature))
    return std::string(name) + ": signature does not verify";
  return mismatch(std::string(name) + " content", content_bytes(pm.content), want);
}

std::string check_private(const Group& g, const char* name, const m::Bytes& msg, const m::Bytes& want)
{
  auto decoded = m::wire::decode<m::MLSMessage>(msg);
  if (!decoded || decoded.value().wire_format() != m::WireFormat::PrivateMessage)
    return std::string(name) + ": not a PrivateMessage";
  m::SecretTree tree(g.crypto, g.encryption_secret, kLeaves);
  auto ac = m::decrypt_private(g.crypto, std::get<m::PrivateMessage>(decoded.value().message), tree,
                               g.sender_data_secret);
  if (!ac)
    return std::string(name) + ": decrypt refused: " + ac.message();
  if (!m::verify_framed_content(g.crypto, m::WireFormat::PrivateMessage, ac.value().content, g.gc, g.sig_pub,
                                ac.value().auth.signature))
    return std::string(name) + ": signature does not verify";
  return mismatch(std::string(name) + " content", content_bytes(ac.value().content), want);
}

// Protects `content` both ways ourselves and unprotects the results.
std::string own_round_trip(const Group& g, const char* name, m::FramedContent fc, bool also_public)
{
  fc.group_id = g.group_id;
  fc.epoch = g.epoch;
  fc.sender = m::Sender{ m::Sender::kMember, 1 };
  const m::Bytes want = content_bytes(fc);
  m::FramedContentAuthData auth;
  if (fc.content_type() == m::ContentType::Commit)
    auth.confirmation_tag = m::Bytes(g.crypto.hash_size(), 0x33);
  for (auto wf : { m::WireFormat::PrivateMessage, m::WireFormat::PublicMessage }) {
    if (wf == m::WireFormat::PublicMessage && !also_public)
      continue;
    auto sig = m::sign_framed_content(g.crypto, wf, fc, g.gc, g.sig_priv);
    if (!sig)
      return std::string(name) + ": signing failed";
    auth.signature = sig.value();
    m::MLSMessage msg;
    if (wf == m::WireFormat::PrivateMessage) {
      m::SecretTree tree(g.crypto, g.encryption_secret, kLeaves);
      auto pm = m::encrypt_private(g.crypto, fc, auth, tree, g.sender_data_secret, 17);
      if (!pm)
        return std::string(name) + ": encrypt failed: " + pm.message();
      msg.message.emplace<m::PrivateMessage>(pm.value());
      auto e = check_private(g, name, m::wire::encode(msg).value(), want);
      if (!e.empty())
        return "own " + e;
    } else {
      m::PublicMessage pm{ fc, auth, {} };
      auto tag = m::membership_tag(g.crypto, g.membership_key, fc, auth, g.gc);
      if (!tag)
        return std::string(name) + ": membership tag failed";
      pm.membership_tag = tag.value();
      msg.message.emplace<m::PublicMessage>(pm);
      auto e = check_public(g, name, m::wire::encode(msg).value(), want);
      if (!e.empty())
        return "own " + e;
      // A changed byte of content breaks the tag.
      pm.content.authenticated_data.push_back(1);
      if (m::verify_membership_tag(g.crypto, g.membership_key, pm, g.gc))
        return std::string(name) + ": membership tag ignores the content";
    }
  }
  return "";
}

} // namespace

std::string check_message_protection(const testjson::Value& c)
{
  auto crypto = m::Crypto::for_suite(static_cast<uint16_t>(c["cipher_suite"].u64()));
  if (!crypto)
    return "suite not supported";
  m::GroupContext gc;
  gc.cipher_suite = static_cast<uint16_t>(c["cipher_suite"].u64());
  gc.group_id = c["group_id"].hex();
  gc.epoch = c["epoch"].u64();
  gc.tree_hash = c["tree_hash"].hex();
  gc.confirmed_transcript_hash = c["confirmed_transcript_hash"].hex();
  Group g{ crypto.value(),
           gc.encode().value(),
           gc.group_id,
           gc.epoch,
           m::SecretBytes(c["signature_priv"].hex()),
           c["signature_pub"].hex(),
           m::SecretBytes(c["encryption_secret"].hex()),
           m::SecretBytes(c["sender_data_secret"].hex()),
           m::SecretBytes(c["membership_key"].hex()) };
  std::string e;
  const auto proposal = c["proposal"].hex(), commit = c["commit"].hex(), app = c["application"].hex();
  if (!(e = check_public(g, "proposal_pub", c["proposal_pub"].hex(), proposal)).empty() ||
      !(e = check_private(g, "proposal_priv", c["proposal_priv"].hex(), proposal)).empty() ||
      !(e = check_public(g, "commit_pub", c["commit_pub"].hex(), commit)).empty() ||
      !(e = check_private(g, "commit_priv", c["commit_priv"].hex(), commit)).empty() ||
      !(e = check_private(g, "application_priv", c["application_priv"].hex(), app)).empty())
    return e;

  m::FramedContent fc;
  fc.content = m::wire::decode<m::Proposal>(proposal).value();
  if (!(e = own_round_trip(g, "proposal", fc, true)).empty())
    return e;
  fc.content = m::wire::decode<m::Commit>(commit).value();
  if (!(e = own_round_trip(g, "commit", fc, true)).empty())
    return e;
  fc.content = app;
  return own_round_trip(g, "application", fc, false);
}

} // namespace mlsvec
