// SPDX-License-Identifier: LGPL-2.1-or-later
// Which SFrame KIDs a member of an MLS group holds, epoch after epoch
// (RFC 9605 section 5.2): on a new epoch, every member's KIDs of that epoch
// are added and ours become the encrypting ones at once; the previous
// epochs' KIDs stay for frames still in flight, for a bounded number of
// epochs and a bounded time, then go (the keyring wipes them). Because only
// the low E bits of the epoch are in a KID, an older epoch with the same
// low bits is removed before the new one is added (the RFC's MUST), and no
// more than 2^E - 1 old epochs are ever kept: a KID never selects the wrong
// epoch's key. GStreamer-free; the caller applies the changes to a keyring.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "mls/sframe_epoch.h"

namespace gste2ee::mls {

class SframeKeyPlan {
public:
  struct Config {
    uint32_t contexts = 1;             // context values 0..contexts-1: one per stream of a member
    uint32_t overlap_epochs = 1;       // previous epochs kept for decryption (capped at 2^E - 1)
    uint64_t overlap_us = 5'000'000;   // and each for at most this long after it was replaced
  };
  struct Changes {
    SecretBytes base_key;             // of every KID in `add`
    std::vector<uint64_t> add;        // KIDs of the new epoch
    std::vector<uint64_t> remove;     // KIDs of epochs that are gone
    std::vector<uint64_t> encrypt;    // our KID per context (index = context); empty: unchanged
    bool empty() const { return add.empty() && remove.empty() && encrypt.empty(); }
  };

  explicit SframeKeyPlan(const Config& config) : config_(config) {}

  // A new epoch (or the first). An epoch at or before the current one
  // changes nothing. Fails (empty changes, false) when a KID does not fit 64
  // bits (too many contexts for the layout).
  bool enter(const SframeEpoch& epoch, uint64_t now_us, Changes* changes);
  // Removes what outlived overlap_us; call at next_expiry_us().
  Changes expire(uint64_t now_us);
  uint64_t next_expiry_us() const;  // 0: nothing to expire
  // Everything goes (the member left the group, or stops).
  Changes clear();

  uint64_t current_epoch() const { return live_.empty() ? 0 : live_.back().epoch; }
  bool has_epoch() const { return !live_.empty(); }
  size_t live_epochs() const { return live_.size(); }

private:
  struct Live {
    uint64_t epoch;
    uint64_t replaced_us;  // 0 while current
    std::vector<uint64_t> kids;
  };
  uint32_t max_old(unsigned epoch_bits) const;

  Config config_;
  std::deque<Live> live_;  // oldest first; back() is current
};

} // namespace gste2ee::mls
