// SPDX-License-Identifier: LGPL-2.1-or-later
// Sliding replay window over SFrame counters (one per receiving key). A counter
// is acceptable if it is newer than any seen, or within the window and unseen.
// The window moves only through accept(), which callers invoke after the frame
// authenticated, so forged frames cannot push genuine ones out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gste2ee::sframe {

class ReplayWindow {
public:
  // `size` counters are remembered behind the highest one (at least 1).
  explicit ReplayWindow(size_t size);

  bool check(uint64_t ctr) const noexcept;
  void accept(uint64_t ctr) noexcept;
  size_t size() const noexcept { return size_; }

private:
  bool test_bit(uint64_t ctr) const noexcept;
  void set_bit(uint64_t ctr, bool on) noexcept;

  std::vector<uint64_t> bits_;  // ring indexed by ctr modulo the bit count
  size_t size_;
  uint64_t highest_ = 0;
  bool empty_ = true;
};

} // namespace gste2ee::sframe
