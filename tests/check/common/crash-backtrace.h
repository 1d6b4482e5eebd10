// SPDX-License-Identifier: LGPL-2.1-or-later
// A test that crashes (a signal, an abort from glibc's heap checks) prints
// the backtrace of the crashing thread on stderr before it dies, so a crash
// seen once on a CI machine leaves more than "Received signal 6": library
// names and offsets, which addr2line resolves against the same (reproducible)
// build. Installed before main() runs by including this header; Check's
// forked test processes inherit it. Under AddressSanitizer, which reports
// memory errors itself, only aborts get it.
#pragma once

#include <execinfo.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

namespace testutil {

inline void print_backtrace_and_die(int sig)
{
  // Only async-signal-safe calls (backtrace() is, once loaded: see below).
  const char* name = strsignal(sig);
  static const char head[] = "\n*** crashed: ";
  (void) !write(STDERR_FILENO, head, sizeof head - 1);
  (void) !write(STDERR_FILENO, name, strlen(name));
  (void) !write(STDERR_FILENO, "; backtrace:\n", 13);
  void* frames[64];
  const int n = backtrace(frames, 64);
  backtrace_symbols_fd(frames, n, STDERR_FILENO);
  signal(sig, SIG_DFL);
  raise(sig);
}

inline const bool kCrashBacktraceInstalled = [] {
  // backtrace() loads libgcc on first use, which allocates: do it now, not
  // in the handler of a crash in the allocator.
  void* warm[1];
  (void) backtrace(warm, 1);
#if defined(__SANITIZE_ADDRESS__)
  const int signals[] = { SIGABRT };
#else
  const int signals[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
#endif
  for (int sig : signals) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = print_backtrace_and_die;
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigaction(sig, &sa, nullptr);
  }
  return true;
}();

} // namespace testutil
