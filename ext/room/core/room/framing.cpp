// SPDX-License-Identifier: LGPL-2.1-or-later
#include "room/framing.h"

namespace gste2ee::room {

namespace {

constexpr size_t kPrefix = 4;

uint32_t read_be32(const char* p)
{
  const auto* b = reinterpret_cast<const uint8_t*>(p);
  return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
}

} // namespace

std::string encode_frame(std::string_view message)
{
  const auto n = static_cast<uint32_t>(message.size());
  std::string out;
  out.reserve(kPrefix + message.size());
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((n >> shift) & 0xff));
  out.append(message);
  return out;
}

bool FrameReader::push(const uint8_t* data, size_t size)
{
  if (broken_)
    return false;
  // Drop what was consumed before growing, so the buffer stays within one
  // frame plus one read.
  if (start_ > 0) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  buffer_.append(reinterpret_cast<const char*>(data), size);
  // Check every complete prefix now, not when the frame is complete: a
  // peer announcing 4 GiB is refused at once.
  size_t at = 0;
  while (buffer_.size() - at >= kPrefix) {
    const uint32_t n = read_be32(buffer_.data() + at);
    if (n == 0 || n > max_frame_) {
      broken_ = true;
      error_ = n == 0 ? "empty frame" : "frame longer than the maximum";
      buffer_.clear();
      return false;
    }
    if (buffer_.size() - at - kPrefix < n)
      break;
    at += kPrefix + n;
  }
  return true;
}

std::optional<std::string> FrameReader::next()
{
  if (broken_ || buffer_.size() - start_ < kPrefix)
    return std::nullopt;
  const uint32_t n = read_be32(buffer_.data() + start_);
  if (buffer_.size() - start_ - kPrefix < n)
    return std::nullopt;
  std::string message = buffer_.substr(start_ + kPrefix, n);
  start_ += kPrefix + n;
  return message;
}

} // namespace gste2ee::room
