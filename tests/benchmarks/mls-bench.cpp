// SPDX-License-Identifier: LGPL-2.1-or-later
// mls-bench: the MLS core's cost in groups of 2, 16, 128 and 1024 members
// (cipher suite 1): creating the group and adding everyone in one commit,
// joining from that Welcome, creating an update commit with a path and
// processing it on another member, processing an Add and a Remove, and the
// size of one member's saved state. Target: processing any single commit in
// a 1024-member group under 5 ms. Timings are the fastest of a few runs, so a
// busy machine shows up less; --quick (2 and 16 members, one run) checks
// that everything works and is what `meson test` runs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "mls-bench-util.h"
#include "mls/group.h"

namespace m = gste2ee::mls;
using benchmls::Clock;

namespace {

using benchmls::ms_since;
using benchmls::must;
using benchmls::text;

struct Row {
  double create_add, join, update_create, update_process, add_process, remove_process;
  size_t state_bytes;
};

Row run(size_t n)
{
  std::vector<m::KeyPackageSecrets> kps;
  for (size_t i = 0; i < n + 1; i++)  // one extra for the later Add
    kps.push_back(must(m::generate_key_package(1, text("member-" + std::to_string(i)), 0, UINT64_MAX), "keys"));
  std::vector<m::KeyPackage> adds;
  for (size_t i = 1; i < n; i++)
    adds.push_back(kps[i].key_package);
  Row row{};

  auto t0 = Clock::now();
  m::Group alice = must(m::Group::create(kps[0], text("bench")), "create");
  auto added = must(alice.commit(adds, {}), "add everyone");
  row.create_add = ms_since(t0);
  alice = added.next;
  m::Group bob = alice;
  if (n > 1) {
    t0 = Clock::now();
    bob = must(m::Group::join(std::get<m::Welcome>(added.welcome->message), kps[1], std::nullopt, {}), "join");
    row.join = ms_since(t0);
  }
  if (n < 2)
    return row;

  t0 = Clock::now();
  auto update = must(alice.commit({}, {}), "update commit");
  row.update_create = ms_since(t0);
  alice = update.next;
  t0 = Clock::now();
  bob = must(bob.handle(update.commit, {}), "process update");
  row.update_process = ms_since(t0);

  auto add_one = must(alice.commit({ kps[n].key_package }, {}), "add one");
  alice = add_one.next;
  t0 = Clock::now();
  bob = must(bob.handle(add_one.commit, {}), "process add");
  row.add_process = ms_since(t0);

  auto remove_one = must(alice.commit({}, { static_cast<uint32_t>(n) }), "remove one");
  alice = remove_one.next;
  t0 = Clock::now();
  bob = must(bob.handle(remove_one.commit, {}), "process remove");
  row.remove_process = ms_since(t0);

  if (!(alice.epoch_authenticator() == bob.epoch_authenticator())) {
    std::fprintf(stderr, "mls-bench: members disagree after the run\n");
    std::exit(1);
  }
  row.state_bytes = must(bob.save(), "save").size();
  return row;
}

} // namespace

int main(int argc, char** argv)
{
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const std::vector<size_t> sizes = quick ? std::vector<size_t>{ 2, 16 } : std::vector<size_t>{ 2, 16, 128, 1024 };
  const int runs = quick ? 1 : 3;
  std::printf("MLS cipher suite 1, ms (fastest of %d runs); state = one member's saved state\n", runs);
  std::printf("%7s %12s %9s %14s %15s %12s %15s %12s %10s\n", "members", "create+add", "join", "update:create",
              "update:process", "add:process", "remove:process", "state bytes", "per member");
  double worst_process = 0;
  for (size_t n : sizes) {
    Row best{ 1e30, 1e30, 1e30, 1e30, 1e30, 1e30, 0 };
    for (int r = 0; r < runs; r++) {
      Row x = run(n);
      best.create_add = std::min(best.create_add, x.create_add);
      best.join = std::min(best.join, x.join);
      best.update_create = std::min(best.update_create, x.update_create);
      best.update_process = std::min(best.update_process, x.update_process);
      best.add_process = std::min(best.add_process, x.add_process);
      best.remove_process = std::min(best.remove_process, x.remove_process);
      best.state_bytes = x.state_bytes;
    }
    std::printf("%7zu %12.2f %9.2f %14.2f %15.2f %12.2f %15.2f %12zu %10zu\n", n, best.create_add, best.join,
                best.update_create, best.update_process, best.add_process, best.remove_process, best.state_bytes,
                best.state_bytes / n);
    if (n == sizes.back())
      worst_process = std::max({ best.update_process, best.add_process, best.remove_process });
  }
  std::printf("slowest commit processing at %zu members: %.2f ms\n", sizes.back(), worst_process);
  return 0;
}
