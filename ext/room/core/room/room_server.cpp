// SPDX-License-Identifier: LGPL-2.1-or-later
#include "room/room_server.h"

#include "mls/primitives.h"
#include "room/base64url.h"

#include <algorithm>

namespace gste2ee::room {

namespace {

constexpr size_t kRoomIdBytes = 16;  // 128 random bits
// Before the base64url text of those bits: an ID never starts with "-",
// which command lines (gst-e2ee-room admin kick ROOM ...) take for an option.
constexpr char kRoomIdPrefix[] = "r";

std::string hex(const mls::Bytes& b)
{
  static const char kDigits[] = "0123456789abcdef";
  std::string s;
  for (const uint8_t x : b) {
    s.push_back(kDigits[x >> 4]);
    s.push_back(kDigits[x & 15]);
  }
  return s;
}

mls::Bytes text_bytes(const std::string& s)
{
  return mls::Bytes(s.begin(), s.end());
}

Action send(ConnectionId to, Message m)
{
  return Action{ Action::Kind::Send, to, std::move(m) };
}

Action act(Action::Kind kind, ConnectionId c)
{
  return Action{ kind, c, Message() };
}

// Refused and closed: the reason goes to the client, the connection ends.
void refuse_and_close(ConnectionId c, const std::string& code, const std::string& reason, std::vector<Action>* out)
{
  out->push_back(send(c, Message("refused").set("code", code).set("reason", reason)));
  out->push_back(act(Action::Kind::Close, c));
}

Message reply_of(bool ok, const std::string& text)
{
  return Message("reply").set("ok", ok).set("text", text);
}

Permission permission_for(Track t)
{
  switch (t) {
    case Track::Audio: return kPublishAudio;
    case Track::Video: return kPublishVideo;
    case Track::Screen: return kShareScreen;
  }
  return kShareScreen;
}

bool is_admin_command(const std::string& type)
{
  for (const char* t : { "create", "list", "admit", "deny", "kick", "revoke", "lock", "screen-share", "end" })
    if (type == t)
      return true;
  return false;
}

} // namespace

const char* room_mode_name(RoomMode mode)
{
  return mode == RoomMode::EndToEnd ? "e2ee" : "hop-by-hop";
}

std::optional<RoomMode> room_mode_from_name(std::string_view name)
{
  if (name == "e2ee")
    return RoomMode::EndToEnd;
  if (name == "hop-by-hop")
    return RoomMode::HopByHop;
  return std::nullopt;
}

const char* track_name(Track t)
{
  switch (t) {
    case Track::Audio: return "audio";
    case Track::Video: return "video";
    case Track::Screen: return "screen";
  }
  return "?";
}

std::optional<Track> track_from_name(std::string_view name)
{
  for (const Track t : { Track::Audio, Track::Video, Track::Screen })
    if (name == track_name(t))
      return t;
  return std::nullopt;
}

std::string RoomServer::create_room(RoomMode mode, bool waiting_room)
{
  auto random = mls::prim::random_bytes(kRoomIdBytes);
  if (!random)
    return {};
  Room room;
  room.id = kRoomIdPrefix + base64url_encode(random.value());
  room.mode = mode;
  room.waiting_room = waiting_room;
  if (mode == RoomMode::EndToEnd && !reset_group(room))
    return {};
  const std::string id = room.id;
  rooms_.emplace(id, std::move(room));
  return id;
}

// A fresh delivery service and external-sender key for the room's group.
// The group ID is the room ID's text.
bool RoomServer::reset_group(Room& room)
{
  room.ds = std::make_unique<mls::DeliveryService>(text_bytes(room.id));
  auto sender = room.ds->make_external_sender(text_bytes("gst-e2ee-room"));
  auto encoded = sender ? mls::wire::encode(sender.value()) : mls::Result<mls::Bytes>(sender.failure());
  if (!encoded)
    return false;
  room.external_sender_hex = hex(encoded.value());
  room.group_created = false;
  return true;
}

RoomServer::Room* RoomServer::room_of(ConnectionId c)
{
  const auto it = joined_.find(c);
  if (it == joined_.end())
    return nullptr;
  const auto r = rooms_.find(it->second);
  return r == rooms_.end() ? nullptr : &r->second;
}

const RoomServer::Room* RoomServer::room_of(ConnectionId c) const
{
  return const_cast<RoomServer*>(this)->room_of(c);
}

const RoomServer::Participant* RoomServer::participant(ConnectionId c) const
{
  const Room* room = room_of(c);
  if (!room)
    return nullptr;
  const auto it = room->people.find(c);
  return it == room->people.end() ? nullptr : &it->second;
}

std::vector<Action> RoomServer::on_message(ConnectionId from, const Message& m, uint64_t now)
{
  std::vector<Action> out;
  Room* room = room_of(from);
  if (!room) {
    if (m.type() == "join")
      return join(from, m, now);
    refuse_and_close(from, "not-joined", "the first message must be \"join\"", &out);
    return out;
  }
  Participant& p = room->people.at(from);
  if (m.type() == "leave")
    return remove(*room, from, "left", false);
  if (!p.admitted) {
    // Nothing but leaving while in the waiting room.
    out.push_back(send(from, Message("refused").set("code", "waiting").set("reason",
        "still in the waiting room: only \"leave\" is possible until an admin admits you")));
    return out;
  }
  if (m.type() == "mls")
    return relay_mls(*room, p, m.str("data"));
  if (m.type() == "sdp" || m.type() == "candidate") {
    out.push_back(Action{ Action::Kind::Media, from, m });
    return out;
  }
  if (m.type() == "publish") {
    const auto track = track_from_name(m.str("track"));
    if (!track) {
      out.push_back(send(from, Message("track-refused").set("track", m.str("track").substr(0, 16))
          .set("reason", "unknown track kind (audio, video or screen)")));
    } else if (!may_publish(from, *track)) {
      room->refused_tracks++;
      out.push_back(send(from, Message("track-refused").set("track", track_name(*track)).set("reason",
          p.recorder ? "a recorder publishes nothing"
          : *track == Track::Screen ? "screen sharing needs the share-screen permission or an admin's allowance"
                                  : std::string("your token does not grant ") + permission_name(permission_for(*track)))));
    } else if (m.has("ssrc") && m.number("ssrc") <= UINT32_MAX) {
      // Receivers learn whose stream an SSRC is (they name their pads after
      // the participant).
      p.tracks.emplace_back(*track, m.number("ssrc"));
      const Message announce = Message("track").set("identity", p.identity).set("track", track_name(*track))
                                   .set("ssrc", m.number("ssrc"));
      for (const auto& [conn, other] : room->people)
        if (other.admitted && conn != from)
          out.push_back(send(conn, announce));
    }
    return out;
  }
  if (is_admin_command(m.type())) {
    if (!(p.permissions & kAdmin)) {
      out.push_back(send(from, reply_of(false, "\"" + m.type() + "\" needs the admin permission")));
      return out;
    }
    // A participant's admin powers end at its own room.
    Message reply;
    const std::string scope = room->id;
    out = command(m, now, &scope, &reply);
    out.insert(out.begin(), send(from, reply));
    return out;
  }
  out.push_back(send(from, Message("refused").set("code", "unexpected").set("reason",
      "\"" + m.type() + "\" is not a message a participant sends")));
  return out;
}

std::vector<Action> RoomServer::join(ConnectionId from, const Message& m, uint64_t now)
{
  std::vector<Action> out;
  const auto it = rooms_.find(m.str("room"));
  if (it == rooms_.end()) {
    refuse_and_close(from, "no-such-room", "no room with this ID", &out);
    return out;
  }
  Room& room = it->second;
  const auto expected = room_mode_from_name(m.str("mode"));
  if (!expected) {
    refuse_and_close(from, "bad-mode", "\"mode\" must be e2ee or hop-by-hop", &out);
    return out;
  }
  if (*expected != room.mode) {
    // Never joined in the other mode: an appliance that expects end-to-end
    // encryption must not end up in a room where the server sees media.
    refuse_and_close(from, "mode-mismatch", std::string("the room is ") + room_mode_name(room.mode)
        + ", this client expects " + room_mode_name(*expected), &out);
    return out;
  }
  const std::string role = m.has("role") ? m.str("role") : "participant";
  if (role != "participant" && role != "recorder") {
    refuse_and_close(from, "bad-role", "\"role\" must be participant or recorder", &out);
    return out;
  }
  const TokenVerdict verdict = verifier_.verify(m.str("token"), room.id, now);
  if (!verdict.accepted()) {
    refuse_and_close(from, token_refusal_name(verdict.refusal), verdict.reason, &out);
    return out;
  }
  const JoinClaims& c = verdict.claims;
  if (role == "recorder" && !c.may(kRecord)) {
    // Nobody records a meeting secretly: only a token with the record
    // claim joins as a recorder, and everyone is told it is one.
    refuse_and_close(from, "not-allowed", "recording needs a token with the record permission", &out);
    return out;
  }
  const bool mls_member = !m.has("mls-member") || m.flag("mls-member");
  if (!mls_member && (role != "recorder" || room.mode != RoomMode::EndToEnd)) {
    // Only a recorder of ciphertext has no use for the group's keys.
    refuse_and_close(from, "bad-role", "only a recorder in an e2ee room joins outside the MLS group", &out);
    return out;
  }
  const bool is_admin = c.may(kAdmin);
  if (room.locked && !is_admin) {
    refuse_and_close(from, "locked", "the room is locked", &out);
    return out;
  }
  for (const auto& [conn, other] : room.people) {
    if (other.identity == c.identity) {
      refuse_and_close(from, "identity-in-use", "this identity is already in the room", &out);
      return out;
    }
  }
  Participant& p = room.people[from];
  p.connection = from;
  p.identity = c.identity;
  p.jti = c.jti;
  p.permissions = c.permissions;
  p.recorder = role == "recorder";
  p.receives = !m.has("receive") || m.flag("receive");
  p.mls_member = mls_member;
  p.mls_client = room.next_client++;
  joined_[from] = room.id;
  if (room.waiting_room && !is_admin) {
    out.push_back(send(from, Message("waiting").set("room", room.id)));
    for (const auto& [conn, other] : room.people)
      if (other.admitted && (other.permissions & kAdmin))
        out.push_back(send(conn, Message("knock").set("room", room.id).set("identity", p.identity)));
    return out;
  }
  return admit(room, p);
}

std::vector<Action> RoomServer::admit(Room& room, Participant& p)
{
  std::vector<Action> out;
  p.admitted = true;
  Message joined("joined");
  joined.set("room", room.id).set("mode", room_mode_name(room.mode)).set("identity", p.identity);
  if (room.mode == RoomMode::EndToEnd && !p.mls_member) {
    joined.set("mls-role", "none");  // it archives ciphertext, holds no key
  } else if (room.mode == RoomMode::EndToEnd) {
    // The first member creates the group, with the server as its external
    // sender (so kicks become Remove proposals); the others join through
    // their KeyPackages.
    joined.set("group-id", hex(text_bytes(room.id)));
    if (!room.group_created) {
      joined.set("mls-role", "create").set("external-sender", room.external_sender_hex);
      room.group_created = true;
    } else {
      joined.set("mls-role", "join");
    }
  }
  out.push_back(send(p.connection, joined));
  out.push_back(act(Action::Kind::StartMedia, p.connection));
  for (const auto& [conn, other] : room.people) {
    if (!other.admitted || conn == p.connection)
      continue;
    out.push_back(send(conn, participant_event(p, "joined")));
    // The newcomer learns who is there and what they publish.
    out.push_back(send(p.connection, participant_event(other, "present")));
    for (const auto& [track, ssrc] : other.tracks)
      out.push_back(send(p.connection, Message("track").set("identity", other.identity).set("track", track_name(track))
          .set("ssrc", ssrc)));
  }
  return out;
}

std::vector<Action> RoomServer::remove(Room& room, ConnectionId c, const std::string& why, bool propose_removal)
{
  std::vector<Action> out;
  const auto it = room.people.find(c);
  if (it == room.people.end())
    return out;
  const Participant p = it->second;
  room.people.erase(it);
  joined_.erase(c);
  if (p.admitted)
    out.push_back(act(Action::Kind::StopMedia, c));
  out.push_back(act(Action::Kind::Close, c));
  if (!p.admitted)
    return out;
  for (const auto& [conn, other] : room.people)
    if (other.admitted)
      out.push_back(send(conn, participant_event(p, why)));
  if (room.mode != RoomMode::EndToEnd)
    return out;
  if (!p.mls_member)
    return out;  // never in the group: nothing to remove
  const bool anyone_left = std::any_of(room.people.begin(), room.people.end(),
      [](const auto& e) { return e.second.admitted && e.second.mls_member; });
  if (!anyone_left) {
    // No member holds the group any more: the next one creates a new one.
    reset_group(room);
    return out;
  }
  if (propose_removal) {
    // The server, as the group's external sender, proposes the removal;
    // whoever commits next rotates the keys without this member.
    const auto leaf = room.ds->leaf_of(text_bytes(p.identity));
    if (leaf) {
      auto proposal = room.ds->propose_removal(*leaf);
      if (proposal)
        fan_out(room, proposal.value(), &out);
    }
  }
  return out;
}

std::vector<Action> RoomServer::relay_mls(Room& room, Participant& from, const std::string& data)
{
  std::vector<Action> out;
  if (room.mode != RoomMode::EndToEnd || !from.mls_member) {
    out.push_back(send(from.connection, Message("refused").set("code", "no-mls").set("reason",
        room.mode != RoomMode::EndToEnd ? "a hop-by-hop room has no MLS group" : "this recorder joined outside the MLS group")));
    return out;
  }
  const auto bytes = base64url_decode(data);
  if (!bytes) {
    out.push_back(send(from.connection, Message("refused").set("code", "malformed").set("reason",
        "\"data\" is not base64url")));
    return out;
  }
  // A refused MLS message (a commit that lost its epoch, a stale proposal)
  // is dropped: its author follows the winner, as the delivery service's
  // other clients do.
  if (room.ds->submit(*bytes, from.mls_client) != mls::DeliveryService::Verdict::Accepted)
    return out;
  fan_out(room, *bytes, &out);
  for (const auto& own : room.ds->take_own_messages())
    fan_out(room, own, &out);
  return out;
}

// To every admitted member (the sender too: a committer adopts its commit
// when it comes back), or a Welcome only to those it names.
void RoomServer::fan_out(Room& room, const mls::Bytes& message, std::vector<Action>* out)
{
  const auto only = room.ds->recipients(message);
  const std::string data = base64url_encode(message);
  for (const auto& [conn, p] : room.people) {
    if (!p.admitted || !p.mls_member)
      continue;
    if (only && std::find(only->begin(), only->end(), p.mls_client) == only->end())
      continue;
    out->push_back(send(conn, Message("mls").set("data", data)));
  }
}

std::vector<Action> RoomServer::on_closed(ConnectionId connection)
{
  Room* room = room_of(connection);
  if (!room)
    return {};
  return remove(*room, connection, "left", true);
}

std::vector<Action> RoomServer::admin(const Message& m, uint64_t now, Message* reply)
{
  if (!is_admin_command(m.type())) {
    *reply = reply_of(false, "\"" + m.type() + "\" is not an admin command");
    return {};
  }
  return command(m, now, nullptr, reply);
}

std::vector<Action> RoomServer::command(const Message& m, uint64_t now, const std::string* scope, Message* reply)
{
  std::vector<Action> out;
  const std::string& type = m.type();
  if (type == "create") {
    const auto mode = room_mode_from_name(m.str("mode"));
    if (scope || !mode) {
      *reply = reply_of(false, scope ? "rooms are created on the admin socket" : "mode must be e2ee or hop-by-hop");
      return out;
    }
    const std::string id = create_room(*mode, m.flag("waiting-room"));
    *reply = reply_of(!id.empty(), id.empty() ? "no randomness for a room ID" : id);
    return out;
  }
  if (type == "list") {
    *reply = reply_of(true, status_text());
    return out;
  }
  if (type == "revoke") {
    const std::string jti = m.str("jti"), identity = m.str("identity");
    if (jti.empty() == identity.empty()) {
      *reply = reply_of(false, "revoke takes one of jti or identity");
      return out;
    }
    if (scope) {
      *reply = reply_of(false, "revocations are made on the admin socket");
      return out;
    }
    if (!jti.empty())
      verifier_.revoke_token(jti, m.number("until"));
    else
      verifier_.revoke_identity(identity, m.number("until"));
    // In effect at once: whoever joined with it is removed now.
    size_t removed = 0;
    if (m.number("until") > now) {
      for (auto& [id, room] : rooms_) {
        std::vector<ConnectionId> hit;
        for (const auto& [conn, p] : room.people)
          if ((!jti.empty() && p.jti == jti) || (!identity.empty() && p.identity == identity))
            hit.push_back(conn);
        for (const ConnectionId c : hit) {
          out.push_back(send(c, Message("removed").set("reason", "your access was revoked")));
          auto more = remove(room, c, "removed", true);
          out.insert(out.end(), more.begin(), more.end());
          removed++;
        }
      }
    }
    *reply = reply_of(true, "revoked until " + std::to_string(m.number("until")) + "; removed "
        + std::to_string(removed) + " participant(s)");
    return out;
  }
  const std::string room_id = m.str("room");
  if (scope && room_id != *scope) {
    *reply = reply_of(false, "an admin's token covers its own room only");
    return out;
  }
  const auto it = rooms_.find(room_id);
  if (it == rooms_.end()) {
    *reply = reply_of(false, "no room with this ID");
    return out;
  }
  Room& room = it->second;
  const std::string tag = std::string(" [") + room_mode_name(room.mode) + "]";
  if (type == "lock") {
    room.locked = m.flag("locked");
    *reply = reply_of(true, std::string("room ") + (room.locked ? "locked" : "unlocked") + tag);
    return out;
  }
  if (type == "end") {
    std::vector<ConnectionId> everyone;
    for (const auto& [conn, p] : room.people)
      everyone.push_back(conn);
    for (const ConnectionId c : everyone) {
      out.push_back(send(c, Message("room-ended").set("room", room.id)));
      const bool admitted = room.people.at(c).admitted;
      joined_.erase(c);
      if (admitted)
        out.push_back(act(Action::Kind::StopMedia, c));
      out.push_back(act(Action::Kind::Close, c));
    }
    rooms_.erase(it);
    *reply = reply_of(true, "room ended" + tag);
    return out;
  }
  // The rest name one participant of the room.
  const std::string identity = m.str("identity");
  auto who = std::find_if(room.people.begin(), room.people.end(),
      [&](const auto& e) { return e.second.identity == identity; });
  if (who == room.people.end()) {
    *reply = reply_of(false, "no such participant in the room" + tag);
    return out;
  }
  Participant& p = who->second;
  if (type == "admit" || type == "deny") {
    if (p.admitted) {
      *reply = reply_of(false, "not in the waiting room" + tag);
      return out;
    }
    if (type == "admit") {
      out = admit(room, p);
    } else {
      const ConnectionId c = p.connection;
      room.people.erase(who);
      joined_.erase(c);
      refuse_and_close(c, "denied", "an admin denied entry", &out);
    }
    *reply = reply_of(true, type + (type == "admit" ? "ted" : "ied") + tag);
    return out;
  }
  if (type == "kick") {
    const ConnectionId c = p.connection;
    out.push_back(send(c, Message("removed").set("reason", "removed by an admin")));
    auto more = remove(room, c, "removed", true);
    out.insert(out.end(), more.begin(), more.end());
    *reply = reply_of(true, "kicked" + tag);
    return out;
  }
  if (type == "screen-share") {
    p.screen_allowed = m.flag("allow");
    *reply = reply_of(true, std::string("screen sharing ") + (p.screen_allowed ? "allowed" : "denied") + tag);
    return out;
  }
  *reply = reply_of(false, "unknown command");
  return out;
}

std::vector<std::string> RoomServer::room_ids() const
{
  std::vector<std::string> ids;
  for (const auto& [id, room] : rooms_)
    ids.push_back(id);
  return ids;
}

std::optional<RoomMode> RoomServer::mode_of(const std::string& room) const
{
  const auto it = rooms_.find(room);
  return it == rooms_.end() ? std::nullopt : std::optional<RoomMode>(it->second.mode);
}

std::string RoomServer::room_of_connection(ConnectionId c) const
{
  const auto it = joined_.find(c);
  return it == joined_.end() ? std::string() : it->second;
}

bool RoomServer::admitted(ConnectionId c) const
{
  const Participant* p = participant(c);
  return p && p->admitted;
}

bool RoomServer::receives(ConnectionId c) const
{
  const Participant* p = participant(c);
  return p && p->receives;
}

bool RoomServer::waiting(ConnectionId c) const
{
  const Participant* p = participant(c);
  return p && !p->admitted;
}

Message RoomServer::participant_event(const Participant& p, const std::string& event)
{
  Message m("participant");
  m.set("identity", p.identity).set("event", event);
  if (p.recorder) {
    m.set("role", "recorder");
    if (!p.mls_member)
      m.set("recording", "ciphertext");  // in no MLS group: keys never reach it
  }
  return m;
}

bool RoomServer::may_publish(ConnectionId c, Track t) const
{
  const Participant* p = participant(c);
  if (!p || !p->admitted || p->recorder)
    return false;
  if (t == Track::Screen && p->screen_allowed)
    return true;
  return (p->permissions & permission_for(t)) != 0;
}

std::vector<uint32_t> RoomServer::allowed_ssrcs(ConnectionId c) const
{
  std::vector<uint32_t> out;
  const Participant* p = participant(c);
  if (!p)
    return out;
  for (const auto& [track, ssrc] : p->tracks)
    if (may_publish(c, track))
      out.push_back(static_cast<uint32_t>(ssrc));
  return out;
}

uint64_t RoomServer::refused_tracks(const std::string& room) const
{
  const auto it = rooms_.find(room);
  return it == rooms_.end() ? 0 : it->second.refused_tracks;
}

std::string RoomServer::status_text() const
{
  std::string out;
  for (const auto& [id, room] : rooms_) {
    size_t admitted = 0;
    for (const auto& [conn, p] : room.people)
      admitted += p.admitted;
    out += "room " + id + " [" + room_mode_name(room.mode) + "] participants " + std::to_string(admitted)
        + ", waiting " + std::to_string(room.people.size() - admitted) + (room.locked ? ", locked" : "")
        + (room.waiting_room ? ", waiting room" : "") + ", refused tracks " + std::to_string(room.refused_tracks)
        + "\n";
    for (const auto& [conn, p] : room.people)
      out += "  " + p.identity + (p.recorder ? (p.mls_member ? " (recorder)" : " (recorder, ciphertext)") : "") + (p.admitted ? " admitted" : " waiting") + " ["
          + permission_list(p.permissions)
          + (p.screen_allowed ? "; screen allowed by an admin" : "") + "]\n";
  }
  return out.empty() ? "no rooms\n" : out;
}

} // namespace gste2ee::room
