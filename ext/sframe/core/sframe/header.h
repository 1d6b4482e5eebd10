// SPDX-License-Identifier: LGPL-2.1-or-later
// The SFrame header, RFC 9605 section 4.3:
//
//    0 1 2 3 4 5 6 7
//   +-+-+-+-+-+-+-+-+------------+------------+
//   |X|  K  |Y|  C  | KID...     | CTR...     |
//   +-+-+-+-+-+-+-+-+------------+------------+
//
// X=0: K is the KID itself (0-7); X=1: the KID follows in K+1 bytes.
// Y=0: C is the CTR itself (0-7); Y=1: the CTR follows in C+1 bytes.
#pragma once

#include <cstdint>

#include "sframe/bytes.h"
#include "sframe/result.h"

namespace gste2ee::sframe {

struct Header {
  uint64_t kid = 0;
  uint64_t ctr = 0;
  size_t size = 0;  // encoded length in bytes
};

// Size of the shortest encoding of (kid, ctr).
size_t header_size(uint64_t kid, uint64_t ctr) noexcept;

// Writes the shortest encoding; returns its length, or BufferTooSmall.
Result<size_t> encode_header(uint64_t kid, uint64_t ctr, MutableByteView out) noexcept;

// Parses a header at the start of `in`; TruncatedHeader if `in` ends inside it.
Result<Header> decode_header(ByteView in) noexcept;

} // namespace gste2ee::sframe
