// SPDX-License-Identifier: LGPL-2.1-or-later
// Length-prefixed frames of the signalling and admin connections: a 32-bit
// big-endian length, then that many bytes of one message. The reader bounds
// the length before buffering anything, so a peer cannot make the server
// hold more than one maximum-size frame; a zero or oversized length is a
// protocol error that ends the connection (there is no way to resynchronise
// a byte stream after a bad length).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gste2ee::room {

constexpr size_t kMaxFrameBytes = 64 * 1024;

// The frame holding `message` (whose size must be 1..kMaxFrameBytes).
std::string encode_frame(std::string_view message);

class FrameReader {
public:
  explicit FrameReader(size_t max_frame = kMaxFrameBytes) : max_frame_(max_frame) {}

  // Appends received bytes. False once the stream is broken (a bad length);
  // the reader then stays broken and the connection must be closed.
  bool push(const uint8_t* data, size_t size);
  // The next whole message, if one has arrived.
  std::optional<std::string> next();

  bool broken() const { return broken_; }
  const char* error() const { return error_; }

private:
  size_t max_frame_;
  std::string buffer_;  // unread bytes, starting at a length prefix
  size_t start_ = 0;    // consumed bytes at the front of buffer_
  bool broken_ = false;
  const char* error_ = "";
};

} // namespace gste2ee::room
