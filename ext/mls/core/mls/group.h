// SPDX-License-Identifier: LGPL-2.1-or-later
// One member's view of an MLS group (RFC 9420 sections 8, 12): joining from
// a Welcome, and following the group through proposals and commits.
//
// A Group is a value. Every transition returns a new Group and leaves the
// one it was called on untouched, so a message that fails any check changes
// nothing; the caller replaces its state only on success. Secrets of the
// epoch left behind are wiped when the old value is dropped.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "mls/framing.h"
#include "mls/key_schedule.h"
#include "mls/ratchet_tree.h"
#include "mls/secret_tree.h"

namespace gste2ee::mls {

// What a client keeps for a KeyPackage it published.
struct KeyPackageSecrets {
  KeyPackage key_package;
  SecretBytes init_priv;
  SecretBytes encryption_priv;
  SecretBytes signature_priv;
};

// External PSKs a client holds, by psk_id.
using ExternalPsks = std::map<Bytes, SecretBytes>;

// A KeyPackage (10) with fresh signature, encryption and init keys, a basic
// credential, and the lifetime [not_before, not_after] (seconds since 1970).
Result<KeyPackageSecrets> generate_key_package(uint16_t suite, const Bytes& identity, uint64_t not_before,
                                               uint64_t not_after);

class Group {
public:
  // A new group of one (11), epoch 0. `external_senders` go into the
  // GroupContext's external_senders extension (12.1.8.1): whoever holds one
  // of their signature keys (a room server's delivery service) may propose.
  static Result<Group> create(const KeyPackageSecrets& me, const Bytes& group_id,
                              const std::vector<ExternalSender>& external_senders = {});

  // A commit of our own (12.4) with a path, which moves to the next epoch:
  // every Add and Remove proposal received this epoch (by reference), then
  // `removes` and `adds` inline. With nothing to commit it still replaces
  // our leaf and path keys: the periodic self-update. `next` is the state to
  // use once the delivery service has accepted `commit`; `welcome` is for the
  // new members. Fails when a proposal removes us: another member commits it.
  struct CommitResult;
  Result<CommitResult> commit(const std::vector<KeyPackage>& adds, const std::vector<uint32_t>& removes) const;

  // A Remove proposal as a PublicMessage from us (12.1.3): of our own leaf to
  // leave the group, or of another member's. It changes nothing here; once
  // the delivery service fans it out, handle() keeps it (ours included) for
  // whoever commits next.
  Result<MLSMessage> propose_remove(uint32_t leaf) const;

  // Leaves that Remove proposals received this epoch take out, ascending.
  std::vector<uint32_t> pending_removals() const;
  // The external_senders extension of the GroupContext (empty without one).
  Result<std::vector<ExternalSender>> external_senders() const;

  // Application data as a PrivateMessage from us (6.3), and its opening on
  // the receiving side. Both consume a ratchet generation: the new state is
  // returned beside the result.
  Result<std::pair<Group, MLSMessage>> protect(const Bytes& data) const;
  Result<std::pair<Group, SecretBytes>> unprotect(const MLSMessage& message) const;

  // The whole member state, secrets included, for members that restart (an
  // appliance rejoining its epoch). Whoever stores it must keep it readable
  // by its owner only.
  Result<Bytes> save() const;
  static Result<Group> load(const Bytes& state);

  // Non-blank leaves: leaf index and basic-credential identity.
  std::vector<std::pair<uint32_t, Bytes>> members() const;

  // 12.4.3.1. `tree` is needed when the GroupInfo has no ratchet_tree extension.
  static Result<Group> join(const Welcome& welcome, const KeyPackageSecrets& kp,
                            const std::optional<RatchetTree>& tree, const ExternalPsks& psks);

  // A PublicMessage or PrivateMessage of this group and epoch: a proposal is
  // validated and kept for a later commit; a commit moves to the next epoch.
  Result<Group> handle(const MLSMessage& message, const ExternalPsks& psks) const;

  uint64_t epoch() const { return context_.epoch; }
  const GroupContext& context() const { return context_; }
  const RatchetTreeState& tree() const { return tree_; }
  uint32_t own_leaf() const { return own_leaf_; }
  const SecretBytes& epoch_authenticator() const { return secrets_.epoch_authenticator; }
  // MLS-Exporter (8.5).
  Result<SecretBytes> export_secret(const Bytes& label, const Bytes& context, size_t length) const;

private:
  Group(const Crypto& c) : crypto_(c) {}
  // Checks group, epoch, membership tag and signature; decrypts a
  // PrivateMessage with `tree` (whose keys it consumes).
  Result<AuthenticatedContent> unprotect(const MLSMessage& m, SecretTree* tree) const;
  Result<Group> handle_commit(const AuthenticatedContent& ac, const ExternalPsks& psks) const;
  void remember_resumption_psk();
  // Resumption PSKs of this group's recent epochs (8.6), for commits that
  // name them; older ones are wiped.
  static constexpr size_t kResumptionEpochs = 16;
  std::map<uint64_t, SecretBytes> resumption_psks_;

  struct CachedProposal {
    Proposal proposal;
    Sender sender;
  };

  Crypto crypto_;
  GroupContext context_;
  Bytes context_bytes_;
  RatchetTreeState tree_;
  uint32_t own_leaf_ = 0;
  std::map<uint32_t, SecretBytes> node_privs_;  // tree nodes whose private key we hold
  SecretBytes signature_priv_;
  EpochSecrets secrets_;
  Bytes interim_transcript_hash_;
  std::shared_ptr<SecretTree> secret_tree_;  // mutated by decryption, shared copy-on-epoch
  std::map<Bytes, CachedProposal> proposals_;  // by ProposalRef, this epoch only
};

struct Group::CommitResult {
  Group next;
  MLSMessage commit;
  std::optional<MLSMessage> welcome;
};

// The first steps of joining (12.4.3.1): find our entry, decrypt the
// GroupSecrets, derive the welcome key and decrypt the GroupInfo.
struct OpenedWelcome {
  GroupSecrets secrets;
  GroupInfo info;
  SecretBytes psk_secret;
};
Result<OpenedWelcome> open_welcome(const Crypto& c, const Welcome& welcome, const KeyPackage& kp,
                                   const SecretBytes& init_priv, const ExternalPsks& psks);
// GroupInfoTBS signature (12.4.3).
bool verify_group_info(const Crypto& c, const GroupInfo& info, const Bytes& signer_key);

// MakeKeyPackageRef / MakeProposalRef (5.2).
Result<Bytes> key_package_ref(const Crypto& c, const KeyPackage& kp);
Result<Bytes> proposal_ref(const Crypto& c, const AuthenticatedContent& ac);

} // namespace gste2ee::mls
