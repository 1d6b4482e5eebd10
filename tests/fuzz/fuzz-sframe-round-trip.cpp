// SPDX-License-Identifier: LGPL-2.1-or-later
// libFuzzer target: see sframe-fuzz-bodies.h.
#include "sframe-fuzz-bodies.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
  sframe_fuzz::round_trip(data, size);
  return 0;
}
