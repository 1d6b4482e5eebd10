// SPDX-License-Identifier: LGPL-2.1-or-later
// The wire structs of RFC 9420 (sections 5-12), each with read()/write() in
// the TLS presentation language. The RFC struct is quoted in short above each
// type. Decoding is strict: unknown enum values of a select are refused.
#pragma once

#include <optional>
#include <variant>
#include <vector>

#include "mls/extension.h"
#include "mls/key_schedule.h"
#include "mls/wire.h"

namespace gste2ee::mls {

// struct { CredentialType credential_type; select { basic: opaque identity<V>;
//          x509: Certificate certificates<V> (struct { opaque cert_data<V>; }) } } Credential;
struct Credential {
  static constexpr uint16_t kBasic = 1, kX509 = 2;
  uint16_t type = kBasic;
  Bytes identity;                 // basic
  std::vector<Bytes> certificates;  // x509
};

// struct { ProtocolVersion versions<V>; CipherSuite cipher_suites<V>; ExtensionType extensions<V>;
//          ProposalType proposals<V>; CredentialType credentials<V>; } Capabilities;
struct Capabilities {
  std::vector<uint16_t> versions, cipher_suites, extensions, proposals, credentials;
};

// struct { uint64 not_before; uint64 not_after; } Lifetime;
struct Lifetime {
  uint64_t not_before = 0, not_after = 0;
};

// struct { HPKEPublicKey encryption_key; SignaturePublicKey signature_key; Credential credential;
//          Capabilities capabilities; LeafNodeSource leaf_node_source;
//          select { key_package: Lifetime lifetime; update: {}; commit: opaque parent_hash<V>; };
//          Extension extensions<V>; opaque signature<V>; } LeafNode;
struct LeafNode {
  enum Source : uint8_t { kKeyPackage = 1, kUpdate = 2, kCommit = 3 };
  Bytes encryption_key;
  Bytes signature_key;
  Credential credential;
  Capabilities capabilities;
  uint8_t source = kKeyPackage;
  Lifetime lifetime;  // key_package
  Bytes parent_hash;  // commit
  std::vector<Extension> extensions;
  Bytes signature;
};

// struct { HPKEPublicKey encryption_key; opaque parent_hash<V>; uint32 unmerged_leaves<V>; } ParentNode;
struct ParentNode {
  Bytes encryption_key;
  Bytes parent_hash;
  std::vector<uint32_t> unmerged_leaves;
};

// struct { NodeType node_type; select { leaf: LeafNode; parent: ParentNode; } } Node;
struct Node {
  std::variant<LeafNode, ParentNode> node;
};

// optional<Node> ratchet_tree<V> (the ratchet_tree extension, 12.4.3.3).
using RatchetTree = std::vector<std::optional<Node>>;

// struct { ProtocolVersion version; CipherSuite cipher_suite; HPKEPublicKey init_key;
//          LeafNode leaf_node; Extension extensions<V>; opaque signature<V>; } KeyPackage;
struct KeyPackage {
  uint16_t version = 1;
  uint16_t cipher_suite = 0;
  Bytes init_key;
  LeafNode leaf_node;
  std::vector<Extension> extensions;
  Bytes signature;
};

// struct { PSKType psktype; select { external: opaque psk_id<V>;
//          resumption: ResumptionPSKUsage usage; opaque psk_group_id<V>; uint64 psk_epoch; };
//          opaque psk_nonce<V>; } PreSharedKeyID;
struct PreSharedKeyID {
  uint8_t type = 1;  // 1 external, 2 resumption
  Bytes psk_id;
  uint8_t usage = 1;
  Bytes psk_group_id;
  uint64_t psk_epoch = 0;
  Bytes psk_nonce;
};

// Proposal bodies (12.1).
struct Add { KeyPackage key_package; };
struct Update { LeafNode leaf_node; };
struct Remove { uint32_t removed = 0; };
struct PreSharedKey { PreSharedKeyID psk; };
struct ReInit {
  Bytes group_id;
  uint16_t version = 1;
  uint16_t cipher_suite = 0;
  std::vector<Extension> extensions;
};
struct ExternalInit { Bytes kem_output; };
struct GroupContextExtensions { std::vector<Extension> extensions; };

// struct { ProposalType proposal_type; select { add .. group_context_extensions } } Proposal;
struct Proposal {
  std::variant<Add, Update, Remove, PreSharedKey, ReInit, ExternalInit, GroupContextExtensions> body;
  uint16_t type() const { return static_cast<uint16_t>(body.index() + 1); }
};

// struct { ProposalOrRefType type; select { proposal: Proposal; reference: opaque ProposalRef<V>; } }
struct ProposalOrRef {
  std::variant<Proposal, Bytes> value;
};

// struct { opaque kem_output<V>; opaque ciphertext<V>; } HPKECiphertext;
struct HpkeCiphertext {
  Bytes kem_output;
  Bytes ciphertext;
};

// struct { HPKEPublicKey encryption_key; HPKECiphertext encrypted_path_secret<V>; } UpdatePathNode;
struct UpdatePathNode {
  Bytes encryption_key;
  std::vector<HpkeCiphertext> encrypted_path_secret;
};

// struct { LeafNode leaf_node; UpdatePathNode nodes<V>; } UpdatePath;
struct UpdatePath {
  LeafNode leaf_node;
  std::vector<UpdatePathNode> nodes;
};

// struct { ProposalOrRef proposals<V>; optional<UpdatePath> path; } Commit;
struct Commit {
  std::vector<ProposalOrRef> proposals;
  std::optional<UpdatePath> path;
};

// struct { SenderType sender_type; select { member: uint32 leaf_index; external: uint32 sender_index;
//          new_member_commit, new_member_proposal: {} } } Sender;
struct Sender {
  enum Type : uint8_t { kMember = 1, kExternal = 2, kNewMemberProposal = 3, kNewMemberCommit = 4 };
  uint8_t type = kMember;
  uint32_t index = 0;  // leaf_index or sender_index
};

enum class WireFormat : uint16_t { PublicMessage = 1, PrivateMessage = 2, Welcome = 3, GroupInfo = 4, KeyPackage = 5 };
enum class ContentType : uint8_t { Application = 1, Proposal = 2, Commit = 3 };

// struct { opaque group_id<V>; uint64 epoch; Sender sender; opaque authenticated_data<V>;
//          ContentType content_type; select { application: opaque application_data<V>;
//          proposal: Proposal; commit: Commit; } } FramedContent;
struct FramedContent {
  Bytes group_id;
  uint64_t epoch = 0;
  Sender sender;
  Bytes authenticated_data;
  std::variant<Bytes, Proposal, Commit> content;  // application, proposal, commit
  ContentType content_type() const { return static_cast<ContentType>(content.index() + 1); }
};

// struct { opaque signature<V>; select { commit: MAC confirmation_tag; others: {} } } FramedContentAuthData;
struct FramedContentAuthData {
  Bytes signature;
  Bytes confirmation_tag;  // commits only
};
Result<void> read_auth(Reader& r, ContentType type, FramedContentAuthData& out);
bool write_auth(Writer& w, ContentType type, const FramedContentAuthData& a);

// struct { FramedContent content; FramedContentAuthData auth;
//          select (sender_type) { member: MAC membership_tag; others: {} } } PublicMessage;
struct PublicMessage {
  FramedContent content;
  FramedContentAuthData auth;
  Bytes membership_tag;  // member senders only
};

// struct { opaque group_id<V>; uint64 epoch; ContentType content_type; opaque authenticated_data<V>;
//          opaque encrypted_sender_data<V>; opaque ciphertext<V>; } PrivateMessage;
struct PrivateMessage {
  Bytes group_id;
  uint64_t epoch = 0;
  uint8_t content_type = 1;
  Bytes authenticated_data;
  Bytes encrypted_sender_data;
  Bytes ciphertext;
};

// struct { WireFormat wire_format; FramedContent content; FramedContentAuthData auth; } AuthenticatedContent;
struct AuthenticatedContent {
  WireFormat wire_format = WireFormat::PublicMessage;
  FramedContent content;
  FramedContentAuthData auth;
};

// struct { KeyPackageRef new_member; HPKECiphertext encrypted_group_secrets; } EncryptedGroupSecrets;
struct EncryptedGroupSecrets {
  Bytes new_member;
  HpkeCiphertext encrypted_group_secrets;
};

// struct { CipherSuite cipher_suite; EncryptedGroupSecrets secrets<V>; opaque encrypted_group_info<V>; } Welcome;
struct Welcome {
  uint16_t cipher_suite = 0;
  std::vector<EncryptedGroupSecrets> secrets;
  Bytes encrypted_group_info;
};

// struct { GroupContext group_context; Extension extensions<V>; MAC confirmation_tag;
//          uint32 signer; opaque signature<V>; } GroupInfo;
struct GroupInfo {
  GroupContext group_context;
  std::vector<Extension> extensions;
  Bytes confirmation_tag;
  uint32_t signer = 0;
  Bytes signature;
};

// struct { opaque joiner_secret<V>; optional<PathSecret> path_secret; PreSharedKeyID psks<V>; } GroupSecrets;
// (PathSecret is struct { opaque path_secret<V>; }.)
struct GroupSecrets {
  SecretBytes joiner_secret;
  std::optional<SecretBytes> path_secret;
  std::vector<PreSharedKeyID> psks;
};

// struct { SignaturePublicKey signature_key; Credential credential; } ExternalSender;
// (12.1.8.1): the entries of a group's external_senders extension.
struct ExternalSender {
  Bytes signature_key;
  Credential credential;
};

// struct { ProtocolVersion version = mls10; WireFormat wire_format; select { ... } } MLSMessage;
struct MLSMessage {
  uint16_t version = 1;
  std::variant<PublicMessage, PrivateMessage, Welcome, GroupInfo, KeyPackage> message;
  WireFormat wire_format() const { return static_cast<WireFormat>(message.index() + 1); }
};

#define MLS_WIRE_STRUCT(T)                   \
  Result<void> read(Reader& r, T& out);      \
  bool write(Writer& w, const T& v);

MLS_WIRE_STRUCT(Credential)
MLS_WIRE_STRUCT(Capabilities)
MLS_WIRE_STRUCT(Lifetime)
MLS_WIRE_STRUCT(LeafNode)
MLS_WIRE_STRUCT(ParentNode)
MLS_WIRE_STRUCT(Node)
MLS_WIRE_STRUCT(KeyPackage)
MLS_WIRE_STRUCT(PreSharedKeyID)
MLS_WIRE_STRUCT(Proposal)
MLS_WIRE_STRUCT(ProposalOrRef)
MLS_WIRE_STRUCT(HpkeCiphertext)
MLS_WIRE_STRUCT(UpdatePathNode)
MLS_WIRE_STRUCT(UpdatePath)
MLS_WIRE_STRUCT(Commit)
MLS_WIRE_STRUCT(Sender)
MLS_WIRE_STRUCT(FramedContent)
MLS_WIRE_STRUCT(PublicMessage)
MLS_WIRE_STRUCT(PrivateMessage)
MLS_WIRE_STRUCT(AuthenticatedContent)
MLS_WIRE_STRUCT(EncryptedGroupSecrets)
MLS_WIRE_STRUCT(Welcome)
MLS_WIRE_STRUCT(GroupContext)
MLS_WIRE_STRUCT(GroupInfo)
MLS_WIRE_STRUCT(GroupSecrets)
MLS_WIRE_STRUCT(MLSMessage)
MLS_WIRE_STRUCT(ExternalSender)

#undef MLS_WIRE_STRUCT

// The parts of a LeafNode its signature covers (LeafNodeTBS, 7.2) minus the
// group binding, and the whole TBS for a given group (update/commit leaves).
bool write_leaf_node_content(Writer& w, const LeafNode& v);

} // namespace gste2ee::mls
