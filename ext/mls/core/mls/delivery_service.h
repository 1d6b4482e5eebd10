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
//   - KeyPackages, Welcomes and GroupInfo pass as they are (a joiner finds
//     its own Welcome; whoever commits turns KeyPackages into Adds).
// GStreamer-free: the room server runs it, the e2ee-call example and tests
// run it in process.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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

  explicit DeliveryService(Bytes group_id) : group_id_(std::move(group_id)) {}

  // The group's epoch as the service knows it: the epoch the next commit is
  // for. Unknown until the first handshake message names one.
  std::optional<uint64_t> epoch() const { return epoch_; }

  // Judges one message from a member; Accepted means every member gets it,
  // in the order of the calls that accepted.
  Verdict submit(const Bytes& message);

  uint64_t accepted() const { return accepted_; }
  uint64_t refused() const { return refused_; }

private:
  Bytes group_id_;
  std::optional<uint64_t> epoch_;
  uint64_t accepted_ = 0, refused_ = 0;
};

const char* verdict_name(DeliveryService::Verdict v);

} // namespace gste2ee::mls
