// SPDX-License-Identifier: LGPL-2.1-or-later
// MessageStream cuts whole MLSMessages out of one-per-chunk framing and out
// of byte streams chunked anywhere, and gives up on garbage, on a partial
// message that a whole one overtakes, and on one longer than its limit,
// each with a reason, without losing the messages that follow.
#include "mls/group.h"
#include "mls/message_stream.h"

#include <check.h>

#include "test-bytes.h"

#include <string>
#include <vector>

namespace m = gste2ee::mls;
using mls_test::text;
using mls_test::bytes;

namespace {

// A KeyPackage, the commit that adds it and its Welcome: three messages of
// three kinds and sizes, as a joining member's sink pad sees them.
std::vector<m::Bytes> three_messages()
{
  const auto alice_kp = m::generate_key_package(1, text("alice"), 0, UINT64_MAX).value();
  const auto bob_kp = m::generate_key_package(1, text("bob"), 0, UINT64_MAX).value();
  m::MLSMessage kp;
  kp.message.emplace<m::KeyPackage>(bob_kp.key_package);
  auto add = m::Group::create(alice_kp, text("room")).value().commit({ bob_kp.key_package }, {}).value();
  return { bytes(kp), bytes(add.commit), bytes(*add.welcome) };
}

m::Bytes joined(const std::vector<m::Bytes>& parts)
{
  m::Bytes all;
  for (const auto& p : parts)
    all.insert(all.end(), p.begin(), p.end());
  return all;
}

// Feeds `stream` in chunks of `chunk` bytes; returns the messages and counts
// the refusals.
std::vector<m::Bytes> feed_in_chunks(m::MessageStream& stream, const m::Bytes& all, size_t chunk, int* refused)
{
  std::vector<m::Bytes> got;
  for (size_t at = 0; at < all.size(); at += chunk) {
    const size_t n = std::min(chunk, all.size() - at);
    for (auto& piece : stream.feed(all.data() + at, n)) {
      if (piece.refused)
        (*refused)++;
      else
        got.push_back(std::move(piece.message));
    }
  }
  return got;
}

} // namespace

START_TEST(test_one_message_per_chunk)
{
  const auto msgs = three_messages();
  m::MessageStream stream;
  int refused = 0;
  std::vector<m::Bytes> got;
  for (const auto& msg : msgs)
    for (auto& piece : stream.feed(msg.data(), msg.size())) {
      refused += piece.refused != nullptr;
      got.push_back(piece.message);
    }
  ck_assert_int_eq(refused, 0);
  ck_assert(got == msgs);
  ck_assert_uint_eq(stream.pending(), 0);
}
END_TEST

START_TEST(test_byte_stream_chunked_anywhere)
{
  const auto msgs = three_messages();
  const m::Bytes all = joined(msgs);
  // One byte at a time, odd sizes that straddle every boundary, filesrc's
  // 4 KiB blocks and the whole stream as one chunk.
  for (size_t chunk : { size_t{ 1 }, size_t{ 7 }, size_t{ 100 }, size_t{ 4096 }, all.size() }) {
    m::MessageStream stream;
    int refused = 0;
    const auto got = feed_in_chunks(stream, all, chunk, &refused);
    ck_assert_msg(got == msgs, "chunks of %zu: %zu messages", chunk, got.size());
    ck_assert_int_eq(refused, 0);
    ck_assert_uint_eq(stream.pending(), 0);
  }
}
END_TEST

START_TEST(test_partial_message_waits_and_a_whole_one_overtakes_it)
{
  const auto msgs = three_messages();
  m::MessageStream stream;
  // Half of the commit waits for its end...
  const size_t half = msgs[1].size() / 2;
  ck_assert(stream.feed(msgs[1].data(), half).empty());
  ck_assert_uint_eq(stream.pending(), half);
  // ...and a whole Welcome comes instead: the half is given up, the Welcome
  // is kept.
  auto pieces = stream.feed(msgs[2].data(), msgs[2].size());
  ck_assert_uint_eq(pieces.size(), 2);
  ck_assert_ptr_nonnull(pieces[0].refused);
  ck_assert_ptr_null(pieces[1].refused);
  ck_assert(pieces[1].message == msgs[2]);
  ck_assert_uint_eq(stream.pending(), 0);
  // A flush drops what waits.
  (void) stream.feed(msgs[0].data(), 10);
  stream.clear();
  ck_assert_uint_eq(stream.pending(), 0);
  pieces = stream.feed(msgs[0].data(), msgs[0].size());
  ck_assert_uint_eq(pieces.size(), 1);
  ck_assert(pieces[0].message == msgs[0]);
}
END_TEST

START_TEST(test_garbage_is_refused_and_what_follows_is_kept)
{
  const auto msgs = three_messages();
  m::MessageStream stream;
  // Version 2 is no MLS version: refused outright, nothing waits.
  const uint8_t garbage[] = { 0x00, 0x02, 0x00, 0x01, 0xde, 0xad };
  auto pieces = stream.feed(garbage, sizeof garbage);
  ck_assert_uint_eq(pieces.size(), 1);
  ck_assert_ptr_nonnull(pieces[0].refused);
  ck_assert_uint_eq(stream.pending(), 0);
  pieces = stream.feed(msgs[0].data(), msgs[0].size());
  ck_assert_uint_eq(pieces.size(), 1);
  ck_assert(pieces[0].message == msgs[0]);
  // A message followed by garbage in one chunk: the message, then the
  // refusal.
  m::Bytes chunk = msgs[1];
  chunk.insert(chunk.end(), garbage, garbage + sizeof garbage);
  pieces = stream.feed(chunk.data(), chunk.size());
  ck_assert_uint_eq(pieces.size(), 2);
  ck_assert(pieces[0].message == msgs[1]);
  ck_assert_ptr_nonnull(pieces[1].refused);
  ck_assert_uint_eq(stream.pending(), 0);
  // Where the stream goes on after garbage is unknowable: a message split
  // over two chunks is dropped silently, a flush starts again.
  const size_t half = msgs[2].size() / 2;
  ck_assert(stream.feed(msgs[2].data(), half).empty());
  ck_assert(stream.feed(msgs[2].data() + half, msgs[2].size() - half).empty());
  stream.clear();
  ck_assert(stream.feed(msgs[2].data(), half).empty());
  pieces = stream.feed(msgs[2].data() + half, msgs[2].size() - half);
  ck_assert_uint_eq(pieces.size(), 1);
  ck_assert(pieces[0].message == msgs[2]);
}
END_TEST

START_TEST(test_partial_message_beyond_the_limit_is_dropped)
{
  const auto msgs = three_messages();
  const m::Bytes& welcome = msgs[2];
  m::MessageStream stream(welcome.size() / 2);
  int refused = 0;
  const auto got = feed_in_chunks(stream, welcome, 16, &refused);
  ck_assert_uint_eq(got.size(), 0);
  ck_assert_int_eq(refused, 1);  // once, not for every chunk of the rest
  ck_assert_uint_eq(stream.pending(), 0);
  // The next chunk that is a whole message by itself starts again.
  auto pieces = stream.feed(msgs[0].data(), msgs[0].size());
  ck_assert_uint_eq(pieces.size(), 1);
  ck_assert(pieces[0].message == msgs[0]);
  // Within the limit, the same message passes.
  m::MessageStream roomy(welcome.size());
  refused = 0;
  ck_assert_uint_eq(feed_in_chunks(roomy, welcome, 16, &refused).size(), 1);
  ck_assert_int_eq(refused, 0);
}
END_TEST

static Suite* message_stream_suite()
{
  Suite* s = suite_create("mls-message-stream");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_one_message_per_chunk);
  tcase_add_test(tc, test_byte_stream_chunked_anywhere);
  tcase_add_test(tc, test_partial_message_waits_and_a_whole_one_overtakes_it);
  tcase_add_test(tc, test_garbage_is_refused_and_what_follows_is_kept);
  tcase_add_test(tc, test_partial_message_beyond_the_limit_is_dropped);
  return s;
}

int main()
{
  SRunner* r = srunner_create(message_stream_suite());
  srunner_run_all(r, CK_NORMAL);
  const int failed = srunner_ntests_failed(r);
  srunner_free(r);
  return failed == 0 ? 0 : 1;
}
