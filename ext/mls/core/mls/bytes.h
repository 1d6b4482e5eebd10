// SPDX-License-Identifier: LGPL-2.1-or-later
// Byte strings of the MLS core. Bytes is a plain vector (public values:
// keys, hashes, messages); SecretBytes wipes itself when dropped or replaced,
// for every secret of the key schedule, the trees and HPKE.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace gste2ee::mls {

using Bytes = std::vector<uint8_t>;

class SecretBytes {
public:
  SecretBytes() = default;
  explicit SecretBytes(size_t n) : bytes_(n, 0) {}
  explicit SecretBytes(const Bytes& b) : bytes_(b) {}
  SecretBytes(const uint8_t* data, size_t n) : bytes_(data, data + n) {}
  SecretBytes(const SecretBytes& o) : bytes_(o.bytes_) {}
  SecretBytes& operator=(const SecretBytes& o);
  SecretBytes(SecretBytes&& o) noexcept : bytes_(std::move(o.bytes_)) {}
  SecretBytes& operator=(SecretBytes&& o) noexcept;
  ~SecretBytes();

  uint8_t* data() noexcept { return bytes_.data(); }
  const uint8_t* data() const noexcept { return bytes_.data(); }
  size_t size() const noexcept { return bytes_.size(); }
  bool empty() const noexcept { return bytes_.empty(); }
  const Bytes& bytes() const noexcept { return bytes_; }
  void wipe() noexcept;
  // Constant-time equality (sizes are public).
  bool operator==(const SecretBytes& o) const noexcept;

private:
  Bytes bytes_;
};

// ASCII text as bytes (labels).
inline Bytes to_bytes(std::string_view s)
{
  return Bytes(s.begin(), s.end());
}

// Hexadecimal text (either case) into `out`, which holds hex.size() / 2
// bytes; false for an odd length or a character that is not a hex digit
// (`out` then holds part of the value: the caller drops it).
bool decode_hex(std::string_view hex, uint8_t* out);

} // namespace gste2ee::mls
