// SPDX-License-Identifier: LGPL-2.1-or-later
// deserialization.json: variable-size length headers decode to the length,
// and the length encodes back to the same (shortest) header.
#include "mls-vectors.h"
#include "mls/codec.h"

namespace mlsvec {

std::string check_deserialization(const testjson::Value& c)
{
  const auto header = c["vlbytes_header"].hex();
  const uint64_t length = c["length"].u64();
  gste2ee::mls::Reader r(header);
  auto got = r.varint();
  if (!got)
    return std::string("decode refused: ") + got.message();
  if (got.value() != length)
    return "decoded " + std::to_string(got.value()) + ", want " + std::to_string(length);
  if (!r.finish())
    return "header longer than its encoding";
  gste2ee::mls::Writer w;
  if (!w.varint(length))
    return "encode refused";
  return mismatch("encoding", w.bytes(), header);
}

} // namespace mlsvec
