// SPDX-License-Identifier: LGPL-2.1-or-later
// Generic read/write over codec.h for the RFC 9420 structs: integers,
// opaque<V> (Bytes), vectors<V> of any struct, optional<T>. Each struct
// file adds its own read()/write() overloads; MLS_TRY propagates a Failure.
#pragma once

#include <optional>
#include <vector>

#include "mls/codec.h"

#define MLS_TRY(expr)          \
  do {                         \
    auto mls_try_ = (expr);    \
    if (!mls_try_)             \
      return mls_try_.failure(); \
  } while (0)

namespace gste2ee::mls::wire {

inline Failure too_large()
{
  return failed(Error::TooLarge, "structure too large to encode");
}

template <typename T>
Result<void> read_int(Result<T> v, T& out)
{
  if (!v)
    return v.failure();
  out = v.value();
  return {};
}
inline Result<void> read(Reader& r, uint8_t& out) { return read_int(r.u8(), out); }
inline Result<void> read(Reader& r, uint16_t& out) { return read_int(r.u16(), out); }
inline Result<void> read(Reader& r, uint32_t& out) { return read_int(r.u32(), out); }
inline Result<void> read(Reader& r, uint64_t& out) { return read_int(r.u64(), out); }
inline Result<void> read(Reader& r, SecretBytes& out)
{
  auto v = r.opaque();
  if (!v)
    return v.failure();
  out = SecretBytes(v.value());
  return {};
}

inline bool write(Writer& w, uint8_t v) { w.u8(v); return true; }
inline bool write(Writer& w, uint16_t v) { w.u16(v); return true; }
inline bool write(Writer& w, uint32_t v) { w.u32(v); return true; }
inline bool write(Writer& w, uint64_t v) { w.u64(v); return true; }
inline bool write(Writer& w, const SecretBytes& v) { return w.opaque(v); }

// opaque<V> is a vector<V> of uint8: Bytes uses the fast path.
inline Result<void> read(Reader& r, Bytes& out)
{
  auto v = r.opaque();
  if (!v)
    return v.failure();
  out = std::move(v).value();
  return {};
}
inline bool write(Writer& w, const Bytes& v) { return w.opaque(v); }

// Declared before the definitions so that each can hold the other
// (a vector of optionals, an optional vector).
template <typename T>
Result<void> read(Reader& r, std::optional<T>& out);
template <typename T>
bool write(Writer& w, const std::optional<T>& v);
template <typename T>
Result<void> read(Reader& r, std::vector<T>& out);
template <typename T>
bool write(Writer& w, const std::vector<T>& v);

template <typename T>
Result<void> read(Reader& r, std::vector<T>& out)
{
  auto sub = r.vector();
  if (!sub)
    return sub.failure();
  Reader body = sub.value();
  out.clear();
  while (!body.empty()) {
    const size_t before = body.remaining();
    T item{};
    MLS_TRY(read(body, item));
    if (body.remaining() == before)  // no RFC 9420 element is empty
      return failed(Error::Malformed, "vector element of zero bytes");
    out.push_back(std::move(item));
  }
  return {};
}

template <typename T>
bool write(Writer& w, const std::vector<T>& v)
{
  const size_t mark = w.begin_vector();
  for (const T& item : v)
    if (!write(w, item))
      return false;
  return w.end_vector(mark);
}

// optional<T>: uint8 present (0 or 1, nothing else) then T.
template <typename T>
Result<void> read(Reader& r, std::optional<T>& out)
{
  uint8_t present = 0;
  MLS_TRY(read(r, present));
  if (present > 1)
    return failed(Error::Malformed, "optional<T> presence byte not 0 or 1");
  out.reset();
  if (present) {
    T item{};
    MLS_TRY(read(r, item));
    out = std::move(item);
  }
  return {};
}

template <typename T>
bool write(Writer& w, const std::optional<T>& v)
{
  w.u8(v ? 1 : 0);
  return !v || write(w, *v);
}

// A whole structure from bytes, refusing trailing data.
template <typename T>
Result<T> decode(const Bytes& data)
{
  Reader r(data);
  T out{};
  MLS_TRY(read(r, out));
  MLS_TRY(r.finish());
  return out;
}

template <typename T>
Result<Bytes> encode(const T& v)
{
  Writer w;
  if (!write(w, v))
    return too_large();
  return w.take();
}

} // namespace gste2ee::mls::wire
