// SPDX-License-Identifier: LGPL-2.1-or-later
// Result<T>: a value or an error code with a static message. Cores never throw on
// an input-dependent path; the element glue maps errors to GStreamer messages.
#pragma once

#include <optional>
#include <utility>

namespace gste2ee::sframe {

enum class Error {
  InvalidArgument,
  UnsupportedCipherSuite,
  BufferTooSmall,
  TruncatedHeader,   // header or tag does not fit in the input
  UnknownKeyId,
  DuplicateKeyId,
  AuthenticationFailed,
  Replay,            // counter already seen or older than the replay window
  CounterExhausted,  // the key has used every counter it may use
  CounterRewind,     // a counter grant would move a key's counter backwards
  CryptoFailure,     // OpenSSL refused an operation that should not fail
};

const char* error_name(Error e) noexcept;

struct Failure {
  Error code;
  const char* message;  // static string, never contains key material
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

} // namespace gste2ee::sframe
