// SPDX-License-Identifier: LGPL-2.1-or-later
// Runs the fuzz target bodies (tests/fuzz/sframe-fuzz-bodies.h) over the
// test vectors' headers and frames, genuine frames under the unprotect
// target's keys, and 10000 deterministic mutations of them, so every test
// run (and the sanitized one) feeds the core hostile input, not only the
// -Dfuzzing builds. The outcomes are counted to prove the inputs reached
// each path: a replay that only ever hit "unknown KID" would prove little.
#include <algorithm>
#include <map>
#include <random>

#include "json.h"
#include "sframe-fuzz-bodies.h"
#include "helpers.h"
#include "run-suite.h"

using namespace coretest;

static std::vector<Bytes> vector_seeds()
{
  const std::string dir = std::string(VECTORS_DIR) + "/sframe/";
  std::vector<Bytes> out;
  const auto rfc = testjson::load_file(dir + "rfc9605.json");
  for (const auto& c : rfc["header"].array())
    out.push_back(c["encoded"].hex());
  for (const auto& c : rfc["sframe"].array())
    out.push_back(c["ct"].hex());
  const auto aes256 = testjson::load_file(dir + "aes256-ctr-hmac.json");
  for (const auto& c : aes256["sframe_aes_256_ctr_hmac"].array())
    out.push_back(c["ct"].hex());
  out.push_back({});
  return out;
}

struct Tally {
  size_t runs = 0, headers_decoded = 0, headers_refused = 0, opened = 0, round_trips = 0;
  std::map<sf::Error, size_t> refusals;

  void feed(const Bytes& b)
  {
    (sframe_fuzz::header(b.data(), b.size()) ? headers_decoded : headers_refused)++;
    auto r = sframe_fuzz::unprotect(b.data(), b.size());
    if (r)
      refusals[*r]++;
    else
      opened++;
    round_trips += sframe_fuzz::round_trip(b.data(), b.size());
    runs++;
  }
};

static Bytes mutate(Bytes b, std::mt19937& rng)
{
  switch (rng() % 6) {
    case 0:  // one bit
      if (!b.empty())
        b[rng() % b.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
      break;
    case 1:  // truncate
      b.resize(b.empty() ? 0 : rng() % b.size());
      break;
    case 2:  // append
      for (unsigned k = rng() % 40; k > 0; k--)
        b.push_back(static_cast<uint8_t>(rng()));
      break;
    case 3:  // any config byte
      if (!b.empty())
        b[0] = static_cast<uint8_t>(rng());
      break;
    case 4:  // a random byte anywhere
      if (!b.empty())
        b[rng() % b.size()] = static_cast<uint8_t>(rng());
      break;
    default:  // a KID the unprotect target has a key for, keeping the counter bits
      if (!b.empty())
        b[0] = static_cast<uint8_t>((b[0] & 0x0f) | (rng() % 4) << 4);
      break;
  }
  return b;
}

START_TEST(test_seeds_and_mutations)
{
  const std::vector<Bytes> vectors = vector_seeds();
  const std::vector<Bytes> genuine = sframe_fuzz::unprotect_seeds();
  ck_assert_uint_eq(vectors.size(), 289 + 5 + 3 + 1);
  ck_assert_uint_eq(genuine.size(), 20);

  Tally t;
  for (const Bytes& b : vectors)
    t.feed(b);
  for (const Bytes& b : genuine)
    t.feed(b);
  ck_assert_uint_eq(t.opened, genuine.size());  // every genuine frame opens

  std::vector<Bytes> all = vectors;
  all.insert(all.end(), genuine.begin(), genuine.end());
  std::mt19937 rng(12345);  // fixed: the same inputs every run
  for (int i = 0; i < 10000; i++)
    t.feed(mutate(all[rng() % all.size()], rng));

  ck_assert_uint_eq(t.runs, vectors.size() + genuine.size() + 10000);
  ck_assert_uint_gt(t.headers_decoded, 0);
  ck_assert_uint_gt(t.headers_refused, 0);
  ck_assert_uint_gt(t.round_trips, 1000);
  for (sf::Error e : { sf::Error::TruncatedHeader, sf::Error::UnknownKeyId, sf::Error::AuthenticationFailed })
    ck_assert_msg(t.refusals[e] > 100, "mutations reached %s only %zu times", sf::error_name(e), t.refusals[e]);
}
END_TEST

// Packets of genuine frames (split by the payload format's own fragmenter)
// in a shuffled order, as records for the rtp_reassembly body, then
// mutated: the replay must reach complete frames as well as refusals.
static Bytes reassembly_seed(std::mt19937& rng)
{
  struct Rec {
    uint16_t seq;
    Bytes payload;
  };
  std::vector<Rec> recs;
  uint16_t seq = static_cast<uint16_t>(rng());
  std::vector<sf::rtp::Fragment> fragments;
  for (int frame = 0; frame < 4; frame++) {
    const size_t n = 1 + rng() % 600;
    sframe_fuzz::require(sf::rtp::fragment(n, 200, rng() % 4 == 0, &fragments));
    for (const auto& f : fragments) {
      Rec r{ seq++, { f.descriptor } };
      for (size_t k = 0; k < f.length; k++)
        r.payload.push_back(static_cast<uint8_t>(rng()));
      recs.push_back(r);
    }
  }
  if (rng() % 2)
    std::shuffle(recs.begin(), recs.end(), rng);
  Bytes out;
  for (const auto& r : recs) {
    out.push_back(static_cast<uint8_t>(r.seq >> 8));
    out.push_back(static_cast<uint8_t>(r.seq));
    out.push_back(96);
    out.push_back(static_cast<uint8_t>(r.payload.size()));
    out.insert(out.end(), r.payload.begin(), r.payload.end());
  }
  return out;
}

START_TEST(test_rtp_reassembly)
{
  std::mt19937 rng(777);
  size_t frames = 0, runs_with_frames = 0;
  for (int i = 0; i < 3000; i++) {
    Bytes in = reassembly_seed(rng);
    if (i % 2)
      in = mutate(in, rng);
    const size_t n = sframe_fuzz::rtp_reassembly(in.data(), in.size());
    frames += n;
    runs_with_frames += n > 0;
  }
  ck_assert_uint_gt(frames, 3000);           // unmutated seeds give up to 4 frames each
  ck_assert_uint_lt(runs_with_frames, 3000);  // and some mutations break every frame
}
END_TEST

int main()
{
  Suite* s = suite_create("sframe-fuzz-replay");
  TCase* tc = tcase_create("replay");
  tcase_set_timeout(tc, 300);  // about 2 s normally; sanitizers slow it down
  tcase_add_test(tc, test_seeds_and_mutations);
  tcase_add_test(tc, test_rtp_reassembly);
  suite_add_tcase(s, tc);
  return run_suite(s);
}
