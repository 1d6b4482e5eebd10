// SPDX-License-Identifier: LGPL-2.1-or-later
// sframe-bench: ns per frame of the SFrame core's protect and unprotect for
// suites 1-8 and frames of 100 B to 100 kB, beside plain OpenSSL doing the same
// AEAD prepared the same way (raw-aead.h), measured in the same run. Rounds
// alternate ours and raw; each cell keeps its fastest round, which is the
// least disturbed by other load on a shared machine.
//   sframe-bench            full run (~20 s)
//   sframe-bench --quick    correctness only (for meson test)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "raw-aead.h"
#include "sframe/sframe.h"

namespace sf = gste2ee::sframe;
using Bytes = std::vector<uint8_t>;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint64_t kKid = 5;  // one-byte header: the AAD raw also gets

double ns_per(Clock::time_point a, Clock::time_point b, size_t n)
{
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count()) / static_cast<double>(n);
}

struct Cell {
  double ours_protect = 1e18, raw_protect = 1e18, ours_unprotect = 1e18, raw_unprotect = 1e18;
};

// One round of the four measurements over `n` frames; false if any result
// does not round-trip.
bool round(const sf::SuiteInfo& info, size_t size, size_t n, Cell& cell)
{
  const Bytes base_key(16, 0x5a);
  const Bytes pt(size, 0x33);
  const size_t frame_cap = size + sf::kMaxOverhead;
  std::vector<Bytes> frames(n, Bytes(frame_cap));
  std::vector<size_t> lens(n);
  Bytes out(size);

  // Ours: counters go up across frames, as in a stream.
  sf::Encryptor enc;
  sf::Decryptor dec(n + 1);
  if (!enc.add_key(kKid, info.suite, base_key) || !dec.add_key(kKid, info.suite, base_key))
    return false;
  auto t0 = Clock::now();
  for (size_t i = 0; i < n; i++) {
    auto r = enc.protect(kKid, {}, pt, frames[i]);
    lens[i] = r.ok() ? r.value() : 0;
  }
  auto t1 = Clock::now();
  bool ok = true;
  for (size_t i = 0; i < n; i++)
    ok &= dec.unprotect({ frames[i].data(), lens[i] }, {}, out).ok();
  auto t2 = Clock::now();
  ok &= out == pt;
  cell.ours_protect = std::min(cell.ours_protect, ns_per(t0, t1, n));
  cell.ours_unprotect = std::min(cell.ours_unprotect, ns_per(t1, t2, n));

  // Raw: same key size, a 2-byte AAD standing for the SFrame header, a nonce
  // per frame.
  auto ks = sf::derive_key_salt(info, kKid, base_key);
  if (!ks)
    return false;
  Bytes key(ks.value().key.data(), ks.value().key.data() + ks.value().key.size());
  bench::RawAead raw(info, key);
  const uint8_t aad[2] = { 0x58, 0x01 };
  uint8_t nonce[12] = {};
  t0 = Clock::now();
  for (size_t i = 0; i < n; i++) {
    std::memcpy(nonce + 4, &i, sizeof i);
    ok &= raw.seal(nonce, aad, sizeof aad, pt.data(), size, frames[i].data());
  }
  t1 = Clock::now();
  for (size_t i = 0; i < n; i++) {
    std::memcpy(nonce + 4, &i, sizeof i);
    ok &= raw.open(nonce, aad, sizeof aad, frames[i].data(), size, out.data());
  }
  t2 = Clock::now();
  ok &= out == pt;
  cell.raw_protect = std::min(cell.raw_protect, ns_per(t0, t1, n));
  cell.raw_unprotect = std::min(cell.raw_unprotect, ns_per(t1, t2, n));
  return ok;
}

} // namespace

int main(int argc, char** argv)
{
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const size_t sizes[] = { 100, 1200, 10000, 100000 };
  const int rounds = quick ? 1 : 7;
  double worst = 0;
  double gcm_100 = 0;
  std::printf("%-28s %7s %12s %10s %6s %14s %12s %6s\n", "suite", "bytes", "protect ns", "raw ns", "ratio",
              "unprotect ns", "raw ns", "ratio");
  for (uint16_t s = 1; s <= 8; s++) {
    const sf::SuiteInfo& info = *sf::suite_info(s).value();
    for (size_t size : sizes) {
      // About 2 MB per measurement: long enough to time, short for the run.
      const size_t n = quick ? 20 : std::max<size_t>(40, 2000000 / size);
      Cell cell;
      for (int r = 0; r < rounds; r++) {
        if (!round(info, size, n, cell)) {
          std::fprintf(stderr, "suite %u, %zu bytes: a frame did not round-trip\n", s, size);
          return 1;
        }
      }
      const double pr = cell.ours_protect / cell.raw_protect;
      const double ur = cell.ours_unprotect / cell.raw_unprotect;
      worst = std::max(worst, pr);
      if (s == 4 && size == 100)
        gcm_100 = cell.ours_protect;
      std::printf("%-28s %7zu %12.0f %10.0f %6.2f %14.0f %12.0f %6.2f\n", info.name, size, cell.ours_protect,
                  cell.raw_protect, pr, cell.ours_unprotect, cell.raw_unprotect, ur);
    }
  }
  if (quick) {
    std::printf("quick run: every frame round-tripped (no timing claims)\n");
    return 0;
  }
  std::printf("suite 4 protect 100 B: %.0f ns\n", gcm_100);
  std::printf("worst protect/raw ratio: %.2f\n", worst);
  return 0;
}
