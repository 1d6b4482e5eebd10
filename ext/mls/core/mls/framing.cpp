// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/framing.h"

#include <openssl/crypto.h>

#include "mls/primitives.h"

namespace gste2ee::mls {

using wire::read;
using wire::write;

namespace {

// struct { ProtocolVersion version = mls10; WireFormat wire_format; FramedContent content;
//          select (sender_type) { member, new_member_commit: GroupContext context; others: {} } }
bool write_tbs(Writer& w, WireFormat wf, const FramedContent& content, const Bytes& group_context)
{
  w.u16(1);
  w.u16(static_cast<uint16_t>(wf));
  if (!write(w, content))
    return false;
  if (content.sender.type == Sender::kMember || content.sender.type == Sender::kNewMemberCommit)
    w.raw(group_context);
  return true;
}

ContentKind kind_of(ContentType t)
{
  return t == ContentType::Application ? ContentKind::Application : ContentKind::Handshake;
}

// PrivateContentAAD / SenderDataAAD (6.3.1, 6.3.2).
Result<Bytes> content_aad(const PrivateMessage& m)
{
  Writer w;
  if (!write(w, m.group_id))
    return wire::too_large();
  w.u64(m.epoch);
  w.u8(m.content_type);
  if (!write(w, m.authenticated_data))
    return wire::too_large();
  return w.take();
}

Result<Bytes> sender_data_aad(const PrivateMessage& m)
{
  Writer w;
  if (!write(w, m.group_id))
    return wire::too_large();
  w.u64(m.epoch);
  w.u8(m.content_type);
  return w.take();
}

constexpr size_t kReuseGuard = 4;

} // namespace

Result<Bytes> sign_framed_content(const Crypto& c, WireFormat wf, const FramedContent& content,
                                  const Bytes& group_context, const SecretBytes& signature_priv)
{
  Writer tbs;
  if (!write_tbs(tbs, wf, content, group_context))
    return wire::too_large();
  return c.sign_with_label(signature_priv, "FramedContentTBS", tbs.bytes());
}

bool verify_framed_content(const Crypto& c, WireFormat wf, const FramedContent& content, const Bytes& group_context,
                           const Bytes& signature_pub, const Bytes& signature)
{
  Writer tbs;
  return write_tbs(tbs, wf, content, group_context) &&
         c.verify_with_label(signature_pub, "FramedContentTBS", tbs.bytes(), signature);
}

Result<Bytes> membership_tag(const Crypto& c, const SecretBytes& membership_key, const FramedContent& content,
                             const FramedContentAuthData& auth, const Bytes& group_context)
{
  // AuthenticatedContentTBM { FramedContentTBS content_tbs; FramedContentAuthData auth; }
  Writer tbm;
  if (!write_tbs(tbm, WireFormat::PublicMessage, content, group_context) ||
      !write_auth(tbm, content.content_type(), auth))
    return wire::too_large();
  return c.mac(membership_key, tbm.bytes());
}

bool verify_membership_tag(const Crypto& c, const SecretBytes& membership_key, const PublicMessage& m,
                           const Bytes& group_context)
{
  auto tag = membership_tag(c, membership_key, m.content, m.auth, group_context);
  return tag && tag.value().size() == m.membership_tag.size() &&
         CRYPTO_memcmp(tag.value().data(), m.membership_tag.data(), tag.value().size()) == 0;
}

Result<PrivateMessage> encrypt_private(const Crypto& c, const FramedContent& content,
                                       const FramedContentAuthData& auth, SecretTree& tree,
                                       const SecretBytes& sender_data_secret, size_t padding)
{
  if (content.sender.type != Sender::kMember)
    return failed(Error::InvalidArgument, "only members send PrivateMessage");
  PrivateMessage m;
  m.group_id = content.group_id;
  m.epoch = content.epoch;
  m.content_type = static_cast<uint8_t>(content.content_type());
  m.authenticated_data = content.authenticated_data;

  // PrivateMessageContent { content; FramedContentAuthData auth; opaque padding[length_of_padding]; }
  Writer pt;
  if (!std::visit([&pt](const auto& body) { return write(pt, body); }, content.content) ||
      !write_auth(pt, content.content_type(), auth))
    return wire::too_large();
  pt.raw(Bytes(padding, 0));

  auto kn = tree.next(content.sender.index, kind_of(content.content_type()));
  if (!kn)
    return kn.failure();
  auto guard = prim::random_bytes(kReuseGuard);
  if (!guard)
    return guard.failure();
  Bytes nonce = kn.value().nonce;
  for (size_t i = 0; i < kReuseGuard; i++)
    nonce[i] ^= guard.value()[i];
  auto aad = content_aad(m);
  if (!aad)
    return aad.failure();
  auto ct = prim::seal(c.suite().aead, kn.value().key, nonce, aad.value(), pt.bytes());
  if (!ct)
    return ct.failure();
  m.ciphertext = std::move(ct).value();

  // SenderData { uint32 leaf_index; uint32 generation; opaque reuse_guard[4]; }
  Writer sd;
  sd.u32(content.sender.index);
  sd.u32(kn.value().generation);
  sd.raw(guard.value());
  auto sd_key = sender_data_key(c, sender_data_secret, m.ciphertext);
  auto sd_nonce = sender_data_nonce(c, sender_data_secret, m.ciphertext);
  auto sd_aad = sender_data_aad(m);
  if (!sd_key || !sd_nonce || !sd_aad)
    return failed(Error::CryptoFailure, "sender data key derivation failed");
  auto esd = prim::seal(c.suite().aead, sd_key.value(), sd_nonce.value(), sd_aad.value(), sd.bytes());
  if (!esd)
    return esd.failure();
  m.encrypted_sender_data = std::move(esd).value();
  return m;
}

Result<AuthenticatedContent> decrypt_private(const Crypto& c, const PrivateMessage& m, SecretTree& tree,
                                             const SecretBytes& sender_data_secret)
{
  if (m.content_type < 1 || m.content_type > 3)
    return failed(Error::Malformed, "unknown content type");
  auto sd_key = sender_data_key(c, sender_data_secret, m.ciphertext);
  auto sd_nonce = sender_data_nonce(c, sender_data_secret, m.ciphertext);
  auto sd_aad = sender_data_aad(m);
  if (!sd_key || !sd_nonce || !sd_aad)
    return failed(Error::CryptoFailure, "sender data key derivation failed");
  auto sd = prim::open(c.suite().aead, sd_key.value(), sd_nonce.value(), sd_aad.value(), m.encrypted_sender_data);
  if (!sd)
    return sd.failure();
  Reader sdr(sd.value().bytes());
  uint32_t leaf = 0, generation = 0;
  MLS_TRY(read(sdr, leaf));
  MLS_TRY(read(sdr, generation));
  auto guard = sdr.raw(kReuseGuard);
  if (!guard)
    return guard.failure();
  MLS_TRY(sdr.finish());

  const auto type = static_cast<ContentType>(m.content_type);
  auto kn = tree.get(leaf, kind_of(type), generation);
  if (!kn)
    return kn.failure();
  Bytes nonce = kn.value().nonce;
  for (size_t i = 0; i < kReuseGuard; i++)
    nonce[i] ^= guard.value()[i];
  auto aad = content_aad(m);
  if (!aad)
    return aad.failure();
  auto pt = prim::open(c.suite().aead, kn.value().key, nonce, aad.value(), m.ciphertext);
  if (!pt)
    return pt.failure();

  AuthenticatedContent out;
  out.wire_format = WireFormat::PrivateMessage;
  out.content.group_id = m.group_id;
  out.content.epoch = m.epoch;
  out.content.sender = Sender{ Sender::kMember, leaf };
  out.content.authenticated_data = m.authenticated_data;
  Reader r(pt.value().bytes());
  switch (type) {
    case ContentType::Application: {
      Bytes data;
      MLS_TRY(read(r, data));
      out.content.content = std::move(data);
      break;
    }
    case ContentType::Proposal: {
      Proposal p;
      MLS_TRY(read(r, p));
      out.content.content = std::move(p);
      break;
    }
    case ContentType::Commit: {
      Commit cm;
      MLS_TRY(read(r, cm));
      out.content.content = std::move(cm);
      break;
    }
  }
  MLS_TRY(read_auth(r, type, out.auth));
  // 6.3.1: the padding must be all zeros.
  auto padding = r.raw(r.remaining());
  for (uint8_t b : padding.value())
    if (b != 0)
      return failed(Error::Malformed, "non-zero padding");
  return out;
}

} // namespace gste2ee::mls
