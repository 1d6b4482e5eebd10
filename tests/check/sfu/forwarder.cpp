// SPDX-License-Identifier: LGPL-2.1-or-later
// The forwarding core without GStreamer: routing, subscriptions, simulcast
// switching with packet-by-packet continuity, key-frame gating and request
// throttling, NACK translation, participant removal, sequence jumps, and
// each class of bad input counted and dropped.
#include <map>
#include <set>

#include "rtp-builder.h"
#include "sfu/forwarder.h"

#include <check.h>

namespace s = gste2ee::sfu;
using namespace sfu_test;

namespace {

constexpr uint8_t kRid = 3;
constexpr uint8_t kMarking = 5;

struct Room {
  s::Forwarder f;
  std::vector<s::Delivery> out;
  std::vector<s::KeyframeRequest> requests;
  uint64_t now = 1'000'000;

  explicit Room(const s::ForwarderConfig& c = config()) : f(c) {}
  static s::ForwarderConfig config()
  {
    s::ForwarderConfig c;
    c.rid_extension_id = kRid;
    c.frame_marking_extension_id = kMarking;
    return c;
  }
  s::Drop send(s::ParticipantId from, const std::vector<uint8_t>& p, bool key = false, bool delta = false)
  {
    now += 1000;
    return f.route(from, p.data(), p.size(), now, key, delta, &out, &requests);
  }
  std::set<s::ParticipantId> receivers() const
  {
    std::set<s::ParticipantId> r;
    for (const auto& d : out)
      r.insert(d.subscriber);
    return r;
  }
  uint64_t drops(s::ParticipantId id, s::Drop d) const
  {
    for (const auto& st : f.stats())
      if (st.name == f.participants()[id])
        return st.drops[static_cast<int>(d)];
    return 0;
  }
};

} // namespace

START_TEST(test_everyone_receives_everyone_else)
{
  Room room;
  const auto a = room.f.add_participant("alice"), b = room.f.add_participant("bob"),
             c = room.f.add_participant("carol");
  const s::ParticipantId all[] = { a, b, c };
  for (s::ParticipantId pub : all) {
    ck_assert_int_eq(static_cast<int>(room.send(pub, rtp(100 + pub, 1, 0))), 0);
    auto r = room.receivers();
    ck_assert_uint_eq(r.size(), 2);
    ck_assert_msg(!r.count(pub), "a publisher received its own stream");
    for (const auto& d : room.out)
      ck_assert_msg(!d.rewrite, "a plain stream is forwarded unchanged");
  }
}
END_TEST

START_TEST(test_unsubscribe_and_pause)
{
  Room room;
  const auto a = room.f.add_participant("alice"), b = room.f.add_participant("bob"),
             c = room.f.add_participant("carol");
  uint16_t seq = 10;
  room.send(a, rtp(1, seq++, 0));
  ck_assert_uint_eq(room.out.size(), 2);
  s::Subscription sn;
  sn.subscribed = false;
  ck_assert(room.f.set_subscription(b, a, sn));
  room.send(a, rtp(1, seq++, 0));
  ck_assert(room.receivers() == std::set<s::ParticipantId>{ c });
  sn.subscribed = true;
  ck_assert(room.f.set_subscription(b, a, sn));
  sn.paused = true;
  ck_assert(room.f.set_subscription(c, a, sn));
  room.send(a, rtp(1, seq++, 0));
  ck_assert(room.receivers() == std::set<s::ParticipantId>{ b });
  // Resumed after 5 packets it did not get: the sequence continues with no gap.
  for (int i = 0; i < 5; i++)
    room.send(a, rtp(1, seq++, 0));
  sn.paused = false;
  ck_assert(room.f.set_subscription(c, a, sn));
  room.send(a, rtp(1, seq++, 0));
  bool seen = false;
  for (const auto& d : room.out)
    if (d.subscriber == c) {
      seen = true;
      ck_assert_uint_eq(d.sequence, 12);  // the one after the last it got (10, 11)
      ck_assert(d.rewrite);
    }
  ck_assert(seen);
  ck_assert(!room.f.set_subscription(a, a, sn));  // nobody subscribes to itself
}
END_TEST

// Three encodings by RID with frame marking; the subscriber's output must be
// one sequence with no gap or duplicate through every switch, each switch at
// a key frame of the target encoding, and an up-switch asks for a key frame.
START_TEST(test_simulcast_switch_continuity)
{
  Room room;
  const auto pub = room.f.add_participant("pub"), sub = room.f.add_participant("sub");
  const uint32_t ssrc[3] = { 0x1000, 0x2000, 0x3000 };
  const char* rids[3] = { "q", "h", "f" };
  uint16_t seq[3] = { 100, 5000, 60000 };
  uint32_t ts[3] = { 1000, 777777, 4000000000u };
  std::vector<uint16_t> out_seqs;
  std::set<uint32_t> out_ssrcs;
  int layer_of_output = -1;
  int keyframe_requests = 0;

  auto frame = [&](int layer, bool key) {
    // Two packets per frame; frame marking on both.
    for (int k = 0; k < 2; k++) {
      auto p = rtp(ssrc[layer], seq[layer]++, ts[layer], { rid(kRid, rids[layer]), marking(kMarking, k == 0, k == 1, key) });
      room.send(pub, p);
      for (const auto& r : room.requests) {
        ck_assert_uint_eq(r.publisher, pub);
        keyframe_requests++;
      }
      for (const auto& d : room.out) {
        ck_assert_uint_eq(d.subscriber, sub);
        out_seqs.push_back(d.sequence);
        out_ssrcs.insert(d.ssrc);
        if (layer_of_output != layer)
          ck_assert_msg(key && k == 0, "switched to layer %d on a packet that does not start a key frame", layer);
        layer_of_output = layer;
      }
    }
    ts[layer] += 3000;
  };
  auto round = [&](bool key_low, bool key_mid, bool key_high) {
    frame(0, key_low);
    frame(1, key_mid);
    frame(2, key_high);
  };
  // Start: the encodings appear one by one; the subscriber starts on q, goes
  // up to h at once (its key frame comes next), and asks for a key frame of f
  // the moment f appears.
  round(true, true, false);
  round(false, false, false);
  ck_assert_int_eq(layer_of_output, 1);  // f has not had a key frame yet
  ck_assert_int_gt(keyframe_requests, 0);
  round(false, false, true);
  ck_assert_int_eq(layer_of_output, 2);
  round(false, false, false);
  // Down to 0: keeps f until q's key frame.
  s::Subscription sn;
  sn.max_layer = 0;
  room.f.set_subscription(sub, pub, sn);
  round(false, false, false);
  ck_assert_int_eq(layer_of_output, 2);
  round(true, false, false);
  ck_assert_int_eq(layer_of_output, 0);
  round(false, false, false);
  // Up to 1.
  sn.max_layer = 1;
  room.f.set_subscription(sub, pub, sn);
  keyframe_requests = 0;
  round(false, false, false);
  ck_assert_int_eq(layer_of_output, 0);
  ck_assert_int_gt(keyframe_requests, 0);
  round(false, true, false);
  ck_assert_int_eq(layer_of_output, 1);
  round(false, false, false);

  ck_assert_uint_eq(out_ssrcs.size(), 1);  // one stable SSRC
  for (size_t i = 1; i < out_seqs.size(); i++)
    ck_assert_msg(static_cast<uint16_t>(out_seqs[i - 1] + 1) == out_seqs[i], "output sequence %u then %u",
                  out_seqs[i - 1], out_seqs[i]);
}
END_TEST

// Without frame marking, buffer flags decide, but only once a stream has
// shown a delta flag (network input has no flags at all).
START_TEST(test_keyframe_gating_from_flags)
{
  Room room;
  const auto pub = room.f.add_participant("pub"), sub = room.f.add_participant("sub");
  ck_assert(room.f.set_simulcast_group(pub, { 0xa, 0xb }));
  uint16_t sa = 1, sb = 1;
  uint32_t t = 0;
  // Both flagged delta: nothing may start.
  ck_assert_int_eq(static_cast<int>(room.send(pub, rtp(0xa, sa++, t), false, true)), 0);
  ck_assert_uint_eq(room.out.size(), 0);
  ck_assert_uint_eq(room.requests.size(), 1);  // a key frame of a, the only live one
  room.send(pub, rtp(0xb, sb++, t), false, true);
  ck_assert_uint_eq(room.out.size(), 0);
  t += 3000;
  room.send(pub, rtp(0xa, sa++, t), true, false);  // key frame of a: b is the target now
  ck_assert_uint_eq(room.out.size(), 0);
  room.send(pub, rtp(0xb, sb++, t), true, false);  // key frame of b
  ck_assert_uint_eq(room.out.size(), 1);
  ck_assert_uint_eq(room.out[0].subscriber, sub);
  ck_assert_uint_eq(room.out[0].ssrc, 0xa);  // the group's first SSRC names it
  room.send(pub, rtp(0xb, sb++, t + 3000), false, true);
  ck_assert_uint_eq(room.out.size(), 1);
}
END_TEST

// RTP from the network carries neither frame marking nor flags: forwarded
// from the first packet rather than never.
START_TEST(test_ungated_stream_starts_at_once)
{
  Room room;
  const auto pub = room.f.add_participant("pub");
  room.f.add_participant("sub");
  ck_assert(room.f.set_simulcast_group(pub, { 0x10, 0x20 }));
  room.send(pub, rtp(0x10, 500, 0));
  ck_assert_uint_eq(room.out.size(), 1);
  room.send(pub, rtp(0x10, 501, 0));
  ck_assert_uint_eq(room.out.size(), 1);
}
END_TEST

START_TEST(test_keyframe_requests_are_throttled)
{
  Room room;
  const auto pub = room.f.add_participant("pub");
  std::vector<s::ParticipantId> subs;
  for (int i = 0; i < 50; i++)
    subs.push_back(room.f.add_participant("sub" + std::to_string(i)));
  room.send(pub, rtp(0x77, 1, 0));
  const auto pli = s::build_pli(1, 0x77);
  std::vector<s::KeyframeRequest> req;
  std::vector<s::NackRequest> nacks;
  int total = 0;
  for (auto sub : subs) {
    ck_assert_int_eq(static_cast<int>(room.f.handle_rtcp(sub, pli.data(), pli.size(), room.now, &req, &nacks)), 0);
    total += static_cast<int>(req.size());
  }
  ck_assert_int_eq(total, 1);  // 50 PLIs within the interval: one request
  room.f.handle_rtcp(subs[0], pli.data(), pli.size(), room.now + 600'000, &req, &nacks);
  ck_assert_uint_eq(req.size(), 1);  // the next interval: one more
  ck_assert_uint_eq(req[0].media_ssrc, 0x77);
}
END_TEST

START_TEST(test_nack_translated_to_publisher_sequence)
{
  Room room;
  const auto pub = room.f.add_participant("pub"), sub = room.f.add_participant("sub");
  ck_assert(room.f.set_simulcast_group(pub, { 0x10, 0x20 }));
  // Only layer 0 is live; no key-frame information: forwarded at once.
  room.send(pub, rtp(0x10, 500, 0));
  room.send(pub, rtp(0x10, 501, 0));
  ck_assert_uint_eq(room.out.size(), 1);
  const uint16_t out_seq = room.out[0].sequence;
  std::vector<s::KeyframeRequest> req;
  std::vector<s::NackRequest> nacks;
  const auto nack = s::build_nack(1, 0x10, { out_seq });
  ck_assert_int_eq(static_cast<int>(room.f.handle_rtcp(sub, nack.data(), nack.size(), room.now, &req, &nacks)), 0);
  ck_assert_uint_eq(nacks.size(), 1);
  ck_assert_uint_eq(nacks[0].media_ssrc, 0x10);
  ck_assert_uint_eq(nacks[0].lost.size(), 1);
  ck_assert_uint_eq(nacks[0].lost[0], 501);
}
END_TEST

START_TEST(test_removed_participant_gets_and_sends_nothing)
{
  Room room;
  const auto a = room.f.add_participant("alice"), b = room.f.add_participant("bob");
  room.f.add_participant("carol");
  room.send(a, rtp(1, 1, 0));
  ck_assert_uint_eq(room.out.size(), 2);
  ck_assert(room.f.remove_participant(b));
  room.send(a, rtp(1, 2, 0));
  ck_assert_uint_eq(room.out.size(), 1);
  ck_assert_msg(!room.receivers().count(b), "forwarded to a removed participant");
  ck_assert_int_eq(static_cast<int>(room.send(b, rtp(2, 1, 0))), static_cast<int>(s::Drop::UnknownParticipant));
  ck_assert(!room.f.remove_participant(b));
  // A newcomer reusing the slot inherits nothing.
  const auto d = room.f.add_participant("dave");
  ck_assert_uint_eq(d, b);
  room.send(a, rtp(1, 3, 0));
  ck_assert_uint_eq(room.out.size(), 2);
}
END_TEST

START_TEST(test_sequence_jump_dropped_then_continued)
{
  Room room;
  const auto a = room.f.add_participant("alice");
  room.f.add_participant("bob");
  room.send(a, rtp(1, 100, 0));
  room.send(a, rtp(1, 101, 0));
  ck_assert_int_eq(static_cast<int>(room.send(a, rtp(1, 30000, 0))), static_cast<int>(s::Drop::SequenceJump));
  ck_assert_uint_eq(room.out.size(), 0);
  // The next packet confirms the new numbering: the subscriber's continues.
  ck_assert_int_eq(static_cast<int>(room.send(a, rtp(1, 30001, 0))), 0);
  ck_assert_uint_eq(room.out.size(), 1);
  ck_assert_uint_eq(room.out[0].sequence, 102);
  room.send(a, rtp(1, 30002, 0));
  ck_assert_uint_eq(room.out[0].sequence, 103);
  ck_assert_uint_eq(room.drops(a, s::Drop::SequenceJump), 1);
}
END_TEST

START_TEST(test_bad_rtp_counted_and_dropped)
{
  Room room;
  const auto a = room.f.add_participant("alice");
  room.f.add_participant("bob");
  auto good = rtp(1, 1, 0, { rid(kRid, "q") });
  struct Case {
    std::vector<uint8_t> bytes;
    s::Drop expect;
  };
  std::vector<Case> cases;
  cases.push_back({ std::vector<uint8_t>(good.begin(), good.begin() + 8), s::Drop::Truncated });
  auto v1 = good;
  v1[0] = 0x50;  // version 1
  cases.push_back({ v1, s::Drop::NotRtp });
  cases.push_back({ { 0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0 }, s::Drop::NotRtp });  // STUN
  auto rtcp_like = good;
  rtcp_like[1] = 200;
  cases.push_back({ rtcp_like, s::Drop::NotRtp });
  auto csrcs = good;
  csrcs[0] = 0x9f;  // 15 CSRCs that are not there
  cases.push_back({ std::vector<uint8_t>(csrcs.begin(), csrcs.begin() + 40), s::Drop::Truncated });
  auto ext_len = good;
  ext_len[14] = 0x40;  // extension length far past the end
  cases.push_back({ ext_len, s::Drop::BadHeader });
  auto element_len = good;
  element_len[16] = static_cast<uint8_t>(kRid << 4 | 15);  // an element longer than its block
  cases.push_back({ element_len, s::Drop::BadHeader });
  auto padding = good;
  padding[0] |= 0x20;
  padding.back() = 0xff;  // more padding than payload
  cases.push_back({ padding, s::Drop::BadHeader });
  cases.push_back({ {}, s::Drop::Truncated });
  for (const auto& c : cases) {
    ck_assert_int_eq(static_cast<int>(room.send(a, c.bytes)), static_cast<int>(c.expect));
    ck_assert_uint_eq(room.out.size(), 0);
  }
  ck_assert_uint_eq(room.drops(a, s::Drop::Truncated), 3);
  ck_assert_uint_eq(room.drops(a, s::Drop::NotRtp), 3);
  ck_assert_uint_eq(room.drops(a, s::Drop::BadHeader), 3);
  // The stream itself goes on.
  ck_assert_int_eq(static_cast<int>(room.send(a, good)), 0);
  ck_assert_uint_eq(room.out.size(), 1);
}
END_TEST

START_TEST(test_bad_rtcp_counted_and_dropped)
{
  Room room;
  const auto pub = room.f.add_participant("pub"), sub = room.f.add_participant("sub");
  room.send(pub, rtp(0x77, 1, 0));
  std::vector<s::KeyframeRequest> req;
  std::vector<s::NackRequest> nacks;
  auto pli = s::build_pli(1, 0x77);
  auto lying = pli;
  lying[3] = 9;  // claims 40 bytes
  ck_assert_int_eq(static_cast<int>(room.f.handle_rtcp(sub, lying.data(), lying.size(), room.now, &req, &nacks)),
                   static_cast<int>(s::Drop::RtcpBadLength));
  auto compound = pli;
  compound.insert(compound.end(), lying.begin(), lying.end());  // the first fine, the second lies
  ck_assert_int_eq(static_cast<int>(room.f.handle_rtcp(sub, compound.data(), compound.size(), room.now, &req, &nacks)),
                   static_cast<int>(s::Drop::RtcpBadLength));
  ck_assert_uint_eq(req.size(), 0);  // nothing from a compound that lies
  auto not_rtcp = rtp(1, 1, 0);
  ck_assert_int_eq(static_cast<int>(room.f.handle_rtcp(sub, not_rtcp.data(), not_rtcp.size(), room.now, &req, &nacks)),
                   static_cast<int>(s::Drop::NotRtcp));
  auto unknown = s::build_pli(1, 0xdead);
  ck_assert_int_eq(static_cast<int>(room.f.handle_rtcp(sub, unknown.data(), unknown.size(), room.now, &req, &nacks)),
                   static_cast<int>(s::Drop::UnknownSsrc));
  ck_assert_uint_eq(req.size(), 0);
  auto truncated_fb = std::vector<uint8_t>{ 0x81, 206, 0, 0 };  // PLI with no SSRCs
  ck_assert_int_eq(
      static_cast<int>(room.f.handle_rtcp(sub, truncated_fb.data(), truncated_fb.size(), room.now, &req, &nacks)),
      static_cast<int>(s::Drop::RtcpBadLength));
}
END_TEST

START_TEST(test_too_many_streams)
{
  Room room;
  const auto a = room.f.add_participant("alice");
  room.f.add_participant("bob");
  for (uint32_t i = 0; i < room.f.config().max_streams_per_participant; i++)
    ck_assert_int_eq(static_cast<int>(room.send(a, rtp(1000 + i, 1, 0))), 0);
  ck_assert_int_eq(static_cast<int>(room.send(a, rtp(99999, 1, 0))), static_cast<int>(s::Drop::TooManyStreams));
}
END_TEST

// last-n = 1: a subscriber gets video from the most recent speaker only,
// audio from everyone; the floor moves with the audio levels.
START_TEST(test_last_n_follows_the_speaker)
{
  s::ForwarderConfig c = Room::config();
  c.audio_level_extension_id = 7;
  c.last_n = 1;
  Room room(c);
  const auto a = room.f.add_participant("alice"), b = room.f.add_participant("bob"),
             viewer = room.f.add_participant("carol");
  uint16_t seq[4] = { 1, 1, 1, 1 };  // alice audio, alice video, bob audio, bob video
  auto video_to_viewer = [&](s::ParticipantId pub, uint32_t ssrc, uint16_t* sq) {
    room.send(pub, rtp(ssrc, (*sq)++, 0));
    for (const auto& d : room.out)
      if (d.subscriber == viewer)
        return true;
    return false;
  };
  auto speak = [&](s::ParticipantId pub, uint32_t ssrc, uint16_t* sq, uint8_t level) {
    room.now += 19'000;  // send() adds 1 ms: one packet per 20 ms
    room.send(pub, rtp(ssrc, (*sq)++, 0, { audio_level(7, level) }));
    bool viewer_got_it = false;
    for (const auto& d : room.out)
      viewer_got_it = viewer_got_it || d.subscriber == viewer;
    return viewer_got_it;
  };
  // Nobody has spoken: the first to arrive is in the last 1.
  ck_assert(video_to_viewer(a, 0xa1, &seq[1]));
  ck_assert(!video_to_viewer(b, 0xb1, &seq[3]));
  ck_assert(!room.f.dominant_speaker());
  // Bob speaks: his audio always reaches the viewer, and he takes the floor.
  for (int i = 0; i < 30; i++)
    ck_assert(speak(b, 0xb0, &seq[2], 20));
  ck_assert(speak(a, 0xa0, &seq[0], 127));  // alice's silence is forwarded too
  ck_assert(room.f.take_speaker_change());
  ck_assert(!room.f.take_speaker_change());
  const auto speaker = room.f.dominant_speaker();
  ck_assert(speaker && *speaker == "bob");
  ck_assert(video_to_viewer(b, 0xb1, &seq[3]));
  ck_assert(!video_to_viewer(a, 0xa1, &seq[1]));
  // Bob himself still sees alice: he is not in his own last-n.
  room.send(a, rtp(0xa1, seq[1]++, 0));
  bool bob_got_alice = false;
  for (const auto& d : room.out)
    bob_got_alice = bob_got_alice || d.subscriber == b;
  ck_assert(bob_got_alice);
  // Bob leaves: the floor is empty and the change is reported.
  ck_assert(room.f.remove_participant(b));
  ck_assert(room.f.take_speaker_change());
  ck_assert(!room.f.dominant_speaker());
}
END_TEST

// NACKed packets still in the history go back as RTX when the subscriber
// negotiated RTX for their payload type; older ones, and everything for a
// subscriber without RTX, go to the publisher as a NACK.
START_TEST(test_nack_answered_with_rtx)
{
  s::ForwarderConfig c = Room::config();
  c.rtx_history = 16;
  Room room(c);
  const auto pub = room.f.add_participant("pub"), with_rtx = room.f.add_participant("rtx"),
             without = room.f.add_participant("plain");
  ck_assert(room.f.set_rtx_payload_types(with_rtx, { { 96, 97 } }));
  ck_assert(!room.f.set_rtx_payload_types(with_rtx, { { 96, 96 } }));  // RTX PT must differ
  ck_assert(!room.f.set_rtx_payload_types(with_rtx, { { 96, 200 } }));
  for (uint16_t seq = 100; seq < 140; seq++)
    room.send(pub, rtp(0x42, seq, seq * 10u));
  std::vector<s::KeyframeRequest> req;
  std::vector<s::NackRequest> nacks;
  std::vector<s::Retransmission> rtx;
  // 139 and 130 are kept (the last 16); 110 is gone.
  const auto nack = s::build_nack(1, 0x42, { 139, 130, 110 });
  ck_assert_int_eq(static_cast<int>(room.f.handle_rtcp(with_rtx, nack.data(), nack.size(), room.now, &req, &nacks, &rtx)), 0);
  ck_assert_uint_eq(rtx.size(), 2);
  ck_assert_uint_eq(rtx[0].subscriber, with_rtx);
  ck_assert_uint_eq(rtx[0].in_ssrc, 0x42);
  ck_assert_uint_eq(rtx[0].in_sequence, 139);
  ck_assert_uint_eq(rtx[0].original_sequence, 139);
  ck_assert_uint_eq(rtx[0].timestamp, 1390);
  ck_assert_uint_eq(rtx[0].rtx_payload_type, 97);
  ck_assert_uint_eq(rtx[0].rtx_ssrc, 0x42 ^ s::kRtxSsrcXor);
  ck_assert_uint_eq(static_cast<uint16_t>(rtx[0].rtx_sequence + 1), rtx[1].rtx_sequence);  // its own sequence
  ck_assert_uint_eq(rtx[1].in_sequence, 130);
  ck_assert_uint_eq(nacks.size(), 1);
  ck_assert_uint_eq(nacks[0].lost.size(), 1);
  ck_assert_uint_eq(nacks[0].lost[0], 110);
  // Without RTX, or when the caller cannot send RTX: all NACKed upstream.
  ck_assert_int_eq(static_cast<int>(room.f.handle_rtcp(without, nack.data(), nack.size(), room.now, &req, &nacks, &rtx)), 0);
  ck_assert_uint_eq(rtx.size(), 0);
  ck_assert_uint_eq(nacks[0].lost.size(), 3);
  room.f.handle_rtcp(with_rtx, nack.data(), nack.size(), room.now, &req, &nacks);
  ck_assert_uint_eq(nacks[0].lost.size(), 3);
  for (const auto& st : room.f.stats())
    if (st.name == "rtx")
      ck_assert_uint_eq(st.nacks_served, 2);
}
END_TEST

// A publisher's sender report reaches each subscriber in that subscriber's
// SSRC, timestamps and counts; a subscriber's report block reaches the
// publisher in its own SSRC and sequence numbers; lying report counts are
// refused.
START_TEST(test_sender_and_receiver_reports_translated)
{
  Room room;
  const auto pub = room.f.add_participant("pub"), sub = room.f.add_participant("sub");
  ck_assert(room.f.set_simulcast_group(pub, { 0x10, 0x20 }));
  // Only 0x20 (layer 1) is sent: the subscriber sees it as 0x10.
  for (uint16_t seq = 1000; seq < 1010; seq++)
    room.send(pub, rtp(0x20, seq, 90000u + seq));
  ck_assert_uint_eq(room.out.size(), 1);
  const uint16_t out_seq = room.out[0].sequence;
  const uint32_t ts_offset = room.out[0].timestamp - (90000u + 1009);
  std::vector<s::KeyframeRequest> req;
  std::vector<s::NackRequest> nacks;
  std::vector<s::RtcpOut> reports;
  const auto sr = s::build_sr({ 0x20, 0x1122334455667788ull, 123456, 10, 1000 });
  ck_assert_int_eq(static_cast<int>(room.f.handle_rtcp(pub, sr.data(), sr.size(), room.now, &req, &nacks, nullptr, &reports)), 0);
  ck_assert_uint_eq(reports.size(), 1);
  ck_assert_uint_eq(reports[0].to, sub);
  s::RtcpReports parsed;
  ck_assert(s::parse_rtcp_reports(reports[0].packet.data(), reports[0].packet.size(), &parsed) == s::RtcpError::None);
  ck_assert_uint_eq(parsed.senders.size(), 1);
  ck_assert_uint_eq(parsed.senders[0].ssrc, 0x10);
  ck_assert(parsed.senders[0].ntp == 0x1122334455667788ull);
  ck_assert_uint_eq(parsed.senders[0].rtp_timestamp, 123456 + ts_offset);
  ck_assert_uint_eq(parsed.senders[0].packets, 10);
  ck_assert_uint_eq(parsed.senders[0].octets, 10 * 100);  // payload octets it was sent

  s::ReportBlock b{ 0x5500u, 0x10, 12, 3, 0x00010000u | out_seq, 7, 0xabcd, 0x10 };
  const auto rr = s::build_rr(0x5500u, { b, { 0x5500u, 0xdead, 0, 0, 0, 0, 0, 0 } });
  ck_assert_int_eq(static_cast<int>(room.f.handle_rtcp(sub, rr.data(), rr.size(), room.now, &req, &nacks, nullptr, &reports)), 0);
  ck_assert_uint_eq(reports.size(), 1);  // the block about an unknown SSRC goes nowhere
  ck_assert_uint_eq(reports[0].to, pub);
  ck_assert(s::parse_rtcp_reports(reports[0].packet.data(), reports[0].packet.size(), &parsed) == s::RtcpError::None);
  ck_assert_uint_eq(parsed.blocks.size(), 1);
  ck_assert_uint_eq(parsed.blocks[0].reporter, 0x5500u);
  ck_assert_uint_eq(parsed.blocks[0].ssrc, 0x20);
  ck_assert_uint_eq(parsed.blocks[0].highest_sequence, 0x00010000u | 1009);
  ck_assert_uint_eq(parsed.blocks[0].fraction_lost, 12);
  ck_assert_uint_eq(parsed.blocks[0].jitter, 7);
  ck_assert_uint_eq(parsed.blocks[0].last_sr, 0xabcd);

  auto lying = rr;
  lying[0] = static_cast<uint8_t>(0x80 | 3);  // three blocks in the room of two
  ck_assert_int_eq(static_cast<int>(room.f.handle_rtcp(sub, lying.data(), lying.size(), room.now, &req, &nacks, nullptr, &reports)), 0);
  ck_assert_uint_eq(reports.size(), 0);
  ck_assert(s::parse_rtcp_reports(lying.data(), lying.size(), &parsed) == s::RtcpError::BadLength);
}
END_TEST

static Suite* forwarder_suite()
{
  Suite* s = suite_create("sfu-forwarder");
  TCase* tc = tcase_create("forwarding");
  tcase_add_test(tc, test_everyone_receives_everyone_else);
  tcase_add_test(tc, test_unsubscribe_and_pause);
  tcase_add_test(tc, test_simulcast_switch_continuity);
  tcase_add_test(tc, test_keyframe_gating_from_flags);
  tcase_add_test(tc, test_ungated_stream_starts_at_once);
  tcase_add_test(tc, test_keyframe_requests_are_throttled);
  tcase_add_test(tc, test_nack_translated_to_publisher_sequence);
  tcase_add_test(tc, test_removed_participant_gets_and_sends_nothing);
  tcase_add_test(tc, test_sequence_jump_dropped_then_continued);
  tcase_add_test(tc, test_bad_rtp_counted_and_dropped);
  tcase_add_test(tc, test_bad_rtcp_counted_and_dropped);
  tcase_add_test(tc, test_too_many_streams);
  tcase_add_test(tc, test_last_n_follows_the_speaker);
  tcase_add_test(tc, test_nack_answered_with_rtx);
  tcase_add_test(tc, test_sender_and_receiver_reports_translated);
  suite_add_tcase(s, tc);
  return s;
}

int main()
{
  SRunner* sr = srunner_create(forwarder_suite());
  srunner_run_all(sr, CK_NORMAL);
  const int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? 0 : 1;
}
