// SPDX-License-Identifier: LGPL-2.1-or-later
// TLS presentation language (RFC 8446 section 3) as RFC 9420 uses it:
// fixed-width big-endian integers, and vectors whose length is a
// variable-size integer (RFC 9420 section 2.1.2):
//   top two bits 00: 1 byte, 6-bit length; 01: 2 bytes, 14 bits;
//   10: 4 bytes, 30 bits; 11: invalid. The shortest form is mandatory.
// Decoding is strict and bounded: a length can never make the reader go past
// its input, and no allocation is larger than the input that backs it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mls/bytes.h"
#include "mls/result.h"

namespace gste2ee::mls {

// The largest length the 4-byte varint form can carry (2^30 - 1).
inline constexpr uint64_t kMaxVarint = (uint64_t{ 1 } << 30) - 1;

class Writer {
public:
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v);
  void u32(uint32_t v);
  void u64(uint64_t v);
  // Length prefix of a vector. Returns false past kMaxVarint.
  [[nodiscard]] bool varint(uint64_t v);
  void raw(const uint8_t* data, size_t n) { out_.insert(out_.end(), data, data + n); }
  void raw(const Bytes& b) { raw(b.data(), b.size()); }
  // opaque data<V>.
  [[nodiscard]] bool opaque(const uint8_t* data, size_t n);
  [[nodiscard]] bool opaque(const Bytes& b) { return opaque(b.data(), b.size()); }
  [[nodiscard]] bool opaque(const SecretBytes& b) { return opaque(b.data(), b.size()); }

  // A vector of structs: call begin_vector(), write the elements, then
  // end_vector(mark) fills in the length prefix.
  size_t begin_vector() const { return out_.size(); }
  [[nodiscard]] bool end_vector(size_t mark);

  const Bytes& bytes() const { return out_; }
  Bytes take() { return std::move(out_); }

private:
  Bytes out_;
};

class Reader {
public:
  Reader(const uint8_t* data, size_t n) : p_(data), end_(data + n) {}
  explicit Reader(const Bytes& b) : Reader(b.data(), b.size()) {}

  Result<uint8_t> u8();
  Result<uint16_t> u16();
  Result<uint32_t> u32();
  Result<uint64_t> u64();
  Result<uint64_t> varint();
  // n raw bytes.
  Result<Bytes> raw(size_t n);
  // opaque data<V>.
  Result<Bytes> opaque();
  // The body of a vector<V> of structs, as a sub-reader over exactly its bytes.
  Result<Reader> vector();

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool empty() const { return p_ == end_; }
  // Fails with TrailingData unless everything was consumed.
  Result<void> finish() const;

private:
  const uint8_t* p_;
  const uint8_t* end_;
};

} // namespace gste2ee::mls
