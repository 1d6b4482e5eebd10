// SPDX-License-Identifier: LGPL-2.1-or-later
// Who is speaking, from the RFC 6464 audio levels the senders write into
// their RTP headers (the SFU never decodes audio): a smoothed loudness per
// participant, the dominant speaker with hysteresis so that a cough does not
// take the floor, and the order of recent speakers that `last-n` cuts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace gste2ee::sfu {

class SpeakerDetector {
public:
  // Loudness is 127 - level (RFC 6464 levels are -dBov, 127 is silence).
  static constexpr double kSpeechLoudness = 50;    // below: silence or room noise (quieter than -77 dBov)
  static constexpr double kMargin = 6;             // dB a newcomer must be louder than the current speaker
  static constexpr uint64_t kHoldUs = 500'000;     // the floor is kept at least this long
  static constexpr uint64_t kSmoothingUs = 200'000;  // time constant of the loudness average
  static constexpr uint64_t kStaleUs = 1'000'000;  // no audio this long: silent (DTX, muted, gone)
  static constexpr uint64_t kNominalStepUs = 20'000;  // one usual audio frame
  static constexpr uint64_t kMaxStepUs = 60'000;      // the longest Opus frame

  // A new participant joins the end of the order.
  void add(uint32_t id);
  void remove(uint32_t id);
  // One audio packet's level from `id`; true when the dominant speaker
  // changed.
  bool level(uint32_t id, uint8_t level_dbov, uint64_t now_us);
  std::optional<uint32_t> dominant() const { return dominant_; }
  // Place of `id` among everyone but `viewer`, most recent speaker first
  // (0-based); participants who never spoke follow in order of arrival.
  size_t rank(uint32_t id, uint32_t viewer) const;

private:
  struct Entry {
    uint32_t id;
    double loudness = 0;
    uint64_t last_us = 0;
    bool heard = false;
  };
  std::optional<size_t> find(uint32_t id) const;
  double effective(const Entry& e, uint64_t now_us) const;
  void move_to_front(size_t index);

  std::vector<Entry> order_;          // most recent dominant speaker first
  std::vector<uint32_t> position_;    // by participant id: index in order_
  std::optional<uint32_t> dominant_;
  uint64_t changed_us_ = 0;
};

} // namespace gste2ee::sfu
