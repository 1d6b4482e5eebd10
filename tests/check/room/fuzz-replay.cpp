// SPDX-License-Identifier: LGPL-2.1-or-later
// Runs the room fuzz body (tests/fuzz/room-fuzz-bodies.h) over valid tokens,
// messages and frames and 20000 deterministic mutations of them, so every
// test run (and the sanitized one) feeds the room server hostile input, not
// only the -Dfuzzing builds. Outcomes are counted to show that the inputs
// reached acceptance, not only the first check.
#include <random>

#include "room-fuzz-bodies.h"

#include <check.h>

#include "run-suite.h"

namespace {

std::string with_target(uint8_t target, const std::string& body)
{
  return std::string(1, static_cast<char>(target)) + body;
}

std::vector<std::string> seeds(room_fuzz::State& s)
{
  namespace r = gste2ee::room;
  const std::string join = r::Message("join").set("room", s.room).set("token", "x").set("mode", "e2ee").to_json();
  const std::string publish = r::Message("publish").set("track", "screen").to_json();
  const std::string kick = r::Message("kick").set("room", s.room).set("identity", "p1").to_json();
  const std::string lock = r::Message("lock").set("room", s.room).set("locked", true).to_json();
  return {
    with_target(0, s.token("alice", r::kAllPermissions, "seed-1", room_fuzz::kTokenRoom)),
    with_target(0, s.token("bob", 0, "seed-2", room_fuzz::kTokenRoom)),
    with_target(1, join),
    with_target(1, publish),
    with_target(2, r::encode_frame(join) + r::encode_frame("ab")),
    with_target(3, r::encode_frame(publish) + r::encode_frame(kick) + r::encode_frame(lock)),
    with_target(3, r::encode_frame(r::Message("mls").set("data", "AAEC").to_json())),
    with_target(3, r::encode_frame(r::Message("end").set("room", s.room).to_json())),
  };
}

std::string mutate(std::string b, std::mt19937& rng)
{
  const int kind = static_cast<int>(rng() % 4);
  if (b.size() < 2 || kind == 0) {
    b.push_back(static_cast<char>(rng()));
  } else if (kind == 1) {
    b[1 + rng() % (b.size() - 1)] ^= static_cast<char>(1u << (rng() % 8));
  } else if (kind == 2) {
    b.resize(1 + rng() % (b.size() - 1));
  } else {
    b[1 + rng() % (b.size() - 1)] = static_cast<char>(rng());
  }
  return b;
}

} // namespace

START_TEST(test_replay_seeds_and_mutations)
{
  room_fuzz::State state;
  size_t accepted = 0, refused = 0;
  auto feed = [&](const std::string& b) {
    const auto o = room_fuzz::input(reinterpret_cast<const uint8_t*>(b.data()), b.size(), &state);
    (o == room_fuzz::Outcome::Accepted ? accepted : refused)++;
  };
  const auto base = seeds(state);
  for (const auto& b : base)
    feed(b);
  // Every seed is accepted as it is: the mutations start from inputs that
  // reach the deep paths.
  ck_assert_uint_eq(accepted, base.size());
  std::mt19937 rng(9420);
  for (int i = 0; i < 20000; i++) {
    std::string b = base[static_cast<size_t>(i) % base.size()];
    for (int n = 1 + static_cast<int>(rng() % 3); n > 0; n--)
      b = mutate(b, rng);
    feed(b);
  }
  ck_assert_msg(refused > 1000 && accepted > 1000, "accepted %zu, refused %zu", accepted, refused);
}
END_TEST

int main()
{
  Suite* s = suite_create("room-fuzz-replay");
  TCase* tc = tcase_create("replay");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_replay_seeds_and_mutations);
  suite_add_tcase(s, tc);
  return run_suite(s);
}
