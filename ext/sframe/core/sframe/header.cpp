// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sframe/header.h"

namespace gste2ee::sframe {

namespace {

// Bytes needed for a big-endian value (at least 1).
size_t byte_length(uint64_t v) noexcept
{
  size_t n = 1;
  while (n < 8 && (v >> (8 * n)) != 0)
    n++;
  return n;
}

size_t field_size(uint64_t v) noexcept
{
  return v < 8 ? 0 : byte_length(v);
}

void put_be(uint8_t* out, uint64_t v, size_t n) noexcept
{
  for (size_t i = 0; i < n; i++)
    out[i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
}

uint64_t get_be(const uint8_t* in, size_t n) noexcept
{
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++)
    v = (v << 8) | in[i];
  return v;
}

} // namespace

size_t header_size(uint64_t kid, uint64_t ctr) noexcept
{
  return 1 + field_size(kid) + field_size(ctr);
}

Result<size_t> encode_header(uint64_t kid, uint64_t ctr, MutableByteView out) noexcept
{
  const size_t kid_len = field_size(kid);
  const size_t ctr_len = field_size(ctr);
  const size_t total = 1 + kid_len + ctr_len;
  if (out.size < total)
    return failed(Error::BufferTooSmall, "output buffer too small for the SFrame header");

  uint8_t config = 0;
  config |= kid_len == 0 ? static_cast<uint8_t>(kid << 4) : static_cast<uint8_t>(0x80 | ((kid_len - 1) << 4));
  config |= ctr_len == 0 ? static_cast<uint8_t>(ctr) : static_cast<uint8_t>(0x08 | (ctr_len - 1));
  out.data[0] = config;
  put_be(out.data + 1, kid, kid_len);
  put_be(out.data + 1 + kid_len, ctr, ctr_len);
  return total;
}

Result<Header> decode_header(ByteView in) noexcept
{
  if (in.size < 1)
    return failed(Error::TruncatedHeader, "empty SFrame frame");
  const uint8_t config = in.data[0];
  const bool kid_extended = (config & 0x80) != 0;
  const bool ctr_extended = (config & 0x08) != 0;
  const size_t kid_len = kid_extended ? ((config >> 4) & 0x07) + 1 : 0;
  const size_t ctr_len = ctr_extended ? (config & 0x07) + 1 : 0;
  Header h;
  h.size = 1 + kid_len + ctr_len;
  if (in.size < h.size)
    return failed(Error::TruncatedHeader, "SFrame header truncated");
  h.kid = kid_extended ? get_be(in.data + 1, kid_len) : (config >> 4) & 0x07;
  h.ctr = ctr_extended ? get_be(in.data + 1 + kid_len, ctr_len) : config & 0x07;
  return h;
}

} // namespace gste2ee::sframe
