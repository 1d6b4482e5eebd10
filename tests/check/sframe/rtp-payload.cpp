// SPDX-License-Identifier: LGPL-2.1-or-later
// The RTP payload format of SFrame (draft-ietf-avtcore-rtp-sframe-02):
// fragments carry S on the first only, E on the last only, T on all; the
// receiver puts frames back together from packets in any order, never from
// a run with a gap, a missing start or end, or mixed T bits or payload
// types; duplicates and late packets never make a frame twice; the buffer
// stays bounded while frames are lost; sequence numbers wrap.
#include "sframe/rtp_payload.h"

#include <algorithm>
#include <random>

#include <check.h>

namespace r = gste2ee::sframe::rtp;

namespace {

struct Wire {
  uint16_t seq;
  std::vector<uint8_t> payload;  // descriptor + fragment
  uint8_t pt = 96;
};

// A frame of `size` bytes (value i & 0xff at i) as packets from `seq` on.
std::vector<Wire> packetize(size_t size, size_t max_fragment, uint16_t seq, bool packetized = false, uint8_t seed = 0)
{
  std::vector<uint8_t> frame(size);
  for (size_t i = 0; i < size; i++)
    frame[i] = static_cast<uint8_t>(i + seed);
  std::vector<r::Fragment> fragments;
  ck_assert(r::fragment(size, max_fragment, packetized, &fragments));
  std::vector<Wire> out;
  for (const auto& f : fragments) {
    Wire w{ seq++, { f.descriptor } };
    w.payload.insert(w.payload.end(), frame.begin() + f.offset, frame.begin() + f.offset + f.length);
    out.push_back(w);
  }
  return out;
}

std::optional<r::Frame> push(r::Reassembler& ra, const Wire& w, bool marker = false)
{
  r::Packet p;
  p.seq = w.seq;
  p.payload_type = w.pt;
  p.marker = marker;
  p.timestamp = 1000u + w.seq;
  p.payload = w.payload.data();
  p.size = w.payload.size();
  return ra.push(p);
}

void check_frame(const r::Frame& f, size_t size, uint8_t seed = 0)
{
  ck_assert_uint_eq(f.ciphertext.size(), size);
  for (size_t i = 0; i < size; i++)
    ck_assert_uint_eq(f.ciphertext[i], static_cast<uint8_t>(i + seed));
}

} // namespace

START_TEST(test_fragment_descriptors)
{
  std::vector<r::Fragment> f;
  ck_assert(r::fragment(1000, 300, false, &f));
  ck_assert_uint_eq(f.size(), 4);
  ck_assert_uint_eq(f[0].descriptor, r::kStart);
  ck_assert_uint_eq(f[1].descriptor, 0);
  ck_assert_uint_eq(f[2].descriptor, 0);
  ck_assert_uint_eq(f[3].descriptor, r::kEnd);
  ck_assert_uint_eq(f[3].offset, 900);
  ck_assert_uint_eq(f[3].length, 100);
  ck_assert(r::fragment(300, 300, true, &f));
  ck_assert_uint_eq(f.size(), 1);
  ck_assert_uint_eq(f[0].descriptor, r::kStart | r::kEnd | r::kPacketized);
  ck_assert(r::fragment(301, 300, true, &f));
  ck_assert_uint_eq(f.size(), 2);
  ck_assert_uint_eq(f[1].descriptor, r::kEnd | r::kPacketized);
  ck_assert(!r::fragment(0, 300, false, &f));
  ck_assert(!r::fragment(10, 0, false, &f));
}
END_TEST

START_TEST(test_in_order_and_shuffled)
{
  r::Reassembler ra;
  auto packets = packetize(5000, 1100, 10);
  for (size_t i = 0; i + 1 < packets.size(); i++)
    ck_assert(!push(ra, packets[i]));
  auto f = push(ra, packets.back(), true);
  ck_assert(f.has_value());
  check_frame(*f, 5000);
  ck_assert(f->marker && !f->packetized);
  ck_assert_uint_eq(f->packets, 5);
  ck_assert_uint_eq(f->timestamp, 1010);
  ck_assert_uint_eq(ra.buffered_packets(), 0);

  // Three frames, all their packets in a random order: each comes out once.
  std::mt19937 rng(7);
  std::vector<Wire> all;
  uint16_t seq = 100;
  for (int i = 0; i < 3; i++) {
    auto p = packetize(2000 + 100 * i, 700, seq, false, static_cast<uint8_t>(i));
    seq = static_cast<uint16_t>(seq + p.size());
    all.insert(all.end(), p.begin(), p.end());
  }
  std::shuffle(all.begin(), all.end(), rng);
  int frames = 0;
  for (const auto& w : all)
    if (auto g = push(ra, w)) {
      const uint8_t seed = static_cast<uint8_t>((g->ciphertext.size() - 2000) / 100);
      check_frame(*g, g->ciphertext.size(), seed);
      frames++;
    }
  ck_assert_int_eq(frames, 3);
  ck_assert_uint_eq(ra.counters().frames, 4);
  ck_assert_uint_eq(ra.buffered_packets(), 0);
}
END_TEST

START_TEST(test_losses_and_bad_runs)
{
  r::Reassembler ra;
  // A lost middle packet: no frame; the next frame still comes.
  auto a = packetize(3000, 1000, 1);
  ck_assert(!push(ra, a[0]));
  ck_assert(!push(ra, a[2]));
  auto b = packetize(1500, 1000, 4, false, 9);
  ck_assert(!push(ra, b[0]));
  auto fb = push(ra, b[1]);
  ck_assert(fb.has_value());
  check_frame(*fb, 1500, 9);
  // A lost first packet: the rest never makes a frame, even with an E.
  auto c = packetize(2000, 1000, 6);
  ck_assert(!push(ra, c[1]));
  // Mixed T bits in one run: dropped, counted.
  auto d = packetize(2000, 1000, 8);
  auto d2 = packetize(2000, 1000, 8, true);
  ck_assert(!push(ra, d[0]));
  ck_assert(!push(ra, d2[1]));
  ck_assert_uint_eq(ra.counters().inconsistent, 2);
  // Mixed payload types: dropped too.
  auto e = packetize(2000, 1000, 10);
  e[1].pt = 97;
  ck_assert(!push(ra, e[0]));
  ck_assert(!push(ra, e[1]));
  ck_assert_uint_eq(ra.counters().inconsistent, 4);
  // Duplicates never make a frame twice, before or after completion.
  auto g = packetize(800, 1000, 12);
  ck_assert(push(ra, g[0]).has_value());
  ck_assert(!push(ra, g[0]));
  ck_assert_uint_eq(ra.counters().duplicate, 1);
  // No descriptor at all.
  Wire empty{ 13, {} };
  ck_assert(!push(ra, empty));
  ck_assert_uint_eq(ra.counters().malformed, 1);
  // What waits for a lost packet goes once the window passes it.
  ck_assert_uint_gt(ra.buffered_packets(), 0);
  for (uint16_t s = 14; s < 14 + 1100; s++) {
    auto one = packetize(10, 100, s);
    ck_assert(push(ra, one[0]).has_value());
  }
  ck_assert_uint_eq(ra.buffered_packets(), 0);
  ck_assert_uint_eq(ra.counters().incomplete, 3);  // a[0], a[2], c[1]
  // Too late: behind the window.
  ck_assert(!push(ra, a[1]));
  ck_assert_uint_eq(ra.counters().late, 1);
}
END_TEST

START_TEST(test_wraps_and_stays_bounded)
{
  r::Reassembler ra(1024, 64 * 1024);
  auto p = packetize(4000, 1000, 65534);  // 65534, 65535, 0, 1
  ck_assert_uint_eq(p[3].seq, 1);
  for (size_t i = 0; i + 1 < p.size(); i++)
    ck_assert(!push(ra, p[i]));
  auto f = push(ra, p[3]);
  ck_assert(f.has_value());
  check_frame(*f, 4000);
  // Starts that never end: the byte bound holds.
  for (uint16_t s = 10; s < 400; s += 2) {
    Wire w{ s, std::vector<uint8_t>(1001, 0) };
    w.payload[0] = r::kStart;
    ck_assert(!push(ra, w));
    ck_assert_uint_le(ra.buffered_packets() * 1000, 64 * 1024);
  }
  ra.reset();
  ck_assert_uint_eq(ra.buffered_packets(), 0);
}
END_TEST

int main()
{
  Suite* s = suite_create("sframe-rtp-payload");
  TCase* tc = tcase_create("rtp");
  tcase_add_test(tc, test_fragment_descriptors);
  tcase_add_test(tc, test_in_order_and_shuffled);
  tcase_add_test(tc, test_losses_and_bad_runs);
  tcase_add_test(tc, test_wraps_and_stays_bounded);
  suite_add_tcase(s, tc);
  SRunner* r = srunner_create(s);
  srunner_run_all(r, CK_NORMAL);
  const int failed = srunner_ntests_failed(r);
  srunner_free(r);
  return failed == 0 ? 0 : 1;
}
