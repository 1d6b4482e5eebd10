// SPDX-License-Identifier: LGPL-2.1-or-later
// messages.json: every message type decodes (strictly, no trailing bytes)
// and encodes back to the same bytes. transcript-hashes.json: the confirmed
// and interim transcript hashes (RFC 9420 8.2) from an AuthenticatedContent,
// and its confirmation tag.
#include "mls-vectors.h"
#include "mls/messages.h"

namespace mlsvec {

namespace m = gste2ee::mls;

namespace {

template <typename T>
std::string round_trip(const char* name, const m::Bytes& in)
{
  auto decoded = m::wire::decode<T>(in);
  if (!decoded)
    return std::string(name) + ": decode refused: " + decoded.message();
  auto encoded = m::wire::encode(decoded.value());
  if (!encoded)
    return std::string(name) + ": encode failed";
  return mismatch(std::string(name) + " round trip", encoded.value(), in);
}

std::string mls_message(const char* name, const m::Bytes& in, m::WireFormat want)
{
  auto decoded = m::wire::decode<m::MLSMessage>(in);
  if (decoded && decoded.value().wire_format() != want)
    return std::string(name) + ": decoded as another wire format";
  return round_trip<m::MLSMessage>(name, in);
}

// A proposal body is serialized without its type: decode it as a Proposal of
// that type and compare the body bytes.
std::string proposal_body(const char* name, uint16_t type, const m::Bytes& body)
{
  m::Writer w;
  w.u16(type);
  w.raw(body);
  const m::Bytes in = w.take();
  auto decoded = m::wire::decode<m::Proposal>(in);
  if (!decoded)
    return std::string(name) + ": decode refused: " + decoded.message();
  if (decoded.value().type() != type)
    return std::string(name) + ": decoded as another proposal type";
  return round_trip<m::Proposal>(name, in);
}

} // namespace

std::string check_messages(const testjson::Value& c)
{
  std::string e;
  if (!(e = mls_message("mls_welcome", c["mls_welcome"].hex(), m::WireFormat::Welcome)).empty() ||
      !(e = mls_message("mls_group_info", c["mls_group_info"].hex(), m::WireFormat::GroupInfo)).empty() ||
      !(e = mls_message("mls_key_package", c["mls_key_package"].hex(), m::WireFormat::KeyPackage)).empty() ||
      !(e = round_trip<m::RatchetTree>("ratchet_tree", c["ratchet_tree"].hex())).empty() ||
      !(e = round_trip<m::GroupSecrets>("group_secrets", c["group_secrets"].hex())).empty() ||
      !(e = proposal_body("add_proposal", 1, c["add_proposal"].hex())).empty() ||
      !(e = proposal_body("update_proposal", 2, c["update_proposal"].hex())).empty() ||
      !(e = proposal_body("remove_proposal", 3, c["remove_proposal"].hex())).empty() ||
      !(e = proposal_body("pre_shared_key_proposal", 4, c["pre_shared_key_proposal"].hex())).empty() ||
      !(e = proposal_body("re_init_proposal", 5, c["re_init_proposal"].hex())).empty() ||
      !(e = proposal_body("external_init_proposal", 6, c["external_init_proposal"].hex())).empty() ||
      !(e = proposal_body("group_context_extensions_proposal", 7, c["group_context_extensions_proposal"].hex()))
         .empty() ||
      !(e = round_trip<m::Commit>("commit", c["commit"].hex())).empty() ||
      !(e = mls_message("public_message_application", c["public_message_application"].hex(),
                        m::WireFormat::PublicMessage))
         .empty() ||
      !(e = mls_message("public_message_proposal", c["public_message_proposal"].hex(), m::WireFormat::PublicMessage))
         .empty() ||
      !(e = mls_message("public_message_commit", c["public_message_commit"].hex(), m::WireFormat::PublicMessage))
         .empty() ||
      !(e = mls_message("private_message", c["private_message"].hex(), m::WireFormat::PrivateMessage)).empty())
    return e;
  return "";
}

std::string check_transcript_hashes(const testjson::Value& c)
{
  auto crypto = m::Crypto::for_suite(static_cast<uint16_t>(c["cipher_suite"].u64()));
  if (!crypto)
    return "suite not supported";
  auto ac = m::wire::decode<m::AuthenticatedContent>(c["authenticated_content"].hex());
  if (!ac)
    return std::string("AuthenticatedContent refused: ") + ac.message();
  const m::AuthenticatedContent& a = ac.value();
  if (a.content.content_type() != m::ContentType::Commit)
    return "not a commit";
  // ConfirmedTranscriptHashInput { wire_format; FramedContent content; opaque signature<V>; }
  m::Writer input;
  input.raw(c["interim_transcript_hash_before"].hex());
  input.u16(static_cast<uint16_t>(a.wire_format));
  if (!m::write(input, a.content) ||
      !input.opaque(a.auth.signature))
    return "encode failed";
  auto confirmed = crypto.value().hash(input.bytes());
  std::string e;
  if (!confirmed ||
      !(e = mismatch("confirmed_transcript_hash", confirmed.value(), c["confirmed_transcript_hash_after"].hex()))
         .empty())
    return confirmed ? e : "hash failed";
  // InterimTranscriptHashInput { MAC confirmation_tag; }
  m::Writer interim_input;
  interim_input.raw(confirmed.value());
  if (!interim_input.opaque(a.auth.confirmation_tag))
    return "encode failed";
  auto interim = crypto.value().hash(interim_input.bytes());
  if (!interim ||
      !(e = mismatch("interim_transcript_hash", interim.value(), c["interim_transcript_hash_after"].hex())).empty())
    return interim ? e : "hash failed";
  auto tag = crypto.value().mac(m::SecretBytes(c["confirmation_key"].hex()), confirmed.value());
  if (!tag || !(e = mismatch("confirmation_tag", tag.value(), a.auth.confirmation_tag)).empty())
    return tag ? e : "MAC failed";
  return "";
}

} // namespace mlsvec
