// SPDX-License-Identifier: LGPL-2.1-or-later
// Byte views (C++17 has no std::span) and a buffer that wipes itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gste2ee::sframe {

struct ByteView {
  const uint8_t* data = nullptr;
  size_t size = 0;
  ByteView() = default;
  ByteView(const uint8_t* d, size_t n) : data(d), size(n) {}
  ByteView(const std::vector<uint8_t>& v) : data(v.data()), size(v.size()) {}  // NOLINT
  ByteView sub(size_t off, size_t n) const { return { data + off, n }; }
  ByteView sub(size_t off) const { return { data + off, size - off }; }
};

struct MutableByteView {
  uint8_t* data = nullptr;
  size_t size = 0;
  MutableByteView() = default;
  MutableByteView(uint8_t* d, size_t n) : data(d), size(n) {}
  MutableByteView(std::vector<uint8_t>& v) : data(v.data()), size(v.size()) {}  // NOLINT
  operator ByteView() const { return { data, size }; }  // NOLINT
};

// Holds key material; the bytes are cleansed when the buffer is resized away
// or destroyed (OPENSSL_cleanse cannot be optimised out like memset).
class SecretBytes {
public:
  SecretBytes() = default;
  explicit SecretBytes(size_t n) : bytes_(n, 0) {}
  explicit SecretBytes(ByteView v) : bytes_(v.data, v.data + v.size) {}
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& o) noexcept : bytes_(std::move(o.bytes_)) {}
  SecretBytes& operator=(SecretBytes&& o) noexcept;
  ~SecretBytes();

  uint8_t* data() noexcept { return bytes_.data(); }
  const uint8_t* data() const noexcept { return bytes_.data(); }
  size_t size() const noexcept { return bytes_.size(); }
  ByteView view() const noexcept { return { bytes_.data(), bytes_.size() }; }
  ByteView sub(size_t off, size_t n) const noexcept { return { bytes_.data() + off, n }; }
  void wipe() noexcept;

private:
  std::vector<uint8_t> bytes_;
};

} // namespace gste2ee::sframe
