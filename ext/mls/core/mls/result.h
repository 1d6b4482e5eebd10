// SPDX-License-Identifier: LGPL-2.1-or-later
// Result<T> of the MLS core: a value or a Failure {error code, static message}.
// Nothing input-dependent throws; a refused message or operation changes no
// state (style: the value-returning shape of mlspp's state transitions).
#pragma once

#include <optional>
#include <utility>

namespace gste2ee::mls {

enum class Error {
  InvalidArgument,
  Truncated,         // input ended inside a field
  Malformed,         // a field's encoding is not the one the RFC allows
  TrailingData,      // bytes left after a complete structure
  TooLarge,          // a length beyond what the input (or our limits) can hold
  UnsupportedSuite,
  CryptoFailure,     // OpenSSL refused an operation that should not fail
  InvalidKey,        // a key that does not parse or is not on the curve
  AuthenticationFailed,
  BadSignature,
  RemovedFromGroup,  // a valid commit that removes this member: its membership ends here
};

const char* error_name(Error e) noexcept;

struct Failure {
  Error code;
  const char* message;  // static string, never key material
};

template <typename T>
class [[nodiscard]] Result {
public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Failure f) : failure_(f) {}             // NOLINT
  bool ok() const noexcept { return value_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  Error error() const noexcept { return failure_.code; }
  const char* message() const noexcept { return failure_.message; }
  Failure failure() const noexcept { return failure_; }

private:
  std::optional<T> value_;
  Failure failure_{ Error::InvalidArgument, "" };
};

template <>
class [[nodiscard]] Result<void> {
public:
  Result() = default;
  Result(Failure f) : ok_(false), failure_(f) {}  // NOLINT
  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  Error error() const noexcept { return failure_.code; }
  const char* message() const noexcept { return failure_.message; }
  Failure failure() const noexcept { return failure_; }

private:
  bool ok_ = true;
  Failure failure_{ Error::InvalidArgument, "" };
};

inline Failure failed(Error code, const char* message) noexcept
{
  return Failure{ code, message };
}

} // namespace gste2ee::mls
