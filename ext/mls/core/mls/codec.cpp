// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/codec.h"

namespace gste2ee::mls {

void Writer::u16(uint16_t v)
{
  u8(static_cast<uint8_t>(v >> 8));
  u8(static_cast<uint8_t>(v));
}

void Writer::u32(uint32_t v)
{
  u16(static_cast<uint16_t>(v >> 16));
  u16(static_cast<uint16_t>(v));
}

void Writer::u64(uint64_t v)
{
  u32(static_cast<uint32_t>(v >> 32));
  u32(static_cast<uint32_t>(v));
}

bool Writer::varint(uint64_t v)
{
  if (v < (1u << 6)) {
    u8(static_cast<uint8_t>(v));
  } else if (v < (1u << 14)) {
    u16(static_cast<uint16_t>(0x4000 | v));
  } else if (v <= kMaxVarint) {
    u32(static_cast<uint32_t>(0x80000000u | v));
  } else {
    return false;
  }
  return true;
}

bool Writer::opaque(const uint8_t* data, size_t n)
{
  if (!varint(n))
    return false;
  raw(data, n);
  return true;
}

bool Writer::end_vector(size_t mark)
{
  // Encode the body length, then move the prefix in front of the body.
  const size_t body = out_.size() - mark;
  Writer prefix;
  if (!prefix.varint(body))
    return false;
  out_.insert(out_.begin() + static_cast<std::ptrdiff_t>(mark), prefix.out_.begin(), prefix.out_.end());
  return true;
}

Result<uint8_t> Reader::u8()
{
  if (p_ == end_)
    return failed(Error::Truncated, "input ends inside an integer");
  return *p_++;
}

Result<uint16_t> Reader::u16()
{
  if (remaining() < 2)
    return failed(Error::Truncated, "input ends inside an integer");
  const uint16_t v = static_cast<uint16_t>(p_[0] << 8 | p_[1]);
  p_ += 2;
  return v;
}

Result<uint32_t> Reader::u32()
{
  if (remaining() < 4)
    return failed(Error::Truncated, "input ends inside an integer");
  const uint32_t v = uint32_t{ p_[0] } << 24 | uint32_t{ p_[1] } << 16 | uint32_t{ p_[2] } << 8 | p_[3];
  p_ += 4;
  return v;
}

Result<uint64_t> Reader::u64()
{
  auto hi = u32();
  if (!hi)
    return hi.failure();
  auto lo = u32();
  if (!lo)
    return lo.failure();
  return uint64_t{ hi.value() } << 32 | lo.value();
}

Result<uint64_t> Reader::varint()
{
  if (p_ == end_)
    return failed(Error::Truncated, "input ends inside a length");
  const unsigned prefix = *p_ >> 6;
  if (prefix == 3)
    return failed(Error::Malformed, "length with the reserved 0b11 prefix");
  const size_t n = size_t{ 1 } << prefix;  // 1, 2 or 4 bytes
  if (remaining() < n)
    return failed(Error::Truncated, "input ends inside a length");
  uint64_t v = *p_ & 0x3f;
  for (size_t i = 1; i < n; i++)
    v = v << 8 | p_[i];
  // RFC 9420 section 2.1.2: the minimum number of bytes must be used.
  if ((n == 2 && v < (1u << 6)) || (n == 4 && v < (1u << 14)))
    return failed(Error::Malformed, "length not in its shortest form");
  p_ += n;
  return v;
}

Result<Bytes> Reader::raw(size_t n)
{
  if (remaining() < n)
    return failed(Error::Truncated, "input ends inside a field");
  Bytes b(p_, p_ + n);
  p_ += n;
  return b;
}

Result<Bytes> Reader::opaque()
{
  auto n = varint();
  if (!n)
    return n.failure();
  if (n.value() > remaining())
    return failed(Error::Truncated, "vector longer than the input");
  return raw(static_cast<size_t>(n.value()));
}

Result<Reader> Reader::vector()
{
  auto n = varint();
  if (!n)
    return n.failure();
  if (n.value() > remaining())
    return failed(Error::Truncated, "vector longer than the input");
  Reader sub(p_, static_cast<size_t>(n.value()));
  p_ += n.value();
  return sub;
}

Result<void> Reader::finish() const
{
  if (!empty())
    return failed(Error::TrailingData, "bytes left after the structure");
  return {};
}

} // namespace gste2ee::mls
