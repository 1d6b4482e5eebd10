// SPDX-License-Identifier: LGPL-2.1-or-later
// libFuzzer target: MLSMessage decoding and processing by a group member
// (tests/fuzz/mls-fuzz-bodies.h). Seed it with the vectors' messages, e.g.
//   build-fuzz/tests/fuzz/fuzz-mls-message -max_total_time=300 corpus/
#include "mls-fuzz-bodies.h"

namespace {
std::optional<mls_fuzz::Member> g_member;
}

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
  g_member = mls_fuzz::make_member(VECTORS_DIR);
  mls_fuzz::require(g_member.has_value());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
  mls_fuzz::message(data, size, &*g_member);
  return 0;
}
