// SPDX-License-Identifier: LGPL-2.1-or-later
// Runs the fuzz target bodies (tests/fuzz) over the test vectors' frames and
// deterministic mutations of them, so every test run (and the sanitized one)
// exercises the parsers with hostile input, not only the fuzzing builds.
#include <check.h>

#include <random>

#include "json.h"
#include "sframe-fuzz-bodies.h"

using Bytes = std::vector<uint8_t>;

static std::vector<Bytes> seeds()
{
  std::vector<Bytes> out;
  const auto doc = testjson::load_file(std::string(VECTORS_DIR) + "/sframe/rfc9605.json");
  for (const auto& c : doc["header"].array())
    out.push_back(c["encoded"].hex());
  for (const auto& c : doc["sframe"].array())
    out.push_back(c["ct"].hex());
  out.push_back({});
  return out;
}

START_TEST(test_mutations)
{
  const auto base = seeds();
  std::mt19937 rng(12345);  // fixed: the same inputs every run
  long runs = 0;
  for (int i = 0; i < 10000; i++) {
    Bytes b = base[rng() % base.size()];
    switch (rng() % 4) {
      case 0:
        if (!b.empty())
          b[rng() % b.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
        break;
      case 1:
        b.resize(b.empty() ? 0 : rng() % b.size());  // truncate
        break;
      case 2:
        for (int k = rng() % 40; k > 0; k--)
          b.push_back(static_cast<uint8_t>(rng()));
        break;
      default:
        if (!b.empty())
          b[0] = static_cast<uint8_t>(rng());  // any config byte
        break;
    }
    sframe_fuzz::header(b.data(), b.size());
    sframe_fuzz::unprotect(b.data(), b.size());
    sframe_fuzz::round_trip(b.data(), b.size());
    runs++;
  }
  ck_assert_int_eq(runs, 10000);
}
END_TEST

int main()
{
  Suite* s = suite_create("sframe-fuzz-replay");
  TCase* tc = tcase_create("replay");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_mutations);
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  const int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? 0 : 1;
}
