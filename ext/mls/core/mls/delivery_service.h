// SPDX-License-Identifier: LGPL-2.1-or-later
// The delivery service of one MLS group (RFC 9420 section 3, RFC 9750): it
// holds no group secret and reads only the clear framing of each message,
// yet decides the one order every member sees:
//   - everything it accepts is fanned out to every member, in one order;
//   - of the commits for an epoch, the first one wins; later commits for
//     that epoch lost the race and are refused (their authors discard them
//     and retry their proposals in the next epoch), as are proposals and
//     commits for any other epoch than the current one (application data of
//     a recent epoch passes: members still hold its keys for a while);
//   - KeyPackages and GroupInfo pass as they are (whoever commits turns
//     KeyPackages into Adds); a Welcome goes only to the clients whose
//     KeyPackages it names, when the service saw who sent them.
// Holding the group's external-sender key (12.1.8.1), it can also propose a
// member's removal, which the members commit like any other proposal: how a
// server throws a participant out. It follows who sits at which leaf from
// the clear framing of the commits it accepts (the Adds' KeyPackages, the
// Removes, the committer's path leaf), so the removal can name an identity.
// GStreamer-free: the room server runs it, the e2ee-call example and tests
// run it in process.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mls/messages.h"

namespace gste2ee::mls {

class DeliveryService {
public:
  enum class Verdict {
    Accepted,       // fan it out
    LateCommit,     // a commit for the epoch another commit just took
    WrongEpoch,     // a proposal or commit for any other epoch than the current one
    OtherGroup,     // framed for another group
    Malformed,      // not an MLSMessage
  };

  // `suite` is the group's MLS cipher suite: it names the hash of
  // proposal references and the external sender's signature scheme.
  explicit DeliveryService(Bytes group_id, uint16_t suite = 1) : group_id_(std::move(group_id)), suite_(suite) {}

  // The group's epoch as the service knows it: the epoch the next commit is
  // for. Unknown until the first handshake message names one.
  std::optional<uint64_t> epoch() const { return epoch_; }

  // The service's name for one member's connection (the room server's
  // signalling connection, the example's pipeline).
  using Client = uint32_t;
  static constexpr Client kUnknownClient = UINT32_MAX;

  // Judges one message from a member; Accepted means it goes out (see
  // recipients()), in the order of the calls that accepted. `from` is
  // remembered for KeyPackages, so their Welcome finds its way.
  Verdict submit(const Bytes& message, Client from = kUnknownClient);

  // Where an accepted message goes: nullopt for every member; for a Welcome
  // naming KeyPackages the service saw, only the clients that sent them (the
  // others would only see a Welcome that is not for them).
  std::optional<std::vector<Client>> recipients(const Bytes& message);

  uint64_t accepted() const { return accepted_; }
  uint64_t refused() const { return refused_; }

  // A fresh signature key for this service as the group's external sender,
  // and the ExternalSender entry (with a basic credential `identity`) that
  // the group's creator puts in the external_senders extension. Again
  // replaces the key.
  Result<ExternalSender> make_external_sender(const Bytes& identity);
  // A Remove proposal for `leaf`, signed as external sender 0, for the
  // current epoch, already accepted: the caller fans it out to every member
  // and whoever commits next includes it. Needs make_external_sender() and
  // a known epoch. The removal stays wanted until a commit carries it: when
  // a commit already on its way ends the epoch without it, the service
  // proposes again for the next (see take_own_messages()).
  Result<Bytes> propose_removal(uint32_t leaf);
  // Messages the service originated while judging the last submissions
  // (removals proposed again), accepted already: fan them out after those.
  std::vector<Bytes> take_own_messages();

  // Members as the accepted commits show them: leaf index and identity.
  std::vector<std::pair<uint32_t, Bytes>> roster() const;
  std::optional<uint32_t> leaf_of(const Bytes& identity) const;

private:
  void follow_public(const PublicMessage& pm);
  void remember_key_package(const KeyPackage& kp, Client from);
  Result<Bytes> sign_removal(uint32_t leaf);

  Bytes group_id_;
  uint16_t suite_;
  std::optional<uint64_t> epoch_;
  uint64_t accepted_ = 0, refused_ = 0;
  SecretBytes external_key_;
  std::vector<std::optional<Bytes>> roster_;  // by leaf index; nullopt is a blank leaf
  std::map<Bytes, Proposal> proposals_;       // of the current epoch, by ProposalRef
  std::vector<Bytes> removing_;               // identities whose removal we proposed
  std::vector<Bytes> own_messages_;
  std::map<Bytes, Client> key_packages_;      // KeyPackageRef -> who sent it, until its Welcome
};

const char* verdict_name(DeliveryService::Verdict v);

} // namespace gste2ee::mls
