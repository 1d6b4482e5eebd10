// SPDX-License-Identifier: LGPL-2.1-or-later
// DtlsSrtpLink, what peertransport runs on its one socket, fed by hand: it
// completes the handshake with datagrams reordered and duplicated, carries
// RTP and RTCP both ways once keyed, and refuses everything else with a
// count: media before the keys (both directions: nothing leaves in clear),
// garbage of every first byte, truncated and tampered SRTP, replays, STUN
// (ICE's, never ours), stray DTLS records after the handshake; a handshake
// with no answer fails at its timeout and leaves no way to send.
#include <algorithm>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "transport/dtls_srtp_link.h"

#include "dtls-test-util.h"

#include <check.h>

namespace t = gste2ee::transport;
using dtlstest::new_cert;
using dtlstest::now_us;
using Bytes = std::vector<uint8_t>;

namespace {



struct Links {
  std::unique_ptr<t::Certificate> cc = new_cert(), sc = new_cert();
  std::unique_ptr<t::DtlsSrtpLink> client, server;
  explicit Links(uint64_t handshake_timeout_us = 15'000'000)
  {
    t::DtlsEndpoint::Config c, s;
    c.role = t::DtlsEndpoint::Role::Client;
    s.role = t::DtlsEndpoint::Role::Server;
    c.remote_fingerprint = sc->fingerprint();
    s.remote_fingerprint = cc->fingerprint();
    c.handshake_timeout_us = s.handshake_timeout_us = handshake_timeout_us;
    std::string error;
    client = t::DtlsSrtpLink::create(c, *cc, &error);
    server = t::DtlsSrtpLink::create(s, *sc, &error);
    ck_assert(client && server);
  }
  // Every flight delivered backwards and twice: DTLS must sort it out.
  void handshake()
  {
    std::vector<t::Datagram> to_server, to_client;
    client->start(now_us(), &to_server);
    for (int round = 0; round < 50 && !(client->keyed() && server->keyed()); round++) {
      std::vector<t::Datagram> a, b;
      std::reverse(to_server.begin(), to_server.end());
      std::reverse(to_client.begin(), to_client.end());
      for (int twice = 0; twice < 2; twice++) {
        for (auto d : to_server) {
          size_t n = d.size();
          ck_assert(server->receive(d.data(), &n, now_us(), &b) == t::PacketKind::Dtls);
        }
        for (auto d : to_client) {
          size_t n = d.size();
          ck_assert(client->receive(d.data(), &n, now_us(), &a) == t::PacketKind::Dtls);
        }
      }
      to_server = std::move(a);
      to_client = std::move(b);
      if (to_server.empty() && to_client.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        client->on_timer(now_us(), &to_server);
        server->on_timer(now_us(), &to_client);
      }
    }
    ck_assert(client->keyed() && server->keyed());
    ck_assert(client->became_keyed() && server->became_keyed());
    ck_assert(!client->became_keyed());  // said once
  }
};

Bytes rtp(uint16_t seq, uint8_t pt = 96)
{
  Bytes p{ 0x80, pt, static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq), 0, 0, 0, 9, 0, 0, 0x12, 0x34 };
  for (int i = 0; i < 100; i++)
    p.push_back(static_cast<uint8_t>(i));
  return p;
}

Bytes rtcp_rr()
{
  return { 0x80, 201, 0, 1, 0, 0, 0x12, 0x34 };  // an empty receiver report
}

// Protected by `from`, with room for the tag.
Bytes protect(t::DtlsSrtpLink& from, Bytes clear)
{
  size_t n = clear.size();
  clear.resize(n + t::SrtpSession::kMaxTrailer);
  ck_assert(from.protect(clear.data(), &n, clear.size()));
  clear.resize(n);
  return clear;
}

t::PacketKind receive(t::DtlsSrtpLink& to, Bytes pkt, Bytes* clear = nullptr)
{
  size_t n = pkt.size();
  std::vector<t::Datagram> out;
  const auto kind = to.receive(pkt.data(), &n, now_us(), &out);
  pkt.resize(n);
  if (clear)
    *clear = pkt;
  return kind;
}

} // namespace

START_TEST(test_keyed_link_carries_rtp_and_rtcp_both_ways)
{
  Links l;
  l.handshake();
  ck_assert(l.client->profile() == t::SrtpProfile::AeadAes256Gcm);
  for (auto [from, to] : { std::pair{ l.client.get(), l.server.get() }, std::pair{ l.server.get(), l.client.get() } }) {
    const Bytes clear = rtp(1);
    const Bytes wire = protect(*from, clear);
    ck_assert(wire.size() == clear.size() + 16);  // the GCM tag
    ck_assert(!std::equal(clear.begin() + 12, clear.end(), wire.begin() + 12));  // the payload is not in clear
    Bytes got;
    ck_assert(receive(*to, wire, &got) == t::PacketKind::Rtp);
    ck_assert(got == clear);
    ck_assert(receive(*to, protect(*from, rtcp_rr()), &got) == t::PacketKind::Rtcp);
    ck_assert(got == rtcp_rr());
  }
  ck_assert_uint_eq(l.server->stats().rtp_received, 1);
  ck_assert_uint_eq(l.server->stats().rtcp_received, 1);
  ck_assert_uint_eq(l.client->stats().rtp_sent, 1);
}
END_TEST

START_TEST(test_nothing_leaves_or_enters_before_the_keys)
{
  Links l;
  Bytes pkt = rtp(1);
  size_t n = pkt.size();
  pkt.resize(n + t::SrtpSession::kMaxTrailer);
  ck_assert(!l.client->protect(pkt.data(), &n, pkt.size()));
  ck_assert_uint_eq(l.client->stats().unsent_without_keys, 1);
  ck_assert(receive(*l.server, rtp(1)) == t::PacketKind::Unknown);
  ck_assert_uint_eq(l.server->stats().drops_without_keys, 1);
}
END_TEST

START_TEST(test_bad_input_is_counted_and_refused)
{
  Links l;
  l.handshake();
  std::mt19937 rng(7);
  uint64_t refused = 0;
  // Garbage behind every possible first byte, of many lengths.
  for (int first = 0; first < 256; first++) {
    for (size_t len : { 1, 2, 7, 12, 13, 20, 40, 200 }) {
      Bytes g(len);
      for (auto& b : g)
        b = static_cast<uint8_t>(rng());
      g[0] = static_cast<uint8_t>(first);
      const auto kind = receive(*l.server, g);
      ck_assert(kind != t::PacketKind::Rtp && kind != t::PacketKind::Rtcp);
      refused++;
    }
  }
  ck_assert(l.server->keyed());  // stray DTLS records did not end the association
  // Truncated, tampered and replayed SRTP.
  const Bytes good = protect(*l.client, rtp(5));
  for (size_t cut = 1; cut < good.size() - 12; cut += 7) {
    Bytes trunc(good.begin(), good.end() - static_cast<std::ptrdiff_t>(cut));
    ck_assert(receive(*l.server, trunc) == t::PacketKind::Unknown);
  }
  Bytes tampered = good;
  tampered[20] ^= 1;
  ck_assert(receive(*l.server, tampered) == t::PacketKind::Unknown);
  ck_assert(receive(*l.server, good) == t::PacketKind::Rtp);
  ck_assert(receive(*l.server, good) == t::PacketKind::Unknown);  // replay
  const Bytes rtcp = protect(*l.client, rtcp_rr());
  ck_assert(receive(*l.server, rtcp) == t::PacketKind::Rtcp);
  ck_assert(receive(*l.server, rtcp) == t::PacketKind::Unknown);  // SRTCP replay
  const auto& s = l.server->stats();
  ck_assert_uint_ge(s.drops_authentication, 2);
  ck_assert_uint_ge(s.drops_replay, 2);
  ck_assert_uint_gt(s.drops_unknown, 0);
  ck_assert_uint_eq(s.rtp_received, 1);
  ck_assert_uint_eq(s.rtcp_received, 1);
  // Still working after all that.
  ck_assert(receive(*l.server, protect(*l.client, rtp(6))) == t::PacketKind::Rtp);
  (void) refused;
}
END_TEST

START_TEST(test_unanswered_handshake_fails_at_its_timeout)
{
  Links l(300'000);
  std::vector<t::Datagram> lost;
  const uint64_t start = now_us();
  l.client->start(start, &lost);
  ck_assert(!lost.empty());
  while (l.client->dtls_state() == t::DtlsEndpoint::State::Handshaking && now_us() < start + 5'000'000) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    l.client->on_timer(now_us(), &lost);
  }
  ck_assert(l.client->dtls_state() == t::DtlsEndpoint::State::Failed);
  ck_assert_uint_lt(now_us() - start, 1'000'000);
  ck_assert(l.client->error().find("did not complete") != std::string::npos);
  Bytes pkt = rtp(1);
  size_t n = pkt.size();
  pkt.resize(n + t::SrtpSession::kMaxTrailer);
  ck_assert(!l.client->protect(pkt.data(), &n, pkt.size()));
}
END_TEST

int main()
{
  Suite* s = suite_create("transport-link");
  TCase* tc = tcase_create("link");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_keyed_link_carries_rtp_and_rtcp_both_ways);
  tcase_add_test(tc, test_nothing_leaves_or_enters_before_the_keys);
  tcase_add_test(tc, test_bad_input_is_counted_and_refused);
  tcase_add_test(tc, test_unanswered_handshake_fails_at_its_timeout);
  suite_add_tcase(s, tc);
  SRunner* r = srunner_create(s);
  srunner_run_all(r, CK_NORMAL);
  const int failed = srunner_ntests_failed(r);
  srunner_free(r);
  return failed == 0 ? 0 : 1;
}
