// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/result.h"

namespace gste2ee::mls {

const char* error_name(Error e) noexcept
{
  switch (e) {
    case Error::InvalidArgument: return "invalid-argument";
    case Error::Truncated: return "truncated";
    case Error::Malformed: return "malformed";
    case Error::TrailingData: return "trailing-data";
    case Error::TooLarge: return "too-large";
    case Error::UnsupportedSuite: return "unsupported-suite";
    case Error::CryptoFailure: return "crypto-failure";
    case Error::InvalidKey: return "invalid-key";
    case Error::AuthenticationFailed: return "authentication-failed";
    case Error::BadSignature: return "bad-signature";
    case Error::RemovedFromGroup: return "removed-from-group";
  }
  return "unknown";
}

} // namespace gste2ee::mls
