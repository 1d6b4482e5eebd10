// SPDX-License-Identifier: LGPL-2.1-or-later
// Replay protection (RFC 9605 section 9.3 leaves it to the application; the
// core keeps a sliding window per receiving key): the ReplayWindow against a
// reference model, then the Decryptor's use of it, including that frames
// which fail authentication never move the window.
#include <random>
#include <set>

#include "helpers.h"
#include "run-suite.h"

using namespace coretest;

// The definition the window implements, written the slow, obvious way:
// accept a counter newer than all seen, or one less than `size` behind the
// highest that was not seen before.
class ModelWindow {
public:
  explicit ModelWindow(size_t size) : size_(size < 1 ? 1 : size) {}
  bool check(uint64_t ctr) const
  {
    if (seen_.empty() || ctr > *seen_.rbegin())
      return true;
    return *seen_.rbegin() - ctr < size_ && seen_.count(ctr) == 0;
  }
  void accept(uint64_t ctr) { seen_.insert(ctr); }

private:
  size_t size_;
  std::set<uint64_t> seen_;
};

// Random traffic around the highest counter (duplicates, reordering, jumps
// of about the window size and far beyond), for sizes at and around the
// 64-bit word boundaries of the bitmap.
START_TEST(test_window_matches_model)
{
  const size_t sizes[] = { 0, 1, 2, 7, 63, 64, 65, 100, 128, 129, 1000 };
  std::mt19937_64 rng(20240605);  // fixed seed: the same traffic every run
  for (size_t size : sizes) {
    sf::ReplayWindow window(size);
    ModelWindow model(size);
    ck_assert_uint_eq(window.size(), size < 1 ? 1 : size);
    uint64_t highest = 1000;  // leaves room below for "too old" counters
    size_t accepted = 0, refused = 0;
    for (int i = 0; i < 20000; i++) {
      uint64_t ctr;
      switch (rng() % 6) {
        case 0: ctr = highest + 1; break;
        case 1: ctr = highest + 1 + rng() % (2 * size + 2); break;
        case 2: ctr = highest + rng() % 5000; break;
        default: ctr = highest - std::min<uint64_t>(highest, rng() % (2 * size + 3)); break;
      }
      const bool want = model.check(ctr);
      ck_assert_msg(window.check(ctr) == want, "size %zu, step %d: check(%llu) != %d", size, i,
                    static_cast<unsigned long long>(ctr), want);
      if (want) {
        window.accept(ctr);
        model.accept(ctr);
        highest = std::max(highest, ctr);
        accepted++;
      } else {
        refused++;
      }
    }
    ck_assert(accepted > 1000 && refused > 1000);  // both sides were exercised
  }
}
END_TEST

// Near 2^64: no overflow in "how far behind", and the top counter works.
START_TEST(test_window_at_counter_limit)
{
  sf::ReplayWindow w(16);
  w.accept(UINT64_MAX - 20);
  w.accept(UINT64_MAX);
  ck_assert(!w.check(UINT64_MAX));
  ck_assert(!w.check(UINT64_MAX - 20));  // 20 behind: too old
  ck_assert(w.check(UINT64_MAX - 15));
  ck_assert(!w.check(UINT64_MAX - 16));
  ck_assert(!w.check(0));
}
END_TEST

struct Stream {
  sf::Encryptor enc;
  sf::Decryptor dec;
  std::vector<Bytes> frames;  // frames[i] has counter i
  Bytes out = Bytes(8);

  Stream(size_t window, int count, uint64_t kid = 1) : dec(window)
  {
    ck_assert(enc.add_key(kid, kGcm, kBaseKey).ok());
    ck_assert(dec.add_key(kid, kGcm, kBaseKey).ok());
    for (int i = 0; i < count; i++)
      frames.push_back(protect(enc, kid, { static_cast<uint8_t>(i) }));
  }
  sf::Result<sf::FrameInfo> open(int i) { return dec.unprotect(frames[static_cast<size_t>(i)], {}, out); }
  void ok(int i)
  {
    auto r = open(i);
    ck_assert_msg(r.ok(), "frame %d refused: %s", i, r.message());
    ck_assert_uint_eq(out[0], static_cast<uint8_t>(i));
  }
  void replay(int i) { expect_error("replayed frame", open(i), sf::Error::Replay); }
};

START_TEST(test_duplicates_and_old_frames)
{
  Stream s(16, 40);
  s.ok(20);
  s.replay(20);  // duplicate
  s.ok(10);      // reordered, 10 behind
  s.replay(10);
  s.ok(5);       // 15 behind: the oldest the window keeps
  s.replay(4);   // 16 behind: too old to tell from a replay
  s.ok(21);
  s.replay(5);   // the window moved on by one
  s.ok(6);
  // In place is the same check.
  Bytes again = s.frames[21];
  expect_error("replay in place", s.dec.unprotect_in_place(again, {}), sf::Error::Replay);
}
END_TEST

START_TEST(test_reordering_within_window)
{
  Stream s(32, 64);
  // Every frame arrives, in a shuffled order that never lags 32 behind.
  std::vector<int> order;
  for (int base = 0; base < 64; base += 8)
    for (int k : { 7, 3, 0, 5, 1, 6, 2, 4 })
      order.push_back(base + k);
  for (int i : order)
    s.ok(i);
  for (int i = 33; i < 64; i++)
    s.replay(i);
}
END_TEST

// Forged frames with far-ahead counters (bad tag) neither move the window
// nor mark their counter as seen.
START_TEST(test_forgery_does_not_move_window)
{
  Stream s(16, 40);
  s.ok(20);
  sf::Encryptor ahead;
  ck_assert(ahead.add_key(1, kGcm, kBaseKey, { 1000, UINT64_MAX }).ok());
  const Bytes genuine_1000 = protect(ahead, 1, { 0x42 });
  for (size_t byte : { genuine_1000.size() - 1, sf::header_size(1, 1000) }) {  // the tag, then the ciphertext
    Bytes forged = genuine_1000;
    forged[byte] ^= 1;
    expect_error("forged far-ahead frame", s.dec.unprotect(forged, {}, s.out), sf::Error::AuthenticationFailed);
  }
  s.ok(19);  // would be too old had the forgery moved the window to 1000
  s.ok(5);
  auto r = s.dec.unprotect(genuine_1000, {}, s.out);  // counter 1000 was not marked seen
  ck_assert_msg(r.ok(), "%s", r.message());
  s.replay(38);  // the genuine frame did move the window to 1000: 38 is too old now
}
END_TEST

// Each key has its own window: counters of one KID say nothing about another.
START_TEST(test_windows_are_per_key)
{
  sf::Encryptor enc;
  sf::Decryptor dec(16);
  for (uint64_t kid : { 1, 2 }) {
    ck_assert(enc.add_key(kid, kGcm, kBaseKey).ok());
    ck_assert(dec.add_key(kid, kGcm, kBaseKey).ok());
  }
  std::vector<Bytes> one, two;
  for (int i = 0; i < 50; i++) {
    one.push_back(protect(enc, 1, { 1 }));
    two.push_back(protect(enc, 2, { 2 }));
  }
  Bytes out(1);
  ck_assert(dec.unprotect(one[49], {}, out).ok());
  ck_assert(dec.unprotect(two[0], {}, out).ok());  // 49 behind in KID 1's terms
  ck_assert(dec.unprotect(two[1], {}, out).ok());
  expect_error("replay on KID 2", dec.unprotect(two[0], {}, out), sf::Error::Replay);
  expect_error("too old on KID 1", dec.unprotect(one[0], {}, out), sf::Error::Replay);
}
END_TEST

// set_replay_window applies to keys added afterwards.
START_TEST(test_window_size_setting)
{
  sf::Encryptor enc;
  sf::Decryptor dec(4);
  ck_assert(enc.add_key(1, kGcm, kBaseKey).ok());
  ck_assert(enc.add_key(2, kGcm, kBaseKey).ok());
  ck_assert(dec.add_key(1, kGcm, kBaseKey).ok());
  dec.set_replay_window(100);
  ck_assert(dec.add_key(2, kGcm, kBaseKey).ok());
  std::vector<Bytes> f1, f2;
  for (int i = 0; i < 60; i++) {
    f1.push_back(protect(enc, 1, { 1 }));
    f2.push_back(protect(enc, 2, { 2 }));
  }
  Bytes out(1);
  ck_assert(dec.unprotect(f1[59], {}, out).ok());
  ck_assert(dec.unprotect(f2[59], {}, out).ok());
  expect_error("window 4", dec.unprotect(f1[10], {}, out), sf::Error::Replay);
  ck_assert(dec.unprotect(f2[10], {}, out).ok());  // window 100
}
END_TEST

// A KID removed and re-added with the same key keeps refusing what it
// accepted before; the same KID with another key (or suite) starts afresh,
// as MLS reuses KIDs once epochs wrap (RFC 9605 section 5.2).
START_TEST(test_readded_kid_keeps_its_window)
{
  const Bytes other_key(16, 0x77);
  sf::Encryptor enc, enc_other;
  ck_assert(enc.add_key(1, kGcm, kBaseKey).ok());
  ck_assert(enc_other.add_key(1, kGcm, other_key).ok());
  std::vector<Bytes> frames;
  for (int i = 0; i < 5; i++)
    frames.push_back(protect(enc, 1, { static_cast<uint8_t>(i) }));
  const Bytes other_frame0 = protect(enc_other, 1, { 9 });

  sf::Decryptor dec(16);
  Bytes out(1);
  ck_assert(dec.add_key(1, kGcm, kBaseKey).ok());
  for (int i = 0; i < 3; i++)
    ck_assert(dec.unprotect(frames[i], {}, out).ok());
  ck_assert(dec.remove_key(1).ok());
  ck_assert(dec.add_key(1, kGcm, kBaseKey).ok());
  for (int i = 0; i < 3; i++)
    expect_error("replay after re-add", dec.unprotect(frames[i], {}, out), sf::Error::Replay);
  ck_assert(dec.unprotect(frames[4], {}, out).ok());
  ck_assert(dec.unprotect(frames[3], {}, out).ok());  // unseen and in the window

  // Another key under KID 1: its counter 0 is new, not a replay.
  ck_assert(dec.remove_key(1).ok());
  ck_assert(dec.add_key(1, kGcm, other_key).ok());
  ck_assert(dec.unprotect(other_frame0, {}, out).ok());
  ck_assert_uint_eq(out[0], 9);

  // The same key under another suite is another key too.
  ck_assert(dec.remove_key(1).ok());
  ck_assert(dec.add_key(1, sf::CipherSuite::AES_256_GCM_SHA512_128, kBaseKey).ok());
  ck_assert(dec.remove_key(1).ok());
  ck_assert(dec.add_key(1, kGcm, kBaseKey).ok());
  ck_assert(dec.unprotect(frames[0], {}, out).ok());  // window was dropped with the suite change
}
END_TEST

// Only the newest kMaxRetiredWindows removed KIDs are remembered: memory stays
// bounded however many KIDs come and go.
START_TEST(test_retired_windows_are_bounded)
{
  sf::Encryptor enc;
  ck_assert(enc.add_key(0, kGcm, kBaseKey).ok());
  const Bytes first = protect(enc, 0, { 1 });
  sf::Decryptor dec(16);
  Bytes out(1);
  ck_assert(dec.add_key(0, kGcm, kBaseKey).ok());
  ck_assert(dec.unprotect(first, {}, out).ok());
  ck_assert(dec.remove_key(0).ok());
  for (uint64_t kid = 1; kid < sf::Decryptor::kMaxRetiredWindows; kid++) {
    ck_assert(dec.add_key(kid, kGcm, kBaseKey).ok());
    ck_assert(dec.remove_key(kid).ok());
  }
  ck_assert(dec.add_key(0, kGcm, kBaseKey).ok());  // still remembered: the limit was just reached
  expect_error("KID 0 within the limit", dec.unprotect(first, {}, out), sf::Error::Replay);
  ck_assert(dec.remove_key(0).ok());
  for (uint64_t kid = 1; kid <= sf::Decryptor::kMaxRetiredWindows; kid++) {
    ck_assert(dec.add_key(kid + 5000, kGcm, kBaseKey).ok());
    ck_assert(dec.remove_key(kid + 5000).ok());
  }
  ck_assert(dec.add_key(0, kGcm, kBaseKey).ok());  // pushed out by newer KIDs
  ck_assert(dec.unprotect(first, {}, out).ok());
}
END_TEST

int main()
{
  Suite* s = suite_create("sframe-replay");
  TCase* tc = tcase_create("replay");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_window_matches_model);
  tcase_add_test(tc, test_window_at_counter_limit);
  tcase_add_test(tc, test_duplicates_and_old_frames);
  tcase_add_test(tc, test_reordering_within_window);
  tcase_add_test(tc, test_forgery_does_not_move_window);
  tcase_add_test(tc, test_windows_are_per_key);
  tcase_add_test(tc, test_window_size_setting);
  tcase_add_test(tc, test_readded_kid_keeps_its_window);
  tcase_add_test(tc, test_retired_windows_are_bounded);
  suite_add_tcase(s, tc);
  return run_suite(s);
}
