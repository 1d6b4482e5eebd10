// SPDX-License-Identifier: LGPL-2.1-or-later
// The per-frame path allocates nothing: OpenSSL's allocator is replaced by a
// counting one before OpenSSL does anything (its own executable, so nothing
// ran OpenSSL earlier), C++ operator new is counted too, keys are set up, and
// then 1000 protect + unprotect (and in-place) calls per suite must allocate
// zero times. Allocation-free rejection matters as much: a flood of forged or
// replayed frames must not cost heap traffic either.
#include <atomic>
#include <cstdlib>
#include <new>

#include <openssl/crypto.h>

#include "helpers.h"

using namespace coretest;

static std::atomic<long> g_ossl_allocs{ 0 };
static std::atomic<long> g_cxx_allocs{ 0 };

static void* count_malloc(size_t n, const char*, int)
{
  g_ossl_allocs++;
  return std::malloc(n);
}
static void* count_realloc(void* p, size_t n, const char*, int)
{
  g_ossl_allocs++;
  return std::realloc(p, n);
}
static void count_free(void* p, const char*, int)
{
  std::free(p);
}

// Every non-aligned form is replaced (nothing in the core over-aligns):
// libstdc++ routes array and nothrow new through operator new(size_t), but
// ASan supplies its own nothrow and array forms, which would escape the
// count and pair ASan's new with this free(). noinline: once inlined, GCC 12
// pairs a caller's `new` with the free() inside and wrongly reports
// -Wmismatched-new-delete (GCC PR 103993).
static void* counted_alloc(size_t n) noexcept
{
  g_cxx_allocs++;
  return std::malloc(n ? n : 1);
}
[[gnu::noinline]] void* operator new(size_t n)
{
  if (void* p = counted_alloc(n))
    return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new[](size_t n)
{
  if (void* p = counted_alloc(n))
    return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new(size_t n, const std::nothrow_t&) noexcept
{
  return counted_alloc(n);
}
[[gnu::noinline]] void* operator new[](size_t n, const std::nothrow_t&) noexcept
{
  return counted_alloc(n);
}
[[gnu::noinline]] void operator delete(void* p) noexcept
{
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p) noexcept
{
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, size_t) noexcept
{
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, size_t) noexcept
{
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, const std::nothrow_t&) noexcept
{
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, const std::nothrow_t&) noexcept
{
  std::free(p);
}

struct Counts {
  long ossl, cxx;
  static Counts now() { return { g_ossl_allocs.load(), g_cxx_allocs.load() }; }
};

// Fails naming the suite and how many allocations happened in `what`.
static void expect_none(const Counts& before, int suite, const char* what)
{
  const Counts after = Counts::now();
  ck_assert_msg(after.ossl == before.ossl && after.cxx == before.cxx,
                "suite %d, %s: %ld OpenSSL and %ld C++ allocations in 1000 frames", suite, what,
                after.ossl - before.ossl, after.cxx - before.cxx);
}

START_TEST(test_hook_is_live)
{
  // Without this the test below could pass with the hook silently ignored.
  const Counts before = Counts::now();
  sf::Encryptor enc;
  ck_assert(enc.add_key(1, kGcm, kBaseKey).ok());
  ck_assert_msg(Counts::now().ossl > before.ossl, "key setup made no OpenSSL allocation: hook not installed");
  ck_assert_msg(Counts::now().cxx > before.cxx, "key setup made no C++ allocation: operator new not replaced");
}
END_TEST

START_TEST(test_protect_unprotect_allocate_nothing)
{
  for (auto suite : kAllSuites) {
    sf::Encryptor enc;
    sf::Decryptor dec(1024);
    ck_assert(enc.add_key(9, suite, kBaseKey).ok());
    ck_assert(dec.add_key(9, suite, kBaseKey).ok());
    const Bytes pt = plaintext(1200), meta(3, 0x22);
    Bytes frame(pt.size() + sf::kMaxOverhead), back(pt.size());
    int failures = 0;  // counted, not asserted, inside the measured loops

    Counts before = Counts::now();
    for (int i = 0; i < 1000; i++) {
      auto n = enc.protect(9, meta, pt, frame);
      failures += !n.ok();
      auto r = dec.unprotect({ frame.data(), n.ok() ? n.value() : 0 }, meta, back);
      failures += !r.ok();
    }
    expect_none(before, num(suite), "protect + unprotect");
    ck_assert_int_eq(failures, 0);
    ck_assert(back == pt);

    before = Counts::now();
    for (int i = 0; i < 1000; i++) {
      auto n = enc.protect(9, {}, pt, frame);
      failures += !n.ok();
      auto r = dec.unprotect_in_place({ frame.data(), n.ok() ? n.value() : 0 }, {});
      failures += !r.ok();
    }
    expect_none(before, num(suite), "protect + unprotect_in_place");
    ck_assert_int_eq(failures, 0);
  }
}
END_TEST

START_TEST(test_rejections_allocate_nothing)
{
  for (auto suite : kAllSuites) {
    sf::Encryptor enc;
    sf::Decryptor dec(64);
    ck_assert(enc.add_key(9, suite, kBaseKey).ok());
    ck_assert(dec.add_key(9, suite, kBaseKey).ok());
    const Bytes pt = plaintext(1200);
    Bytes frame = protect(enc, 9, pt), back(pt.size());
    ck_assert(dec.unprotect(frame, {}, back).ok());
    Bytes forged = protect(enc, 9, pt);
    forged.back() ^= 1;
    const Bytes unknown = { 0x70, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };  // KID 7

    const Counts before = Counts::now();
    int wrong = 0;
    for (int i = 0; i < 1000; i++) {
      wrong += dec.unprotect(forged, {}, back).error() != sf::Error::AuthenticationFailed;
      wrong += dec.unprotect(frame, {}, back).error() != sf::Error::Replay;
      wrong += dec.unprotect(unknown, {}, back).error() != sf::Error::UnknownKeyId;
    }
    expect_none(before, num(suite), "forged, replayed and unknown-KID frames");
    ck_assert_int_eq(wrong, 0);
  }
}
END_TEST

int main()
{
  // First thing: OpenSSL refuses the change once it has allocated anything.
  if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free))
    return 2;
  Suite* s = suite_create("sframe-no-allocation");
  TCase* tc = tcase_create("hot-path");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_hook_is_live);
  tcase_add_test(tc, test_protect_unprotect_allocate_nothing);
  tcase_add_test(tc, test_rejections_allocate_nothing);
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_set_fork_status(sr, CK_NOFORK);  // count in this process, where the hook is
  srunner_run_all(sr, CK_NORMAL);
  const int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? 0 : 1;
}
