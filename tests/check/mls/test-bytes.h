// SPDX-License-Identifier: LGPL-2.1-or-later
// Bytes the MLS core tests make again and again: identities and group IDs
// from text, and a message as the delivery service carries it.
#pragma once

#include <check.h>

#include <string>

#include "mls/messages.h"
#include "mls/wire.h"

namespace mls_test {

inline gste2ee::mls::Bytes text(const char* s)
{
  return gste2ee::mls::Bytes(s, s + std::char_traits<char>::length(s));
}

inline gste2ee::mls::Bytes bytes(const gste2ee::mls::MLSMessage& msg)
{
  auto b = gste2ee::mls::wire::encode(msg);
  ck_assert(b.ok());
  return b.value();
}

} // namespace mls_test
