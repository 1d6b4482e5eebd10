// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sfu/speakers.h"

#include <algorithm>

namespace gste2ee::sfu {

void SpeakerDetector::add(uint32_t id)
{
  for (const auto& e : order_)
    if (e.id == id)
      return;
  order_.push_back({ id });
  if (position_.size() <= id)
    position_.resize(id + 1, 0);
  position_[id] = static_cast<uint32_t>(order_.size() - 1);
}

void SpeakerDetector::remove(uint32_t id)
{
  auto it = std::find_if(order_.begin(), order_.end(), [id](const Entry& e) { return e.id == id; });
  if (it == order_.end())
    return;
  order_.erase(it);
  for (size_t i = 0; i < order_.size(); i++)
    position_[order_[i].id] = static_cast<uint32_t>(i);
  if (dominant_ == id)
    dominant_.reset();
}

double SpeakerDetector::effective(const Entry& e, uint64_t now_us) const
{
  return e.heard && now_us - e.last_us <= kStaleUs ? e.loudness : 0;
}

void SpeakerDetector::move_to_front(size_t index)
{
  std::rotate(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(index),
              order_.begin() + static_cast<std::ptrdiff_t>(index) + 1);
  for (size_t i = 0; i <= index; i++)
    position_[order_[i].id] = static_cast<uint32_t>(i);
}

std::optional<size_t> SpeakerDetector::find(uint32_t id) const
{
  // position_ keeps stale entries of removed ids: confirm against order_.
  if (id < position_.size() && position_[id] < order_.size() && order_[position_[id]].id == id)
    return position_[id];
  return std::nullopt;
}

bool SpeakerDetector::level(uint32_t id, uint8_t level_dbov, uint64_t now_us)
{
  const auto at = find(id);
  if (!at)
    return false;
  Entry& e = order_[*at];
  const double loudness = 127.0 - std::min<uint8_t>(level_dbov, 127);
  // Exponential average over time, starting from silence, whatever the
  // packet rate. The step is capped at one long audio frame so that the
  // first packet after a silence (DTX sends none) moves it only a little.
  const bool fresh = e.heard && now_us - e.last_us <= kStaleUs;
  if (!fresh)
    e.loudness = 0;
  const uint64_t step = fresh ? std::min<uint64_t>(now_us - e.last_us, kMaxStepUs) : kNominalStepUs;
  e.loudness += (loudness - e.loudness) * static_cast<double>(step) / static_cast<double>(kSmoothingUs);
  e.heard = true;
  e.last_us = now_us;

  size_t best = 0;
  double best_loudness = -1;
  for (size_t i = 0; i < order_.size(); i++) {
    const double l = effective(order_[i], now_us);
    if (l > best_loudness) {
      best_loudness = l;
      best = i;
    }
  }
  const uint32_t candidate = order_[best].id;
  if (candidate == dominant_ || best_loudness < kSpeechLoudness)
    return false;
  if (dominant_) {
    const double current = effective(order_[position_[*dominant_]], now_us);
    if (now_us - changed_us_ < kHoldUs || best_loudness < current + kMargin)
      return false;
  }
  dominant_ = candidate;
  changed_us_ = now_us;
  move_to_front(best);
  return true;
}

size_t SpeakerDetector::rank(uint32_t id, uint32_t viewer) const
{
  const auto p = find(id);
  if (!p)
    return order_.size();
  const auto v = find(viewer);
  return *p - (v && *v < *p ? 1 : 0);
}

} // namespace gste2ee::sfu
