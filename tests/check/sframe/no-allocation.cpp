// SPDX-License-Identifier: LGPL-2.1-or-later
// The hot path allocates nothing: OpenSSL's allocator is replaced by a
// counting one before OpenSSL does anything, keys are set up, and then
// thousands of protect + unprotect calls per suite must allocate zero times.
// (The C++ containers of the core only allocate when keys are added.)
#include <check.h>

#include <atomic>
#include <cstdlib>

#include <openssl/crypto.h>

#include "sframe/sframe.h"

namespace sf = gste2ee::sframe;
using Bytes = std::vector<uint8_t>;

static std::atomic<long> g_allocs{ 0 };

static void* count_malloc(size_t n, const char*, int)
{
  g_allocs++;
  return std::malloc(n);
}
static void* count_realloc(void* p, size_t n, const char*, int)
{
  g_allocs++;
  return std::realloc(p, n);
}
static void count_free(void* p, const char*, int)
{
  std::free(p);
}

START_TEST(test_hot_path_allocates_nothing)
{
  static const Bytes key(16, 0x42);
  for (uint16_t s = 1; s <= 8; s++) {
    const auto suite = static_cast<sf::CipherSuite>(s);
    sf::Encryptor enc;
    sf::Decryptor dec(1024);
    ck_assert(enc.add_key(9, suite, key).ok());
    ck_assert(dec.add_key(9, suite, key).ok());
    Bytes pt(1200, 0x11), meta(3, 0x22), ct(1200 + sf::kMaxOverhead), back(1200);
    const long before = g_allocs.load();
    for (int i = 0; i < 1000; i++) {
      auto n = enc.protect(9, meta, pt, ct);
      ck_assert(n.ok());
      auto r = dec.unprotect({ ct.data(), n.value() }, meta, back);
      ck_assert(r.ok());
    }
    ck_assert_msg(g_allocs.load() == before, "suite %u: %ld OpenSSL allocations in 1000 frames", s,
                  g_allocs.load() - before);
    ck_assert(back == pt);
  }
}
END_TEST

int main()
{
  // Must precede any other OpenSSL call, or OpenSSL refuses the change.
  if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free))
    return 2;
  Suite* s = suite_create("sframe-no-allocation");
  TCase* tc = tcase_create("hot-path");
  tcase_add_test(tc, test_hot_path_allocates_nothing);
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_set_fork_status(sr, CK_NOFORK);  // count in this process
  srunner_run_all(sr, CK_NORMAL);
  const int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? 0 : 1;
}
