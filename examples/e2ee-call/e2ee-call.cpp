// SPDX-License-Identifier: LGPL-2.1-or-later
// An end-to-end encrypted call of three on loopback (see call.h): alice
// creates the group, bob and carol join one after another, bob leaves, and
// the server throws carol out. Each participant prints its epochs, members
// and safety code as they change, and at the end the frames it decrypted per
// sender.
//   e2ee-call [SECONDS]   seconds of media between the steps (default 3)
#include <cstdlib>

#include "call.h"

using mls_call::Call;

static bool step(bool ok, const char* what, const std::string& error = "")
{
  if (!ok)
    g_printerr("e2ee-call: %s%s%s\n", what, error.empty() ? "" : ": ", error.c_str());
  return ok;
}

int main(int argc, char** argv)
{
  gst_init(&argc, &argv);
  const int seconds = argc > 1 ? atoi(argv[1]) : 3;
  if (seconds <= 0 || argc > 2) {
    g_printerr("usage: %s [SECONDS]\n", argv[0]);
    return 2;
  }
  const int pause_ms = seconds * 1000;
  bool ok = true;
  {
    Call call(true);
    std::string error;
    ok = step(call.start_server(&error), "the server does not start", error) &&
         step(call.add_participant(0, "alice", &error), "alice cannot start", error);
    ok = ok && step(call.add_participant(1, "bob", &error), "bob cannot start", error) &&
         step(call.wait_until([&] { return call.epoch_of(1) == 1; }, 10000), "bob was not added");
    if (ok)
      g_usleep(static_cast<gulong>(pause_ms) * 1000);
    ok = ok && step(call.add_participant(2, "carol", &error), "carol cannot start", error) &&
         step(call.wait_until([&] { return call.epoch_of(2) == 2; }, 10000), "carol was not added");
    if (ok)
      g_usleep(static_cast<gulong>(pause_ms) * 1000);
    ok = ok && step(call.leave(1), "bob cannot leave") &&
         step(call.wait_until([&] { return call.removed(1); }, 10000), "bob's leaving was not committed");
    if (ok)
      g_usleep(static_cast<gulong>(pause_ms) * 1000);
    ok = ok && step(call.kick(2, &error), "the server cannot remove carol", error) &&
         step(call.wait_until([&] { return call.removed(2); }, 10000), "carol's removal was not committed");
    if (ok)
      g_usleep(static_cast<gulong>(pause_ms) * 1000);
    call.print_summary();
    const std::string failure = call.error();
    ok = step(ok && failure.empty(), "a pipeline failed", failure) && ok;
  }
  return ok ? 0 : 1;
}
