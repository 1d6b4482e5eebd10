// SPDX-License-Identifier: LGPL-2.1-or-later
// The room server's decisions, sans-IO: rooms, who is in them, who waits,
// who may publish what, and the MLS delivery service of each end-to-end
// room. The server program owns the sockets, TLS, the transports and the
// sfuforward pads; it feeds this core each message and connection event
// with the time, and carries out the actions it returns, in order. Tested
// without sockets (tests/check/room/room-server.cpp).
//
// A room is `e2ee` (SFrame keys from the room's MLS group; the server
// forwards ciphertext and runs the delivery service) or `hop-by-hop` (SRTP
// only; no MLS), fixed when it is created. A participant:
//   connects -> sends "join" (room, token, the mode it expects, and role
//      "recorder" for a recorder, which needs the token's "record" claim,
//      publishes nothing and is announced to everyone as a recorder; a
//      recorder in an e2ee room that sends "mls-member": false stays out of
//      the MLS group and archives ciphertext, and everyone is told which it
//      is ("recording": "ciphertext" or "member"); and "receive": false for
//      a participant that only publishes, which is then sent nobody's media)
//   -> refused and closed, or waiting (waiting room) until an admin admits
//      or denies it, or admitted: "joined", its media starts, and in an e2ee
//      room its MLS messages go through the delivery service.
// A waiting participant receives no media and no MLS message.
#pragma once

#include "mls/delivery_service.h"
#include "room/join_token.h"
#include "room/message.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gste2ee::room {

enum class RoomMode { EndToEnd, HopByHop };
const char* room_mode_name(RoomMode mode);  // "e2ee", "hop-by-hop"
std::optional<RoomMode> room_mode_from_name(std::string_view name);

// The server program's name for one signalling connection.
using ConnectionId = uint64_t;

enum class Track { Audio, Video, Screen };
const char* track_name(Track t);
std::optional<Track> track_from_name(std::string_view name);

struct Action {
  enum class Kind {
    Send,        // `message` to `connection`
    Close,       // close `connection` (after the sends before it)
    StartMedia,  // give `connection` its transport and sfuforward pads
    StopMedia,   // remove `connection` from sfuforward and close its transport
    Media,       // `message` ("sdp", "candidate") from `connection` for its transport
  };
  Kind kind;
  ConnectionId connection;
  Message message;  // for Send
};

class RoomServer {
public:
  explicit RoomServer(TokenVerifier verifier) : verifier_(std::move(verifier)) {}

  // A new room with a random 128-bit ID ("r" and their base64url text, so
  // it never starts with "-"), never derived from a name or a counter.
  // Empty if the system has no randomness.
  std::string create_room(RoomMode mode, bool waiting_room);

  // A message from a participant's connection.
  std::vector<Action> on_message(ConnectionId from, const Message& m, uint64_t now);
  // The connection is gone (closed, or its transport lost ICE consent): it
  // leaves its room, and in an e2ee room the server proposes its removal.
  std::vector<Action> on_closed(ConnectionId connection);
  // A command from the admin socket (owner-only, so trusted for every room).
  // `reply` gets the answer for the admin.
  std::vector<Action> admin(const Message& m, uint64_t now, Message* reply);

  // For the server's status output and tests.
  std::vector<std::string> room_ids() const;
  std::optional<RoomMode> mode_of(const std::string& room) const;
  // The room a connection joined (empty if none).
  std::string room_of_connection(ConnectionId c) const;
  bool admitted(ConnectionId c) const;
  // False for a participant that joined with "receive": false.
  bool receives(ConnectionId c) const;
  bool waiting(ConnectionId c) const;
  bool may_publish(ConnectionId c, Track t) const;
  // The SSRCs the server forwards from `c`: those of its tracks it may
  // publish now (a screen share stops when an admin withdraws it). The
  // media path drops every other stream the participant sends.
  std::vector<uint32_t> allowed_ssrcs(ConnectionId c) const;
  uint64_t refused_tracks(const std::string& room) const;
  std::string status_text() const;

private:
  struct Participant {
    ConnectionId connection = 0;
    std::string identity, jti;
    unsigned permissions = 0;
    bool admitted = false;
    bool screen_allowed = false;  // by an admin, during the meeting
    bool recorder = false;        // joined with role "recorder"
    bool receives = true;         // false: publishes only, is sent nothing
    bool mls_member = true;       // false: a ciphertext recorder, outside the group
    std::vector<std::pair<Track, uint64_t>> tracks;  // published, with their SSRCs
    mls::DeliveryService::Client mls_client = 0;
  };
  struct Room {
    std::string id;
    RoomMode mode = RoomMode::EndToEnd;
    bool waiting_room = false;
    bool locked = false;
    std::map<ConnectionId, Participant> people;
    uint64_t refused_tracks = 0;
    // e2ee: the delivery service of the room's group, replaced when the
    // last member leaves (the next one creates a new group).
    std::unique_ptr<mls::DeliveryService> ds;
    std::string external_sender_hex;
    bool group_created = false;
    mls::DeliveryService::Client next_client = 0;
  };

  std::vector<Action> join(ConnectionId from, const Message& m, uint64_t now);
  std::vector<Action> admit(Room& room, Participant& p);
  std::vector<Action> remove(Room& room, ConnectionId c, const std::string& why, bool propose_removal);
  std::vector<Action> relay_mls(Room& room, Participant& from, const std::string& data);
  void fan_out(Room& room, const mls::Bytes& message, std::vector<Action>* out);
  std::vector<Action> command(const Message& m, uint64_t now, const std::string* scope, Message* reply);
  bool reset_group(Room& room);
  Room* room_of(ConnectionId c);
  const Room* room_of(ConnectionId c) const;
  const Participant* participant(ConnectionId c) const;
  static Message participant_event(const Participant& p, const std::string& event);

  TokenVerifier verifier_;
  std::map<std::string, Room> rooms_;
  std::map<ConnectionId, std::string> joined_;  // connection -> room, once it sent a valid join
};

} // namespace gste2ee::room
