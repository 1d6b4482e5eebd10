// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/sframe_key_plan.h"

#include <algorithm>

namespace gste2ee::mls {

uint32_t SframeKeyPlan::max_old(unsigned epoch_bits) const
{
  const uint64_t window = epoch_bits >= 32 ? UINT32_MAX : (uint64_t{ 1 } << epoch_bits) - 1;
  return static_cast<uint32_t>(std::min<uint64_t>(config_.overlap_epochs, window));
}

bool SframeKeyPlan::enter(const SframeEpoch& e, uint64_t now_us, Changes* changes)
{
  *changes = Changes{};
  if (!live_.empty() && e.epoch <= live_.back().epoch)
    return true;
  Live next{ e.epoch, 0, {} };
  std::vector<uint64_t> encrypt(config_.contexts);
  for (const auto& member : e.members) {
    for (uint32_t c = 0; c < config_.contexts; c++) {
      uint64_t kid;
      if (!sframe_kid(e.layout, c, member.first, e.epoch, &kid))
        return false;
      next.kids.push_back(kid);
      if (member.first == e.own_index)
        encrypt[c] = kid;
    }
  }
  const uint64_t mask = e.layout.epoch_bits == 0 ? 0 : (uint64_t{ 1 } << e.layout.epoch_bits) - 1;
  // The epoch replaced now, then what must go: an epoch whose low bits the
  // new one reuses, and the oldest beyond the overlap.
  if (!live_.empty())
    live_.back().replaced_us = now_us;
  const uint32_t keep = max_old(e.layout.epoch_bits);
  for (auto it = live_.begin(); it != live_.end();) {
    const size_t newer = static_cast<size_t>(live_.end() - it) - 1;  // live epochs after this one
    if ((it->epoch & mask) == (e.epoch & mask) || newer + 1 > keep) {
      changes->remove.insert(changes->remove.end(), it->kids.begin(), it->kids.end());
      it = live_.erase(it);
    } else {
      ++it;
    }
  }
  changes->base_key = e.base_key;
  changes->add = next.kids;
  changes->encrypt = std::move(encrypt);
  live_.push_back(std::move(next));
  return true;
}

SframeKeyPlan::Changes SframeKeyPlan::expire(uint64_t now_us)
{
  Changes changes;
  while (live_.size() > 1 && live_.front().replaced_us != 0 &&
         now_us >= live_.front().replaced_us + config_.overlap_us) {
    changes.remove.insert(changes.remove.end(), live_.front().kids.begin(), live_.front().kids.end());
    live_.pop_front();
  }
  return changes;
}

uint64_t SframeKeyPlan::next_expiry_us() const
{
  if (live_.size() < 2 || live_.front().replaced_us == 0)
    return 0;
  return live_.front().replaced_us + config_.overlap_us;
}

SframeKeyPlan::Changes SframeKeyPlan::clear()
{
  Changes changes;
  for (const auto& l : live_)
    changes.remove.insert(changes.remove.end(), l.kids.begin(), l.kids.end());
  live_.clear();
  return changes;
}

} // namespace gste2ee::mls
