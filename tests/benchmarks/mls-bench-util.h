// SPDX-License-Identifier: LGPL-2.1-or-later
// What the MLS benchmarks share: a Result that must hold (else the run
// stops with the reason), a millisecond stopwatch, text as bytes.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "mls/result.h"
#include "mls/bytes.h"

namespace benchmls {

namespace m = gste2ee::mls;
using Clock = std::chrono::steady_clock;

template <typename T>
T must(m::Result<T> r, const char* what)
{
  if (!r) {
    std::fprintf(stderr, "benchmark stopped: %s: %s\n", what, r.message());
    std::exit(1);
  }
  return std::move(r).value();
}

inline double ms_since(Clock::time_point t0)
{
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

inline m::Bytes text(const std::string& s)
{
  return m::Bytes(s.begin(), s.end());
}

} // namespace benchmls
