// SPDX-License-Identifier: LGPL-2.1-or-later
// libFuzzer target for the SFrame RTP reassembly; the body and its
// properties are in sframe-fuzz-bodies.h.
#include "sframe-fuzz-bodies.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
  (void) sframe_fuzz::rtp_reassembly(data, size);
  return 0;
}
