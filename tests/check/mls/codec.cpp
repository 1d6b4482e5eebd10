// SPDX-License-Identifier: LGPL-2.1-or-later
// The TLS presentation-language codec refuses what RFC 9420 section 2.1.2
// forbids and never reads past its input: truncations at every position,
// lengths beyond the input, non-minimal and reserved varints, trailing bytes.
#include <vector>

#include "mls/codec.h"

#include <check.h>

namespace m = gste2ee::mls;
using Bytes = std::vector<uint8_t>;

START_TEST(test_varint_boundaries_round_trip)
{
  const uint64_t values[] = { 0, 1, 63, 64, 16383, 16384, m::kMaxVarint };
  const size_t sizes[] = { 1, 1, 1, 2, 2, 4, 4 };
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
    m::Writer w;
    ck_assert(w.varint(values[i]));
    ck_assert_uint_eq(w.bytes().size(), sizes[i]);
    m::Reader r(w.bytes());
    auto v = r.varint();
    ck_assert_msg(v.ok() && v.value() == values[i], "value %llu", static_cast<unsigned long long>(values[i]));
    ck_assert(r.finish().ok());
  }
  m::Writer w;
  ck_assert(!w.varint(m::kMaxVarint + 1));  // 2^30 has no encoding
}
END_TEST

START_TEST(test_varint_refusals)
{
  struct Case {
    Bytes in;
    m::Error want;
  } cases[] = {
    { { 0xc0 }, m::Error::Malformed },                    // reserved 0b11 prefix
    { { 0xff, 0xff, 0xff, 0xff }, m::Error::Malformed },  // reserved prefix, long
    { { 0x40, 0x3f }, m::Error::Malformed },              // 63 in two bytes
    { { 0x80, 0x00, 0x3f, 0xff }, m::Error::Malformed },  // 16383 in four bytes
    { { 0x40 }, m::Error::Truncated },
    { { 0x80, 0x00, 0x40 }, m::Error::Truncated },
    { {}, m::Error::Truncated },
  };
  for (const auto& c : cases) {
    m::Reader r(c.in);
    auto v = r.varint();
    ck_assert(!v.ok());
    ck_assert_msg(v.error() == c.want, "got %s", m::error_name(v.error()));
  }
}
END_TEST

START_TEST(test_opaque_truncated_at_every_position)
{
  m::Writer w;
  Bytes payload(300, 0xab);
  ck_assert(w.opaque(payload));
  const Bytes full = w.bytes();
  for (size_t n = 0; n < full.size(); n++) {
    m::Reader r(full.data(), n);
    auto v = r.opaque();
    ck_assert_msg(!v.ok() && v.error() == m::Error::Truncated, "prefix of %zu bytes", n);
  }
  m::Reader r(full);
  auto v = r.opaque();
  ck_assert(v.ok() && v.value() == payload);
}
END_TEST

// A huge declared length must fail before allocating anything of that size.
START_TEST(test_length_beyond_input)
{
  const Bytes in = { 0xbf, 0xff, 0xff, 0xff, 0x01, 0x02 };  // 2^30-1 bytes announced, 2 present
  m::Reader r(in);
  auto v = r.opaque();
  ck_assert(!v.ok() && v.error() == m::Error::Truncated);
  m::Reader r2(in);
  auto sub = r2.vector();
  ck_assert(!sub.ok() && sub.error() == m::Error::Truncated);
}
END_TEST

START_TEST(test_vector_bounds_and_trailing_bytes)
{
  m::Writer w;
  const size_t mark = w.begin_vector();
  w.u16(0x1234);
  w.u32(0xdeadbeef);
  ck_assert(w.end_vector(mark));
  w.u8(0x77);  // after the vector
  m::Reader r(w.bytes());
  auto sub = r.vector();
  ck_assert(sub.ok());
  m::Reader body = sub.value();
  ck_assert(body.u16().value() == 0x1234);
  ck_assert(body.u32().value() == 0xdeadbeef);
  auto past = body.u8();  // the sub-reader stops at the vector's end
  ck_assert(!past.ok() && past.error() == m::Error::Truncated);
  ck_assert(!r.finish().ok() && r.finish().error() == m::Error::TrailingData);
  ck_assert(r.u8().value() == 0x77);
  ck_assert(r.finish().ok());
}
END_TEST

START_TEST(test_integers_truncated)
{
  const Bytes three = { 1, 2, 3 };
  m::Reader r(three);
  ck_assert(!r.u32().ok());
  ck_assert(r.u16().value() == 0x0102);  // a failed read consumes nothing
  ck_assert(!r.u16().ok());
  ck_assert(!m::Reader(three).u64().ok());
}
END_TEST

int main()
{
  Suite* s = suite_create("mls-codec");
  TCase* tc = tcase_create("codec");
  tcase_add_test(tc, test_varint_boundaries_round_trip);
  tcase_add_test(tc, test_varint_refusals);
  tcase_add_test(tc, test_opaque_truncated_at_every_position);
  tcase_add_test(tc, test_length_beyond_input);
  tcase_add_test(tc, test_vector_bounds_and_trailing_bytes);
  tcase_add_test(tc, test_integers_truncated);
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  const int failed_count = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed_count == 0 ? 0 : 1;
}
