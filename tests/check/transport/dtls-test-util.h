// SPDX-License-Identifier: LGPL-2.1-or-later
// What the DTLS tests share: the monotonic clock in microseconds, as the
// endpoints take it, and a fresh certificate that must be made.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "transport/certificate.h"

#include <check.h>

namespace dtlstest {

inline uint64_t now_us()
{
  return static_cast<uint64_t>(
    std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

inline std::unique_ptr<gste2ee::transport::Certificate> new_cert()
{
  std::string error;
  auto c = gste2ee::transport::Certificate::generate(&error);
  ck_assert_msg(c != nullptr, "%s", error.c_str());
  return c;
}

} // namespace dtlstest
