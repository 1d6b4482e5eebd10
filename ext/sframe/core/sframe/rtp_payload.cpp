// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sframe/rtp_payload.h"

namespace gste2ee::sframe::rtp {

bool fragment(size_t size, size_t max_fragment, bool packetized, std::vector<Fragment>* out)
{
  out->clear();
  if (size == 0 || max_fragment == 0)
    return false;
  for (size_t offset = 0; offset < size; offset += max_fragment) {
    Fragment f;
    f.offset = offset;
    f.length = size - offset < max_fragment ? size - offset : max_fragment;
    f.descriptor = static_cast<uint8_t>((offset == 0 ? kStart : 0) | (offset + f.length == size ? kEnd : 0) |
                                        (packetized ? kPacketized : 0));
    out->push_back(f);
  }
  return true;
}

// The 64-bit sequence number closest to the newest one seen.
int64_t Reassembler::extend(uint16_t seq) const
{
  if (!highest_)
    return seq;
  const int64_t h = *highest_;
  int64_t ext = (h & ~int64_t{ 0xffff }) | seq;
  if (ext > h + 0x8000)
    ext -= 0x10000;
  else if (ext < h - 0x8000)
    ext += 0x10000;
  return ext;
}

void Reassembler::evict_older_than(int64_t ext)
{
  while (!buffer_.empty() && buffer_.begin()->first < ext) {
    buffered_bytes_ -= buffer_.begin()->second.data.size();
    buffer_.erase(buffer_.begin());
    counters_.incomplete++;
  }
  while (!delivered_.empty() && *delivered_.begin() < ext)
    delivered_.erase(delivered_.begin());
}

void Reassembler::reset()
{
  counters_.incomplete += buffer_.size();
  buffer_.clear();
  buffered_bytes_ = 0;
  delivered_.clear();
  highest_.reset();
}

std::optional<Frame> Reassembler::push(const Packet& p)
{
  if (p.size < kDescriptorSize || !p.payload) {
    counters_.malformed++;
    return std::nullopt;
  }
  const int64_t ext = extend(p.seq);
  if (highest_ && ext <= *highest_ - static_cast<int64_t>(window_)) {
    counters_.late++;
    return std::nullopt;
  }
  if (buffer_.count(ext) || delivered_.count(ext)) {
    counters_.duplicate++;
    return std::nullopt;
  }
  if (!highest_ || ext > *highest_) {
    highest_ = ext;
    evict_older_than(ext - static_cast<int64_t>(window_) + 1);
  }
  Stored s{ p.payload[0], p.payload_type, p.marker, p.timestamp,
            std::vector<uint8_t>(p.payload + kDescriptorSize, p.payload + p.size) };
  buffered_bytes_ += s.data.size();
  buffer_.emplace(ext, std::move(s));
  counters_.packets++;
  while (buffered_bytes_ > max_bytes_ && !buffer_.empty())
    evict_older_than(buffer_.begin()->first + 1);

  // The run through this packet: back to an S, forward to an E, with no gap.
  auto it = buffer_.find(ext);
  if (it == buffer_.end())
    return std::nullopt;  // evicted at once: larger than the whole buffer
  auto first = it;
  while (!(first->second.descriptor & kStart)) {
    if (first == buffer_.begin())
      return std::nullopt;
    auto prev = std::prev(first);
    if (prev->first != first->first - 1 || (prev->second.descriptor & kEnd))
      return std::nullopt;  // a gap, or the end of an earlier frame: our S is missing
    first = prev;
  }
  auto last = it;
  while (!(last->second.descriptor & kEnd)) {
    auto next = std::next(last);
    if (next == buffer_.end() || next->first != last->first + 1 || (next->second.descriptor & kStart))
      return std::nullopt;  // the rest has not arrived (or never will)
    last = next;
  }
  auto end = std::next(last);

  // Step 6-7: one T bit and one payload type for the whole run.
  bool consistent = true;
  size_t total = 0;
  uint16_t count = 0;
  for (auto i = first; i != end; ++i) {
    consistent = consistent && ((i->second.descriptor ^ first->second.descriptor) & kPacketized) == 0 &&
                 i->second.payload_type == first->second.payload_type;
    total += i->second.data.size();
    count++;
  }
  std::optional<Frame> out;
  if (consistent) {
    Frame f;
    f.ciphertext.reserve(total);
    for (auto i = first; i != end; ++i)
      f.ciphertext.insert(f.ciphertext.end(), i->second.data.begin(), i->second.data.end());
    f.payload_type = first->second.payload_type;
    f.marker = last->second.marker;
    f.timestamp = first->second.timestamp;
    f.packetized = (first->second.descriptor & kPacketized) != 0;
    f.packets = count;
    counters_.frames++;
    out = std::move(f);
  } else {
    counters_.inconsistent += count;
  }
  for (auto i = first; i != end;) {
    delivered_.insert(i->first);
    buffered_bytes_ -= i->second.data.size();
    i = buffer_.erase(i);
  }
  return out;
}

} // namespace gste2ee::sframe::rtp
