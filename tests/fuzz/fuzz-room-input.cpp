// SPDX-License-Identifier: LGPL-2.1-or-later
// libFuzzer target: everything the room server reads from the network, a
// join token, a signalling message, the frame reader, a whole connection
// (tests/fuzz/room-fuzz-bodies.h), e.g.
//   build-fuzz/tests/fuzz/fuzz-room-input -max_total_time=120 corpus/
#include "room-fuzz-bodies.h"

namespace {
room_fuzz::State* g_state;
}

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
  g_state = new room_fuzz::State();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
  room_fuzz::input(data, size, g_state);
  return 0;
}
