// SPDX-License-Identifier: LGPL-2.1-or-later
// Dominant-speaker detection from audio levels: who takes the floor, the
// hysteresis that keeps a cough from taking it, silence and staleness, and
// the recent-speaker order that last-n cuts (without the viewer itself).
#include "sfu/speakers.h"

#include <check.h>

using gste2ee::sfu::SpeakerDetector;

namespace {

// `packets` packets 20 ms apart from `id` at `level` -dBov; whether the
// dominant speaker changed on any of them.
bool talk(SpeakerDetector& d, uint32_t id, uint8_t level, int packets, uint64_t* now)
{
  bool changed = false;
  for (int i = 0; i < packets; i++) {
    *now += 20'000;
    changed = d.level(id, level, *now) || changed;
  }
  return changed;
}

} // namespace

START_TEST(test_loudest_takes_the_floor_with_hysteresis)
{
  SpeakerDetector d;
  uint64_t now = 0;
  for (uint32_t id : { 0u, 1u, 2u })
    d.add(id);
  ck_assert(!d.dominant());
  // Room noise is nobody speaking.
  ck_assert(!talk(d, 0, 100, 50, &now));
  ck_assert(!d.dominant());
  ck_assert(talk(d, 1, 30, 10, &now));
  ck_assert_uint_eq(*d.dominant(), 1);
  // Interleaved: 1 keeps talking at -30 dBov, 2 coughs once at -10 dBov.
  now += 600'000;
  ck_assert(!talk(d, 1, 30, 1, &now));
  ck_assert(!d.level(2, 10, now + 1000));
  ck_assert_uint_eq(*d.dominant(), 1);
  // 2 talks louder for longer while 1 goes on: 2 takes the floor.
  bool changed = false;
  for (int i = 0; i < 50; i++) {
    changed = talk(d, 1, 30, 1, &now) || changed;
    changed = d.level(2, 15, now + 1000) || changed;
  }
  ck_assert(changed);
  ck_assert_uint_eq(*d.dominant(), 2);
}
END_TEST

START_TEST(test_hold_time_and_margin)
{
  SpeakerDetector d;
  uint64_t now = 0;
  d.add(0);
  d.add(1);
  ck_assert(!talk(d, 0, 40, 3, &now));  // three packets of speech are not yet a speaker
  ck_assert(talk(d, 0, 40, 12, &now));
  // 1 only 3 dB louder than 0: below the margin, 0 keeps the floor.
  for (int i = 0; i < 100; i++) {
    talk(d, 0, 40, 1, &now);
    d.level(1, 37, now + 1);
  }
  ck_assert_uint_eq(*d.dominant(), 0);
  // 0 goes silent (no packets at all, as with DTX): after the stale time 1
  // takes the floor even at the same level.
  now += SpeakerDetector::kStaleUs + 1;
  int packets = 0;
  while (!talk(d, 1, 40, 1, &now))
    ck_assert_int_lt(++packets, 50);
  ck_assert_uint_eq(*d.dominant(), 1);
  // Much louder, but within the hold time (20 packets of 20 ms): 1 keeps the floor; then 0 gets it.
  for (int i = 0; i < 20; i++) {
    ck_assert(!talk(d, 0, 5, 1, &now));
    d.level(1, 40, now + 1);
  }
  ck_assert_uint_eq(*d.dominant(), 1);
  bool changed = false;
  for (int i = 0; i < 10; i++) {
    changed = talk(d, 0, 5, 1, &now) || changed;
    d.level(1, 40, now + 1);
  }
  ck_assert(changed);
  ck_assert_uint_eq(*d.dominant(), 0);
}
END_TEST

START_TEST(test_rank_is_recency_without_the_viewer)
{
  SpeakerDetector d;
  uint64_t now = 0;
  for (uint32_t id : { 0u, 1u, 2u, 3u })
    d.add(id);
  // Nobody spoke: arrival order.
  ck_assert_uint_eq(d.rank(0, 3), 0);
  ck_assert_uint_eq(d.rank(2, 3), 2);
  ck_assert_uint_eq(d.rank(2, 0), 1);  // the viewer does not count
  ck_assert(talk(d, 3, 20, 10, &now));
  ck_assert_uint_eq(d.rank(3, 0), 0);
  ck_assert_uint_eq(d.rank(0, 1), 1);
  ck_assert_uint_eq(d.rank(0, 3), 0);  // 3 views: it is not in its own order
  d.remove(3);
  ck_assert(!d.dominant());
  ck_assert_uint_eq(d.rank(0, 1), 0);
  ck_assert_uint_eq(d.rank(3, 0), 3);  // unknown: after everyone
  ck_assert(!d.level(3, 10, now));
}
END_TEST

static Suite* speakers_suite()
{
  Suite* s = suite_create("sfu-speakers");
  TCase* tc = tcase_create("speakers");
  tcase_add_test(tc, test_loudest_takes_the_floor_with_hysteresis);
  tcase_add_test(tc, test_hold_time_and_margin);
  tcase_add_test(tc, test_rank_is_recency_without_the_viewer);
  suite_add_tcase(s, tc);
  return s;
}

int main()
{
  SRunner* sr = srunner_create(speakers_suite());
  srunner_run_all(sr, CK_NORMAL);
  const int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? 0 : 1;
}
