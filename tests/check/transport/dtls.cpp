// SPDX-License-Identifier: LGPL-2.1-or-later
// DTLS-SRTP between two in-process endpoints, datagrams moved by hand: the
// handshake completes with AEAD GCM between two of ours, falls back to
// AES-CM for a peer that offers only that, gives both sides matching SRTP
// keys (checked by an SRTP round trip both ways), refuses a wrong
// fingerprint on either side, survives lost and garbage datagrams, and
// gives up after its handshake timeout.
#include <chrono>
#include <thread>
#include <vector>

#include "transport/dtls_endpoint.h"

#include "dtls-test-util.h"

#include <check.h>

namespace t = gste2ee::transport;
using dtlstest::new_cert;
using dtlstest::now_us;
using Bytes = std::vector<uint8_t>;

namespace {


struct Peer {
  std::unique_ptr<t::Certificate> cert;
  std::unique_ptr<t::DtlsEndpoint> dtls;
};


// Client and server, each expecting the other's fingerprint unless told
// otherwise.
struct Pair {
  Peer client, server;
  Pair(t::DtlsEndpoint::Config cc = {}, t::DtlsEndpoint::Config sc = {}, bool wrong_client_expectation = false,
       bool wrong_server_expectation = false)
  {
    client.cert = new_cert();
    server.cert = new_cert();
    auto other = new_cert();
    cc.role = t::DtlsEndpoint::Role::Client;
    sc.role = t::DtlsEndpoint::Role::Server;
    cc.remote_fingerprint = (wrong_client_expectation ? other : server.cert)->fingerprint();
    sc.remote_fingerprint = (wrong_server_expectation ? other : client.cert)->fingerprint();
    std::string error;
    client.dtls = t::DtlsEndpoint::create(cc, *client.cert, &error);
    ck_assert_msg(client.dtls != nullptr, "%s", error.c_str());
    server.dtls = t::DtlsEndpoint::create(sc, *server.cert, &error);
    ck_assert_msg(server.dtls != nullptr, "%s", error.c_str());
  }

  // Moves datagrams until both settle or `deadline_ms` passes; `drop` sees
  // each datagram (index counts all of them) and may lose it.
  template <typename Drop>
  void run(int deadline_ms, Drop drop)
  {
    std::vector<t::Datagram> to_server, to_client;
    int index = 0;
    client.dtls->start(now_us(), &to_server);
    const uint64_t end = now_us() + static_cast<uint64_t>(deadline_ms) * 1000;
    while (now_us() < end && (busy(*client.dtls) || busy(*server.dtls))) {
      std::vector<t::Datagram> a, b;
      for (auto& d : to_server)
        if (!drop(index++, d))
          server.dtls->receive(d.data(), d.size(), now_us(), &b);
      for (auto& d : to_client)
        if (!drop(index++, d))
          client.dtls->receive(d.data(), d.size(), now_us(), &a);
      to_server = std::move(a);
      to_client = std::move(b);
      for (auto* e : { client.dtls.get(), server.dtls.get() }) {
        const uint64_t due = e->next_timer_us();
        if (due && now_us() >= due)
          e->on_timer(now_us(), e == client.dtls.get() ? &to_server : &to_client);
      }
      if (to_server.empty() && to_client.empty())
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  void run(int deadline_ms = 5000)
  {
    run(deadline_ms, [](int, const t::Datagram&) { return false; });
  }
  static bool busy(const t::DtlsEndpoint& e)
  {
    return e.state() == t::DtlsEndpoint::State::New || e.state() == t::DtlsEndpoint::State::Handshaking;
  }
};

// The exported keys work: what one side protects, the other unprotects.
void check_srtp_both_ways(Pair& p)
{
  Bytes cl, cr, sl, sr;
  ck_assert(p.client.dtls->take_keys(&cl, &cr));
  ck_assert(p.server.dtls->take_keys(&sl, &sr));
  ck_assert(!p.client.dtls->take_keys(&cl, &cr));  // handed out once
  ck_assert(cl == sr && cr == sl);
  ck_assert(cl != cr);
  const auto profile = p.client.dtls->profile();
  std::string error;
  auto c_out = t::SrtpSession::create(profile, t::SrtpSession::Direction::Outbound, cl.data(), cl.size(), &error);
  auto s_in = t::SrtpSession::create(profile, t::SrtpSession::Direction::Inbound, sr.data(), sr.size(), &error);
  auto s_out = t::SrtpSession::create(profile, t::SrtpSession::Direction::Outbound, sl.data(), sl.size(), &error);
  auto c_in = t::SrtpSession::create(profile, t::SrtpSession::Direction::Inbound, cr.data(), cr.size(), &error);
  ck_assert(c_out && s_in && s_out && c_in);
  for (auto [out, in] : { std::pair{ c_out.get(), s_in.get() }, std::pair{ s_out.get(), c_in.get() } }) {
    Bytes pkt{ 0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7, 'm', 'e', 'd', 'i', 'a' };
    const Bytes clear = pkt;
    pkt.resize(pkt.size() + t::SrtpSession::kMaxTrailer);
    size_t n = clear.size();
    ck_assert(out->protect_rtp(pkt.data(), &n, pkt.size()));
    ck_assert_int_eq(static_cast<int>(in->unprotect_rtp(pkt.data(), &n)), static_cast<int>(t::SrtpDrop::None));
    ck_assert(Bytes(pkt.begin(), pkt.begin() + static_cast<std::ptrdiff_t>(n)) == clear);
  }
}

} // namespace

START_TEST(test_handshake_negotiates_gcm)
{
  Pair p;
  p.run();
  ck_assert_str_eq(t::dtls_state_name(p.client.dtls->state()), "connected");
  ck_assert_str_eq(t::dtls_state_name(p.server.dtls->state()), "connected");
  ck_assert(p.client.dtls->profile() == t::SrtpProfile::AeadAes256Gcm);
  ck_assert(p.server.dtls->profile() == t::SrtpProfile::AeadAes256Gcm);
  check_srtp_both_ways(p);
}
END_TEST

START_TEST(test_falls_back_for_older_peers)
{
  t::DtlsEndpoint::Config old;
  old.profiles = { t::SrtpProfile::Aes128CmSha1_80 };
  Pair p({}, old);
  p.run();
  ck_assert(p.client.dtls->state() == t::DtlsEndpoint::State::Connected);
  ck_assert(p.client.dtls->profile() == t::SrtpProfile::Aes128CmSha1_80);
  check_srtp_both_ways(p);
  t::DtlsEndpoint::Config gcm128;
  gcm128.profiles = { t::SrtpProfile::AeadAes128Gcm, t::SrtpProfile::Aes128CmSha1_80 };
  Pair q(gcm128, {});
  q.run();
  ck_assert(q.server.dtls->profile() == t::SrtpProfile::AeadAes128Gcm);
  check_srtp_both_ways(q);
}
END_TEST

START_TEST(test_wrong_fingerprint_fails_either_side)
{
  for (int side = 0; side < 2; side++) {
    Pair p({}, {}, side == 0, side == 1);
    p.run();
    auto& checker = side == 0 ? p.client : p.server;
    ck_assert_str_eq(t::dtls_state_name(checker.dtls->state()), "failed");
    ck_assert_msg(checker.dtls->error().find("fingerprint") != std::string::npos, "%s", checker.dtls->error().c_str());
    Bytes a, b;
    ck_assert(!p.client.dtls->take_keys(&a, &b));
    ck_assert(!p.server.dtls->take_keys(&a, &b));
    ck_assert(p.client.dtls->state() != t::DtlsEndpoint::State::Connected ||
              p.server.dtls->state() != t::DtlsEndpoint::State::Connected);
  }
}
END_TEST

START_TEST(test_lost_and_garbage_datagrams)
{
  t::DtlsEndpoint::Config fast;
  fast.initial_retransmit_us = 50'000;
  Pair p(fast, fast);
  // Lose the first two datagrams (the ClientHello, then its first
  // retransmission), and put garbage before every other one.
  p.run(5000, [&](int index, const t::Datagram&) {
    if (index < 2)
      return true;
    const Bytes junk{ 22, 0xfe, 0xfd, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3 };
    std::vector<t::Datagram> ignored;
    p.server.dtls->receive(junk.data(), junk.size(), now_us(), &ignored);
    p.client.dtls->receive(junk.data(), junk.size(), now_us(), &ignored);
    return false;
  });
  ck_assert_str_eq(t::dtls_state_name(p.client.dtls->state()), "connected");
  ck_assert_str_eq(t::dtls_state_name(p.server.dtls->state()), "connected");
  ck_assert_uint_ge(p.client.dtls->retransmissions(), 1);
  check_srtp_both_ways(p);
}
END_TEST

START_TEST(test_handshake_times_out)
{
  t::DtlsEndpoint::Config quick;
  quick.initial_retransmit_us = 20'000;
  quick.handshake_timeout_us = 300'000;
  Pair p(quick, quick);
  // Everything is lost.
  p.run(3000, [](int, const t::Datagram&) { return true; });
  ck_assert_str_eq(t::dtls_state_name(p.client.dtls->state()), "failed");
  ck_assert_msg(p.client.dtls->error().find("did not complete") != std::string::npos, "%s",
                p.client.dtls->error().c_str());
}
END_TEST

START_TEST(test_certificate_pem_and_fingerprint)
{
  auto c = new_cert();
  const std::string fp = c->fingerprint();
  ck_assert_uint_eq(fp.size(), 32 * 3 - 1);  // 32 bytes as XX:XX:...
  ck_assert(t::fingerprints_equal(fp, fp));
  std::string lower = fp;
  for (auto& ch : lower)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  ck_assert(t::fingerprints_equal(fp, lower));
  ck_assert(!t::fingerprints_equal(fp, new_cert()->fingerprint()));
  ck_assert(!t::fingerprints_equal("", ""));
  std::string error;
  ck_assert(t::Certificate::from_pem("not a certificate", &error) == nullptr);
  ck_assert(!error.empty());
}
END_TEST

static Suite* dtls_suite()
{
  Suite* s = suite_create("transport-dtls");
  TCase* tc = tcase_create("dtls");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_handshake_negotiates_gcm);
  tcase_add_test(tc, test_falls_back_for_older_peers);
  tcase_add_test(tc, test_wrong_fingerprint_fails_either_side);
  tcase_add_test(tc, test_lost_and_garbage_datagrams);
  tcase_add_test(tc, test_handshake_times_out);
  tcase_add_test(tc, test_certificate_pem_and_fingerprint);
  suite_add_tcase(s, tc);
  return s;
}

int main()
{
  SRunner* sr = srunner_create(dtls_suite());
  srunner_run_all(sr, CK_NORMAL);
  const int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? 0 : 1;
}
