// SPDX-License-Identifier: LGPL-2.1-or-later
// SFrame header encoding beyond the vectors (RFC 9605 section 4.3): the
// inline/extended boundary at 7/8, the shortest form at every byte length,
// truncation of every header shape, and output buffers that are too small.
#include "helpers.h"
#include "run-suite.h"

using namespace coretest;

static Bytes encode(uint64_t kid, uint64_t ctr)
{
  uint8_t buf[sf::kMaxHeaderSize];
  auto n = sf::encode_header(kid, ctr, { buf, sizeof buf });
  ck_assert(n.ok());
  return Bytes(buf, buf + n.value());
}

// Big-endian in exactly n bytes.
static Bytes be(uint64_t v, size_t n)
{
  Bytes b(n);
  for (size_t i = 0; i < n; i++)
    b[n - 1 - i] = static_cast<uint8_t>(v >> (8 * i));
  return b;
}

// The encoding RFC 9605 prescribes, built field by field from the spec text.
static Bytes expected(uint64_t kid, uint64_t ctr, size_t kid_len, size_t ctr_len)
{
  uint8_t config = 0;
  config |= kid_len == 0 ? static_cast<uint8_t>(kid << 4) : static_cast<uint8_t>(0x80 | (kid_len - 1) << 4);
  config |= ctr_len == 0 ? static_cast<uint8_t>(ctr) : static_cast<uint8_t>(0x08 | (ctr_len - 1));
  Bytes out{ config };
  const Bytes k = be(kid, kid_len), c = be(ctr, ctr_len);
  out.insert(out.end(), k.begin(), k.end());
  out.insert(out.end(), c.begin(), c.end());
  return out;
}

static void round_trip(uint64_t kid, uint64_t ctr, size_t kid_len, size_t ctr_len)
{
  const Bytes got = encode(kid, ctr);
  ck_assert_msg(got == expected(kid, ctr, kid_len, ctr_len), "kid %llu ctr %llu: wrong encoding",
                static_cast<unsigned long long>(kid), static_cast<unsigned long long>(ctr));
  ck_assert_uint_eq(sf::header_size(kid, ctr), 1 + kid_len + ctr_len);
  auto h = sf::decode_header(got);
  ck_assert(h.ok());
  ck_assert_uint_eq(h.value().kid, kid);
  ck_assert_uint_eq(h.value().ctr, ctr);
  ck_assert_uint_eq(h.value().size, got.size());
}

// 0-7 sit in the config byte; 8 needs one extra byte. Both fields, both ways.
START_TEST(test_inline_extended_boundary)
{
  for (uint64_t kid = 0; kid <= 8; kid++)
    for (uint64_t ctr = 0; ctr <= 8; ctr++)
      round_trip(kid, ctr, kid < 8 ? 0 : 1, ctr < 8 ? 0 : 1);
  ck_assert(encode(7, 7) == Bytes{ 0x77 });
  ck_assert((encode(8, 8) == Bytes{ 0x88, 0x08, 0x08 }));
}
END_TEST

// The shortest form at each length: the smallest and largest value that need
// n bytes, for KID and CTR independently.
START_TEST(test_shortest_form)
{
  for (size_t n = 1; n <= 8; n++) {
    const uint64_t lo = n == 1 ? 8 : uint64_t{ 1 } << (8 * (n - 1));
    const uint64_t hi = n == 8 ? UINT64_MAX : (uint64_t{ 1 } << (8 * n)) - 1;
    for (uint64_t v : { lo, hi }) {
      round_trip(v, 3, n, 0);
      round_trip(5, v, 0, n);
      round_trip(v, v, n, n);
    }
  }
  ck_assert_uint_eq(sf::header_size(UINT64_MAX, UINT64_MAX), sf::kMaxHeaderSize);
}
END_TEST

// Every proper prefix of every header shape is TruncatedHeader, never a read
// past the end (ASan watches the exact-size copies).
START_TEST(test_truncated_prefixes)
{
  for (size_t kid_len = 0; kid_len <= 8; kid_len++) {
    for (size_t ctr_len = 0; ctr_len <= 8; ctr_len++) {
      const uint64_t kid = kid_len == 0 ? 5 : UINT64_MAX >> (8 * (8 - kid_len));
      const uint64_t ctr = ctr_len == 0 ? 6 : UINT64_MAX >> (8 * (8 - ctr_len));
      const Bytes full = encode(kid, ctr);
      ck_assert_uint_eq(full.size(), 1 + kid_len + ctr_len);
      for (size_t len = 0; len < full.size(); len++) {
        const Bytes prefix(full.begin(), full.begin() + static_cast<long>(len));
        auto h = sf::decode_header({ prefix.data(), prefix.size() });
        ck_assert_msg(!h.ok(), "prefix of %zu/%zu bytes decoded", len, full.size());
        expect_error("truncated header", h, sf::Error::TruncatedHeader);
      }
    }
  }
}
END_TEST

// A buffer one byte short is refused, and nothing is written at all.
START_TEST(test_encode_buffer_too_small)
{
  const uint64_t cases[][2] = { { 0, 0 }, { 8, 0 }, { 0, 8 }, { 300, 70000 }, { UINT64_MAX, UINT64_MAX } };
  for (const auto& c : cases) {
    const size_t need = sf::header_size(c[0], c[1]);
    for (size_t size = 0; size < need; size++) {
      Bytes buf(sf::kMaxHeaderSize, kSentinel);
      auto n = sf::encode_header(c[0], c[1], { buf.data(), size });
      ck_assert(!n.ok());
      expect_error("encode into a short buffer", n, sf::Error::BufferTooSmall);
      ck_assert(buf == Bytes(sf::kMaxHeaderSize, kSentinel));
    }
  }
}
END_TEST

// Every one of the 256 config bytes decodes to the size its bits announce.
START_TEST(test_every_config_byte)
{
  for (unsigned c = 0; c < 256; c++) {
    const size_t kid_len = (c & 0x80) ? ((c >> 4) & 7) + 1 : 0;
    const size_t ctr_len = (c & 0x08) ? (c & 7) + 1 : 0;
    Bytes frame(sf::kMaxHeaderSize, 0);
    frame[0] = static_cast<uint8_t>(c);
    auto h = sf::decode_header(frame);
    ck_assert(h.ok());
    ck_assert_uint_eq(h.value().size, 1 + kid_len + ctr_len);
    if (kid_len == 0)
      ck_assert_uint_eq(h.value().kid, (c >> 4) & 7);
    if (ctr_len == 0)
      ck_assert_uint_eq(h.value().ctr, c & 7);
  }
}
END_TEST

int main()
{
  Suite* s = suite_create("sframe-header");
  TCase* tc = tcase_create("header");
  tcase_add_test(tc, test_inline_extended_boundary);
  tcase_add_test(tc, test_shortest_form);
  tcase_add_test(tc, test_truncated_prefixes);
  tcase_add_test(tc, test_encode_buffer_too_small);
  tcase_add_test(tc, test_every_config_byte);
  suite_add_tcase(s, tc);
  return run_suite(s);
}
