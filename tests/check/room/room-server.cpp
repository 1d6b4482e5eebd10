// SPDX-License-Identifier: LGPL-2.1-or-later
// The room server's decisions, without sockets: the MLS side is played by
// real groups of the MLS core, so the test sees what a member would. An
// e2ee room with a waiting room: the admin creates the group, a joiner
// waits (no media, no MLS) until admitted, joins the group through the
// delivery service; a kick closes its connection, stops its media and
// proposes its removal as the external sender, and the next commit leaves
// it unable to follow. Also: bad tokens and the wrong mode refused, locked
// rooms, screen-share gating, revocation in effect at once, ending a room,
// hop-by-hop rooms without MLS, random room IDs.
#include "room/base64url.h"
#include "room/room_server.h"

#include "mls/group.h"
#include "mls/wire.h"

#include <check.h>

#include "run-suite.h"

#include <set>
#include <string>

namespace r = gste2ee::room;
namespace m = gste2ee::mls;
using Kind = r::Action::Kind;

namespace {

constexpr uint64_t kNow = 1'800'000'000;
constexpr r::ConnectionId kAlice = 1, kBob = 2, kCarol = 3;

struct Server {
  r::SigningKey key = r::generate_signing_key(r::JwsAlg::EdDSA, "k1").value();
  r::RoomServer server{ r::TokenVerifier({ key }, r::TokenPolicy{}) };
  int jti = 0;

  std::string token(const std::string& room, const std::string& identity, unsigned perms)
  {
    r::JoinClaims c;
    c.identity = identity;
    c.room = room;
    c.jti = "t" + std::to_string(++jti);
    c.iat = kNow;
    c.exp = kNow + 120;
    c.permissions = perms;
    return r::mint_join_token(key, c);
  }

  std::vector<r::Action> join(r::ConnectionId c, const std::string& room, const std::string& tok,
      const char* mode = "e2ee")
  {
    return server.on_message(c, r::Message("join").set("room", room).set("token", tok).set("mode", mode), kNow);
  }
};

// The messages of one type sent to one connection.
std::vector<r::Message> sent(const std::vector<r::Action>& actions, r::ConnectionId to, const std::string& type)
{
  std::vector<r::Message> out;
  for (const auto& a : actions)
    if (a.kind == Kind::Send && a.connection == to && a.message.type() == type)
      out.push_back(a.message);
  return out;
}

bool has(const std::vector<r::Action>& actions, Kind kind, r::ConnectionId c)
{
  for (const auto& a : actions)
    if (a.kind == kind && a.connection == c)
      return true;
  return false;
}

// Nothing goes to a connection after its Close.
void nothing_after_close(const std::vector<r::Action>& actions)
{
  std::set<r::ConnectionId> closed;
  for (const auto& a : actions) {
    ck_assert_msg(!closed.count(a.connection), "an action for connection %llu after its Close",
        static_cast<unsigned long long>(a.connection));
    if (a.kind == Kind::Close)
      closed.insert(a.connection);
  }
}

m::Bytes from_hex(const std::string& hex)
{
  m::Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

m::MLSMessage mls_of(const r::Message& msg)
{
  const auto bytes = r::base64url_decode(msg.str("data"));
  ck_assert(bytes.has_value());
  return m::wire::decode<m::MLSMessage>(*bytes).value();
}

r::Message mls_msg(const m::MLSMessage& msg)
{
  return r::Message("mls").set("data", r::base64url_encode(m::wire::encode(msg).value()));
}

m::Bytes text(const char* s)
{
  return m::Bytes(s, s + std::char_traits<char>::length(s));
}

} // namespace

START_TEST(test_e2ee_room_waiting_admit_kick)
{
  Server s;
  const std::string room = s.server.create_room(r::RoomMode::EndToEnd, true);

  // alice, an admin, skips the waiting room and is told to create the group
  // with the server as external sender.
  auto out = s.join(kAlice, room, s.token(room, "alice", r::kAdmin | r::kPublishVideo));
  auto joined = sent(out, kAlice, "joined");
  ck_assert_uint_eq(joined.size(), 1);
  ck_assert(joined[0].str("mode") == "e2ee" && joined[0].str("mls-role") == "create");
  ck_assert(has(out, Kind::StartMedia, kAlice));
  const auto sender = m::wire::decode<m::ExternalSender>(from_hex(joined[0].str("external-sender"))).value();
  const auto alice_kp = m::generate_key_package(1, text("alice"), 0, UINT64_MAX).value();
  m::Group alice = m::Group::create(alice_kp, from_hex(joined[0].str("group-id")), { sender }).value();

  // bob waits: alice hears the knock; bob gets no media, and what bob sends
  // goes nowhere.
  out = s.join(kBob, room, s.token(room, "bob", r::kPublishVideo | r::kPublishAudio));
  ck_assert_uint_eq(sent(out, kBob, "waiting").size(), 1);
  ck_assert(!has(out, Kind::StartMedia, kBob));
  ck_assert_uint_eq(sent(out, kAlice, "knock").size(), 1);
  ck_assert(sent(out, kAlice, "knock")[0].str("identity") == "bob");
  ck_assert(s.server.waiting(kBob) && !s.server.admitted(kBob));
  const auto bob_kp = m::generate_key_package(1, text("bob"), 0, UINT64_MAX).value();
  m::MLSMessage kp_msg;
  kp_msg.message.emplace<m::KeyPackage>(bob_kp.key_package);
  out = s.server.on_message(kBob, mls_msg(kp_msg), kNow);
  ck_assert_uint_eq(sent(out, kAlice, "mls").size(), 0);
  ck_assert_uint_eq(sent(out, kBob, "refused").size(), 1);
  // Nor does his media offer reach a transport before he is admitted.
  out = s.server.on_message(kBob, r::Message("sdp").set("kind", "offer").set("sdp", "v=0"), kNow);
  ck_assert(!has(out, Kind::Media, kBob));
  ck_assert(sent(out, kBob, "refused").at(0).str("code") == "waiting");
  // Only admins admit: bob cannot admit himself.
  out = s.server.on_message(kBob, r::Message("admit").set("room", room).set("identity", "bob"), kNow);
  ck_assert(s.server.waiting(kBob));

  // alice admits bob; bob joins the group through the delivery service.
  out = s.server.on_message(kAlice, r::Message("admit").set("room", room).set("identity", "bob"), kNow);
  ck_assert(sent(out, kAlice, "reply").at(0).flag("ok"));
  ck_assert(sent(out, kBob, "joined").at(0).str("mls-role") == "join");
  ck_assert(has(out, Kind::StartMedia, kBob));
  ck_assert(sent(out, kAlice, "participant").at(0).str("event") == "joined");
  // Admitted, his offer goes to his transport.
  out = s.server.on_message(kBob, r::Message("sdp").set("kind", "offer").set("sdp", "v=0"), kNow);
  ck_assert(has(out, Kind::Media, kBob));
  out = s.server.on_message(kBob, mls_msg(kp_msg), kNow);
  ck_assert_uint_eq(sent(out, kAlice, "mls").size(), 1);  // the KeyPackage, to the committer
  auto add = alice.commit({ bob_kp.key_package }, {}).value();
  out = s.server.on_message(kAlice, mls_msg(add.commit), kNow);
  ck_assert_uint_eq(sent(out, kAlice, "mls").size(), 1);  // echoed: alice adopts her commit
  ck_assert_uint_eq(sent(out, kBob, "mls").size(), 1);
  alice = add.next;
  out = s.server.on_message(kAlice, mls_msg(*add.welcome), kNow);
  ck_assert_uint_eq(sent(out, kAlice, "mls").size(), 0);  // the Welcome goes to bob only
  const auto welcome = mls_of(sent(out, kBob, "mls").at(0));
  m::Group bob = m::Group::join(std::get<m::Welcome>(welcome.message), bob_kp, std::nullopt, {}).value();
  ck_assert(alice.epoch_authenticator() == bob.epoch_authenticator());

  // The admin socket kicks bob: his connection gets the reason and closes,
  // his media stops, and alice receives the server's Remove proposal.
  r::Message reply;
  out = s.server.admin(r::Message("kick").set("room", room).set("identity", "bob"), kNow, &reply);
  ck_assert(reply.flag("ok"));
  ck_assert(reply.str("text").find("[e2ee]") != std::string::npos);
  ck_assert_uint_eq(sent(out, kBob, "removed").size(), 1);
  ck_assert(has(out, Kind::StopMedia, kBob) && has(out, Kind::Close, kBob));
  nothing_after_close(out);
  const auto proposal = sent(out, kAlice, "mls");
  ck_assert_uint_eq(proposal.size(), 1);
  alice = alice.handle(mls_of(proposal[0]), {}).value();
  ck_assert(alice.pending_removals() == std::vector<uint32_t>{ 1 });
  auto removal = alice.commit({}, {}).value();
  out = s.server.on_message(kAlice, mls_msg(removal.commit), kNow);
  ck_assert_uint_eq(sent(out, kAlice, "mls").size(), 1);
  ck_assert_uint_eq(sent(out, kBob, "mls").size(), 0);  // bob is gone
  alice = removal.next;
  ck_assert_uint_eq(alice.members().size(), 1);
  // Even had bob obtained the commit some other way, he cannot follow into
  // the new epoch: he never received the proposal it carries.
  ck_assert(!bob.handle(removal.commit, {}).ok());
  // Bob's connection is forgotten: a message from it is a stranger's.
  out = s.server.on_message(kBob, mls_msg(kp_msg), kNow);
  ck_assert(sent(out, kBob, "refused").at(0).str("code") == "not-joined");
}
END_TEST

START_TEST(test_refused_joins)
{
  Server s;
  const std::string room = s.server.create_room(r::RoomMode::EndToEnd, false);
  const std::string other = s.server.create_room(r::RoomMode::HopByHop, false);
  struct Case {
    std::string room, token, mode, code;
  };
  r::JoinClaims expired;
  expired.identity = "x";
  expired.room = room;
  expired.jti = "old";
  expired.iat = kNow - 600;
  expired.exp = kNow - 300;
  const Case cases[] = {
    { room, s.token(room, "carol", 0), "hop-by-hop", "mode-mismatch" },
    { other, s.token(other, "carol", 0), "e2ee", "mode-mismatch" },
    { room, s.token(other, "carol", 0), "e2ee", "wrong-room" },
    { room, r::mint_join_token(s.key, expired), "e2ee", "expired" },
    { room, "not-a-token", "e2ee", "malformed" },
    { "no-such-room-id", s.token(room, "carol", 0), "e2ee", "no-such-room" },
    { room, s.token(room, "carol", 0), "both", "bad-mode" },
  };
  for (const Case& c : cases) {
    const auto out = s.join(kCarol, c.room, c.token, c.mode.c_str());
    const auto refused = sent(out, kCarol, "refused");
    ck_assert_uint_eq(refused.size(), 1);
    ck_assert_msg(refused[0].str("code") == c.code, "%s: %s (%s)", c.code.c_str(), refused[0].str("code").c_str(),
        refused[0].str("reason").c_str());
    ck_assert(has(out, Kind::Close, kCarol));
    ck_assert(!has(out, Kind::StartMedia, kCarol));
    ck_assert(!s.server.admitted(kCarol) && !s.server.waiting(kCarol));
  }
  // The first message must be a join; a token is single-use.
  auto out = s.server.on_message(kCarol, r::Message("publish").set("track", "video"), kNow);
  ck_assert(sent(out, kCarol, "refused").at(0).str("code") == "not-joined");
  const std::string tok = s.token(room, "carol", 0);
  ck_assert_uint_eq(sent(s.join(kCarol, room, tok), kCarol, "joined").size(), 1);
  out = s.join(kBob, room, tok);
  ck_assert(sent(out, kBob, "refused").at(0).str("code") == "reused");
  // One identity once per room.
  out = s.join(kBob, room, s.token(room, "carol", 0));
  ck_assert(sent(out, kBob, "refused").at(0).str("code") == "identity-in-use");
  // Locked: only admins get in.
  r::Message reply;
  s.server.admin(r::Message("lock").set("room", room).set("locked", true), kNow, &reply);
  ck_assert(reply.flag("ok"));
  out = s.join(kBob, room, s.token(room, "bob", r::kPublishAudio));
  ck_assert(sent(out, kBob, "refused").at(0).str("code") == "locked");
  out = s.join(kAlice, room, s.token(room, "alice", r::kAdmin));
  ck_assert_uint_eq(sent(out, kAlice, "joined").size(), 1);
}
END_TEST

START_TEST(test_screen_share_gating)
{
  Server s;
  const std::string room = s.server.create_room(r::RoomMode::HopByHop, false);
  auto out = s.join(kAlice, room, s.token(room, "alice", r::kPublishVideo | r::kPublishAudio), "hop-by-hop");
  const auto joined = sent(out, kAlice, "joined").at(0);
  ck_assert(joined.str("mode") == "hop-by-hop" && !joined.has("mls-role"));
  ck_assert(s.server.may_publish(kAlice, r::Track::Video));
  ck_assert(!s.server.may_publish(kAlice, r::Track::Screen));
  out = s.server.on_message(kAlice, r::Message("publish").set("track", "screen"), kNow);
  const auto refused = sent(out, kAlice, "track-refused");
  ck_assert_uint_eq(refused.size(), 1);
  ck_assert(refused[0].str("reason").find("share-screen") != std::string::npos);
  ck_assert_uint_eq(s.server.refused_tracks(room), 1);
  ck_assert(s.server.allowed_ssrcs(kAlice).empty());  // nothing announced yet
  // Allowed video: no refusal.
  ck_assert(sent(s.server.on_message(kAlice, r::Message("publish").set("track", "video"), kNow), kAlice,
      "track-refused").empty());
  // The media path forwards only what was allowed: the video, not the
  // refused screen (its SSRC never counts).
  s.server.on_message(kAlice, r::Message("publish").set("track", "video").set("ssrc", uint64_t{ 5 }), kNow);
  s.server.on_message(kAlice, r::Message("publish").set("track", "screen").set("ssrc", uint64_t{ 6 }), kNow);
  ck_assert(s.server.allowed_ssrcs(kAlice) == std::vector<uint32_t>{ 5 });
  // An admin allows it during the meeting, and takes it back: the screen's
  // stream is forwarded, then dropped again.
  r::Message reply;
  s.server.admin(r::Message("screen-share").set("room", room).set("identity", "alice").set("allow", true), kNow, &reply);
  ck_assert(reply.flag("ok") && s.server.may_publish(kAlice, r::Track::Screen));
  s.server.on_message(kAlice, r::Message("publish").set("track", "screen").set("ssrc", uint64_t{ 6 }), kNow);
  ck_assert((s.server.allowed_ssrcs(kAlice) == std::vector<uint32_t>{ 5, 6 }));
  s.server.admin(r::Message("screen-share").set("room", room).set("identity", "alice").set("allow", false), kNow, &reply);
  ck_assert(!s.server.may_publish(kAlice, r::Track::Screen));
  ck_assert(s.server.allowed_ssrcs(kAlice) == std::vector<uint32_t>{ 5 });
  // No MLS in a hop-by-hop room; a non-admin's admin command is refused.
  out = s.server.on_message(kAlice, r::Message("mls").set("data", "AAAA"), kNow);
  ck_assert(sent(out, kAlice, "refused").at(0).str("code") == "no-mls");
  out = s.server.on_message(kAlice, r::Message("end").set("room", room), kNow);
  ck_assert(!sent(out, kAlice, "reply").at(0).flag("ok"));
  ck_assert_uint_eq(s.server.room_ids().size(), 1);
  ck_assert(s.server.status_text().find("[hop-by-hop]") != std::string::npos);
}
END_TEST

START_TEST(test_revoke_end_and_vanish)
{
  Server s;
  const std::string room = s.server.create_room(r::RoomMode::EndToEnd, false);
  s.join(kAlice, room, s.token(room, "alice", r::kPublishVideo));
  s.join(kBob, room, s.token(room, "bob", r::kPublishVideo));
  s.join(kCarol, room, s.token(room, "carol", r::kPublishVideo));
  // Revoking an identity removes it at once and keeps it out.
  r::Message reply;
  auto out = s.server.admin(r::Message("revoke").set("identity", "bob").set("until", kNow + 3600), kNow, &reply);
  ck_assert_msg(reply.flag("ok") && reply.str("text").find("removed 1") != std::string::npos, "%s",
      reply.str("text").c_str());
  ck_assert(has(out, Kind::Close, kBob) && has(out, Kind::StopMedia, kBob));
  nothing_after_close(out);
  out = s.join(kBob, room, s.token(room, "bob", r::kPublishVideo));
  ck_assert(sent(out, kBob, "refused").at(0).str("code") == "revoked");
  // A vanished connection (ICE consent lost) leaves; the others hear it.
  out = s.server.on_closed(kCarol);
  ck_assert(has(out, Kind::StopMedia, kCarol));
  ck_assert(sent(out, kAlice, "participant").at(0).str("event") == "left");
  ck_assert(!s.server.admitted(kCarol));
  // When the last member has left, the next one creates a new group.
  s.server.on_closed(kAlice);
  out = s.join(kAlice, room, s.token(room, "alice", 0));
  ck_assert(sent(out, kAlice, "joined").at(0).str("mls-role") == "create");
  // Ending the room closes everyone.
  out = s.server.admin(r::Message("end").set("room", room), kNow, &reply);
  ck_assert(reply.flag("ok"));
  ck_assert_uint_eq(sent(out, kAlice, "room-ended").size(), 1);
  ck_assert(has(out, Kind::Close, kAlice));
  ck_assert(s.server.room_ids().empty());
  ck_assert(!s.server.admin(r::Message("lock").set("room", room).set("locked", true), kNow, &reply).size());
  ck_assert(!reply.flag("ok"));
}
END_TEST

// A recorder needs the record claim, publishes nothing, and everyone learns
// it is a recorder: whoever is there when it joins, and whoever comes later.
START_TEST(test_recorder_is_visible_and_needs_the_claim)
{
  Server s;
  const std::string room = s.server.create_room(r::RoomMode::HopByHop, false);
  auto recorder_join = [&](r::ConnectionId c, unsigned perms, const char* role) {
    return s.server.on_message(c, r::Message("join").set("room", room).set("token", s.token(room, "rec", perms))
        .set("mode", "hop-by-hop").set("role", role), kNow);
  };
  s.join(kAlice, room, s.token(room, "alice", r::kPublishVideo), "hop-by-hop");
  // Without the claim: refused, and alice hears of nobody.
  auto out = recorder_join(kBob, r::kPublishVideo, "recorder");
  ck_assert(sent(out, kBob, "refused").at(0).str("code") == "not-allowed");
  ck_assert(has(out, Kind::Close, kBob) && sent(out, kAlice, "participant").empty());
  out = recorder_join(kBob, r::kRecord, "spy");
  ck_assert(sent(out, kBob, "refused").at(0).str("code") == "bad-role");
  // With it: alice is told a recorder joined.
  out = recorder_join(kBob, r::kRecord, "recorder");
  ck_assert_uint_eq(sent(out, kBob, "joined").size(), 1);
  const auto told = sent(out, kAlice, "participant").at(0);
  ck_assert(told.str("identity") == "rec" && told.str("event") == "joined" && told.str("role") == "recorder");
  ck_assert(!sent(out, kBob, "participant").at(0).has("role"));  // alice is no recorder
  // It publishes nothing, whatever its token says.
  out = s.server.on_message(kBob, r::Message("publish").set("track", "audio").set("ssrc", uint64_t{ 7 }), kNow);
  ck_assert(sent(out, kBob, "track-refused").at(0).str("reason").find("recorder") != std::string::npos);
  ck_assert(sent(out, kAlice, "track").empty());
  // A later participant learns of it too, and the status shows it. (carol
  // only publishes: the media path sends her nothing.)
  out = s.server.on_message(kCarol, r::Message("join").set("room", room).set("token", s.token(room, "carol", 0))
      .set("mode", "hop-by-hop").set("receive", false), kNow);
  ck_assert(!s.server.receives(kCarol) && s.server.receives(kAlice));
  bool saw = false;
  for (const auto& m : sent(out, kCarol, "participant"))
    saw |= m.str("identity") == "rec" && m.str("role") == "recorder";
  ck_assert(saw);
  ck_assert(s.server.status_text().find("rec (recorder) admitted") != std::string::npos);
  // Its leaving is announced as a recorder's.
  out = s.server.on_message(kBob, r::Message("leave"), kNow);
  ck_assert(sent(out, kAlice, "participant").at(0).str("role") == "recorder");
}
END_TEST

// In an e2ee room a recorder may stay out of the MLS group and archive
// ciphertext: it never creates or joins the group, gets no MLS message, may
// send none, and everyone is told it records ciphertext. Nobody else may
// join outside the group, nor a recorder of a hop-by-hop room.
START_TEST(test_ciphertext_recorder_stays_out_of_the_group)
{
  Server s;
  const std::string room = s.server.create_room(r::RoomMode::EndToEnd, false);
  auto join_outside = [&](r::ConnectionId c, const char* identity, const char* role, const std::string& in,
                          const char* mode) {
    return s.server.on_message(c, r::Message("join").set("room", in).set("token", s.token(in, identity, r::kRecord))
        .set("mode", mode).set("role", role).set("mls-member", false), kNow);
  };
  auto out = join_outside(kAlice, "alice", "participant", room, "e2ee");
  ck_assert(sent(out, kAlice, "refused").at(0).str("code") == "bad-role");
  const std::string hop = s.server.create_room(r::RoomMode::HopByHop, false);
  out = join_outside(kAlice, "alice", "recorder", hop, "hop-by-hop");
  ck_assert(sent(out, kAlice, "refused").at(0).str("code") == "bad-role");

  // First in the room, it still does not create the group: the next one does.
  out = join_outside(kCarol, "rec", "recorder", room, "e2ee");
  ck_assert(sent(out, kCarol, "joined").at(0).str("mls-role") == "none");
  out = s.join(kAlice, room, s.token(room, "alice", r::kPublishVideo));
  ck_assert(sent(out, kAlice, "joined").at(0).str("mls-role") == "create");
  bool told = false;
  for (const auto& m : sent(out, kAlice, "participant"))
    told |= m.str("identity") == "rec" && m.str("role") == "recorder" && m.str("recording") == "ciphertext";
  ck_assert(told);
  ck_assert(s.server.status_text().find("rec (recorder, ciphertext) admitted") != std::string::npos);

  // The group's messages never reach it, and it may send none.
  m::MLSMessage kp_msg;
  kp_msg.message.emplace<m::KeyPackage>(m::generate_key_package(1, text("bob"), 0, UINT64_MAX).value().key_package);
  out = s.join(kBob, room, s.token(room, "bob", r::kPublishVideo));
  out = s.server.on_message(kBob, mls_msg(kp_msg), kNow);
  ck_assert(!sent(out, kAlice, "mls").empty() && sent(out, kCarol, "mls").empty());
  out = s.server.on_message(kCarol, mls_msg(kp_msg), kNow);
  ck_assert(sent(out, kCarol, "refused").at(0).str("code") == "no-mls");
  ck_assert(sent(out, kAlice, "mls").empty());

  // Its leaving proposes no removal.
  out = s.server.on_message(kCarol, r::Message("leave"), kNow);
  ck_assert(sent(out, kAlice, "mls").empty() && !sent(out, kAlice, "participant").empty());
}
END_TEST

START_TEST(test_room_ids_are_random)
{
  Server s;
  std::set<std::string> ids;
  for (int i = 0; i < 200; i++) {
    const std::string id = s.server.create_room(r::RoomMode::HopByHop, false);
    ck_assert(id[0] == 'r');  // never "-": command lines would take it for an option
    const auto bytes = r::base64url_decode(id.substr(1));
    ck_assert(bytes.has_value() && bytes->size() == 16);
    ids.insert(id);
  }
  ck_assert_uint_eq(ids.size(), 200);
  // Created on the admin socket too, in the mode asked for.
  r::Message reply;
  s.server.admin(r::Message("create").set("mode", "e2ee").set("waiting-room", true), kNow, &reply);
  ck_assert(reply.flag("ok"));
  ck_assert(s.server.mode_of(reply.str("text")) == r::RoomMode::EndToEnd);
}
END_TEST

int main()
{
  Suite* s = suite_create("room-server");
  TCase* tc = tcase_create("server");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_e2ee_room_waiting_admit_kick);
  tcase_add_test(tc, test_refused_joins);
  tcase_add_test(tc, test_screen_share_gating);
  tcase_add_test(tc, test_revoke_end_and_vanish);
  tcase_add_test(tc, test_recorder_is_visible_and_needs_the_claim);
  tcase_add_test(tc, test_ciphertext_recorder_stays_out_of_the_group);
  tcase_add_test(tc, test_room_ids_are_random);
  suite_add_tcase(s, tc);
  return run_suite(s);
}
