// SPDX-License-Identifier: LGPL-2.1-or-later
// SRTP sessions for every profile: any SSRC out and in (streams that appear
// later need no set-up), RTP and RTCP round trips, and each refusal counted
// by reason (authentication, replay, too short); keys are wiped once handed
// over. Plus RFC 7983 demultiplexing of the first bytes.
#include <vector>

#include "transport/demux.h"
#include "transport/srtp_session.h"

#include <check.h>

namespace t = gste2ee::transport;
using Bytes = std::vector<uint8_t>;

namespace {

const t::SrtpProfile kProfiles[] = { t::SrtpProfile::Aes128CmSha1_80, t::SrtpProfile::Aes128CmSha1_32,
                                     t::SrtpProfile::AeadAes128Gcm, t::SrtpProfile::AeadAes256Gcm };

Bytes key_for(t::SrtpProfile p, uint8_t seed)
{
  Bytes k(t::srtp_key_length(p) + t::srtp_salt_length(p));
  for (size_t i = 0; i < k.size(); i++)
    k[i] = static_cast<uint8_t>(seed + i * 7);
  return k;
}

std::unique_ptr<t::SrtpSession> session(t::SrtpProfile p, t::SrtpSession::Direction d, uint8_t seed)
{
  Bytes k = key_for(p, seed);
  std::string error;
  auto s = t::SrtpSession::create(p, d, k.data(), k.size(), &error);
  ck_assert_msg(s != nullptr, "%s", error.c_str());
  for (uint8_t b : k)
    ck_assert_msg(b == 0, "the key handed over was not wiped");
  return s;
}

Bytes rtp(uint32_t ssrc, uint16_t seq, size_t payload = 200)
{
  Bytes p{ 0x80, 96, static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq), 0, 0, 0x10, 0,
           static_cast<uint8_t>(ssrc >> 24), static_cast<uint8_t>(ssrc >> 16), static_cast<uint8_t>(ssrc >> 8),
           static_cast<uint8_t>(ssrc) };
  for (size_t i = 0; i < payload; i++)
    p.push_back(static_cast<uint8_t>(i ^ seq));
  return p;
}

// Protects into a buffer with room for the trailer.
Bytes protect(t::SrtpSession& s, const Bytes& clear, bool rtcp = false)
{
  Bytes buf(clear.size() + t::SrtpSession::kMaxTrailer);
  std::copy(clear.begin(), clear.end(), buf.begin());
  size_t n = clear.size();
  ck_assert(rtcp ? s.protect_rtcp(buf.data(), &n, buf.size()) : s.protect_rtp(buf.data(), &n, buf.size()));
  buf.resize(n);
  return buf;
}

} // namespace

START_TEST(test_round_trip_every_profile_any_ssrc)
{
  for (auto p : kProfiles) {
    auto out = session(p, t::SrtpSession::Direction::Outbound, 1);
    auto in = session(p, t::SrtpSession::Direction::Inbound, 1);
    // Three SSRCs, the later ones appearing mid-stream (simulcast, RTX).
    for (uint16_t seq = 1; seq <= 30; seq++) {
      for (uint32_t ssrc : { 0x1111u, 0x2222u, 0x3333u }) {
        if (ssrc != 0x1111 && seq < 10)
          continue;
        const Bytes clear = rtp(ssrc, seq);
        Bytes wire = protect(*out, clear);
        ck_assert_uint_gt(wire.size(), clear.size());
        ck_assert(!std::equal(clear.begin() + 12, clear.end(), wire.begin() + 12));  // payload encrypted
        size_t n = wire.size();
        ck_assert_int_eq(static_cast<int>(in->unprotect_rtp(wire.data(), &n)), static_cast<int>(t::SrtpDrop::None));
        ck_assert(Bytes(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(n)) == clear);
      }
    }
    const Bytes sr{ 0x80, 200, 0, 6, 0, 0, 0x11, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 0, 0, 1, 0, 0, 0, 2 };
    Bytes wire = protect(*out, sr, true);
    size_t n = wire.size();
    ck_assert_int_eq(static_cast<int>(in->unprotect_rtcp(wire.data(), &n)), static_cast<int>(t::SrtpDrop::None));
    ck_assert(Bytes(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(n)) == sr);
    ck_assert_uint_eq(in->stats().unprotected_rtp, 30 + 2 * 21);
    ck_assert_uint_eq(in->stats().unprotected_rtcp, 1);
  }
}
END_TEST

START_TEST(test_refusals_counted_by_reason)
{
  for (auto p : kProfiles) {
    auto out = session(p, t::SrtpSession::Direction::Outbound, 3);
    auto in = session(p, t::SrtpSession::Direction::Inbound, 3);
    auto wrong = session(p, t::SrtpSession::Direction::Inbound, 4);
    const Bytes wire = protect(*out, rtp(0x42, 7));
    // Another key: authentication fails.
    Bytes copy = wire;
    size_t n = copy.size();
    ck_assert_int_eq(static_cast<int>(wrong->unprotect_rtp(copy.data(), &n)), static_cast<int>(t::SrtpDrop::Authentication));
    // One flipped bit in the payload: authentication fails, nothing returned.
    copy = wire;
    copy[20] ^= 1;
    n = copy.size();
    ck_assert_int_eq(static_cast<int>(in->unprotect_rtp(copy.data(), &n)), static_cast<int>(t::SrtpDrop::Authentication));
    // The genuine packet, then the same again: a replay.
    copy = wire;
    n = copy.size();
    ck_assert_int_eq(static_cast<int>(in->unprotect_rtp(copy.data(), &n)), static_cast<int>(t::SrtpDrop::None));
    copy = wire;
    n = copy.size();
    ck_assert_int_eq(static_cast<int>(in->unprotect_rtp(copy.data(), &n)), static_cast<int>(t::SrtpDrop::Replay));
    // Truncated below an RTP header.
    n = 5;
    ck_assert_int_eq(static_cast<int>(in->unprotect_rtp(copy.data(), &n)), static_cast<int>(t::SrtpDrop::TooShort));
    ck_assert_uint_eq(in->stats().drops_authentication, 1);
    ck_assert_uint_eq(in->stats().drops_replay, 1);
    ck_assert_uint_eq(in->stats().unprotected_rtp, 1);
    // No room for the trailer: refused, not overrun.
    Bytes tight = rtp(0x42, 8);
    size_t m = tight.size();
    ck_assert(!out->protect_rtp(tight.data(), &m, tight.size()));
  }
}
END_TEST

START_TEST(test_wrong_key_length_refused)
{
  Bytes k(10, 0xaa);
  std::string error;
  ck_assert(t::SrtpSession::create(t::SrtpProfile::AeadAes128Gcm, t::SrtpSession::Direction::Inbound, k.data(),
                                   k.size(), &error) == nullptr);
  ck_assert(!error.empty());
  for (uint8_t b : k)
    ck_assert(b == 0);  // wiped even when refused
}
END_TEST

START_TEST(test_rfc7983_demux)
{
  const Bytes stun{ 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
  const Bytes dtls{ 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1 };
  const Bytes rtp_packet = rtp(1, 1, 4);
  const Bytes rtcp{ 0x80, 201, 0, 1, 0, 0, 0, 1 };
  ck_assert(t::classify(stun.data(), stun.size()) == t::PacketKind::Stun);
  ck_assert(t::classify(dtls.data(), dtls.size()) == t::PacketKind::Dtls);
  ck_assert(t::classify(rtp_packet.data(), rtp_packet.size()) == t::PacketKind::Rtp);
  ck_assert(t::classify(rtcp.data(), rtcp.size()) == t::PacketKind::Rtcp);
  const Bytes zrtp{ 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
  const Bytes turn{ 64, 0, 0, 4, 1, 2, 3, 4 };
  const Bytes garbage{ 0xff, 0xff, 0xff };
  ck_assert(t::classify(zrtp.data(), zrtp.size()) == t::PacketKind::Unknown);
  ck_assert(t::classify(turn.data(), turn.size()) == t::PacketKind::Unknown);
  ck_assert(t::classify(garbage.data(), garbage.size()) == t::PacketKind::Unknown);
  ck_assert(t::classify(stun.data(), 10) == t::PacketKind::Unknown);  // shorter than a STUN header
  ck_assert(t::classify(nullptr, 0) == t::PacketKind::Unknown);
}
END_TEST

static Suite* srtp_suite()
{
  Suite* s = suite_create("transport-srtp");
  TCase* tc = tcase_create("srtp");
  tcase_add_test(tc, test_round_trip_every_profile_any_ssrc);
  tcase_add_test(tc, test_refusals_counted_by_reason);
  tcase_add_test(tc, test_wrong_key_length_refused);
  tcase_add_test(tc, test_rfc7983_demux);
  suite_add_tcase(s, tc);
  return s;
}

int main()
{
  SRunner* sr = srunner_create(srtp_suite());
  srunner_run_all(sr, CK_NORMAL);
  const int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? 0 : 1;
}
