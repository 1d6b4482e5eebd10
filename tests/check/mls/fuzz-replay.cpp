// SPDX-License-Identifier: LGPL-2.1-or-later
// Runs the MLS fuzz body (tests/fuzz/mls-fuzz-bodies.h) over every message of
// the vectors and 20000 deterministic mutations of them, against a joined
// member, so every test run (and the sanitized one) feeds the MLS core
// hostile input, not only the -Dfuzzing builds. The outcomes are counted to
// show the inputs reached decoding and processing, not only the first check.
#include <random>

#include "mls-fuzz-bodies.h"

#include <check.h>

namespace m = gste2ee::mls;

namespace {

std::vector<m::Bytes> seeds()
{
  const std::string dir = std::string(VECTORS_DIR) + "/mls/";
  std::vector<m::Bytes> out;
  const auto messages = testjson::load_file(dir + "messages.json");
  for (const auto& c : messages.array())
    for (const char* k : { "mls_welcome", "mls_group_info", "mls_key_package", "public_message_application",
                           "public_message_proposal", "public_message_commit", "private_message" })
      out.push_back(c[k].hex());
  // The first epoch's messages of the member's own scenario reach processing.
  const auto pc = testjson::load_file(dir + "passive-client-handling-commit.json");
  const auto& e0 = pc[0]["epochs"][0];
  for (const auto& p : e0["proposals"].array())
    out.push_back(p.hex());
  out.push_back(e0["commit"].hex());
  out.push_back({});
  return out;
}

m::Bytes mutate(m::Bytes b, std::mt19937& rng)
{
  const int kind = static_cast<int>(rng() % 4);
  if (b.empty() || kind == 0) {
    b.push_back(static_cast<uint8_t>(rng()));
  } else if (kind == 1) {
    b[rng() % b.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
  } else if (kind == 2) {
    b.resize(rng() % b.size());
  } else {
    b[rng() % b.size()] = static_cast<uint8_t>(rng());
  }
  return b;
}

} // namespace

START_TEST(test_replay_vectors_and_mutations)
{
  auto member = mls_fuzz::make_member(VECTORS_DIR);
  ck_assert(member.has_value());
  size_t refused = 0, decoded = 0, handled = 0;
  auto feed = [&](const m::Bytes& b) {
    switch (mls_fuzz::message(b.data(), b.size(), &*member)) {
      case mls_fuzz::Outcome::Refused: refused++; break;
      case mls_fuzz::Outcome::Decoded: decoded++; break;
      case mls_fuzz::Outcome::Handled: handled++; break;
    }
  };
  const auto inputs = seeds();
  for (const auto& s : inputs)
    feed(s);
  std::mt19937 rng(9420);  // fixed seed: the same inputs every run
  for (int i = 0; i < 20000; i++)
    feed(mutate(inputs[rng() % inputs.size()], rng));
  // The genuine commit of epoch 0 is handled; most mutations are refused
  // while decoding; some decode and are refused by the member's checks.
  ck_assert_uint_ge(handled, 1);
  ck_assert_uint_ge(decoded, 100);
  ck_assert_uint_ge(refused, 1000);
}
END_TEST

int main()
{
  Suite* s = suite_create("mls-fuzz-replay");
  TCase* tc = tcase_create("replay");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_replay_vectors_and_mutations);
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  const int failed_count = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed_count == 0 ? 0 : 1;
}
