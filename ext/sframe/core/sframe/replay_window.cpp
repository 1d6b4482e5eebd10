// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sframe/replay_window.h"

#include <algorithm>

namespace gste2ee::sframe {

ReplayWindow::ReplayWindow(size_t size)
  : bits_((std::max<size_t>(size, 1) + 63) / 64, 0), size_(std::max<size_t>(size, 1))
{
}

bool ReplayWindow::test_bit(uint64_t ctr) const noexcept
{
  const uint64_t bit = ctr % (bits_.size() * 64);
  return (bits_[bit / 64] >> (bit % 64)) & 1U;
}

void ReplayWindow::set_bit(uint64_t ctr, bool on) noexcept
{
  const uint64_t bit = ctr % (bits_.size() * 64);
  if (on)
    bits_[bit / 64] |= uint64_t{ 1 } << (bit % 64);
  else
    bits_[bit / 64] &= ~(uint64_t{ 1 } << (bit % 64));
}

bool ReplayWindow::check(uint64_t ctr) const noexcept
{
  if (empty_ || ctr > highest_)
    return true;
  if (highest_ - ctr >= size_)
    return false;  // too old to tell apart from a replay
  return !test_bit(ctr);
}

void ReplayWindow::accept(uint64_t ctr) noexcept
{
  if (empty_) {
    empty_ = false;
    highest_ = ctr;
  } else if (ctr > highest_) {
    // Forget the slots the window slides over, so their old bits are not
    // mistaken for the new counters that now map onto them.
    const uint64_t advance = ctr - highest_;
    if (advance >= bits_.size() * 64)
      std::fill(bits_.begin(), bits_.end(), 0);
    else
      for (uint64_t c = highest_ + 1; c != ctr; c++)
        set_bit(c, false);
    highest_ = ctr;
  }
  set_bit(ctr, true);
}

} // namespace gste2ee::sframe
