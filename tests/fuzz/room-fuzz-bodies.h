// SPDX-License-Identifier: LGPL-2.1-or-later
// The body of the room fuzz target as a plain function: the libFuzzer
// program (fuzz-room-input.cpp, -Dfuzzing=true) calls it, and
// tests/check/room/fuzz-replay.cpp runs it over valid tokens and messages
// and deterministic mutations of them in every test run. The first byte
// picks what the rest is fed to, each a place where network bytes enter
// the server: a join token, a signalling message, the frame reader, or a
// whole connection (frames -> messages -> the room server's decisions).
// Properties that must hold abort when broken; memory errors are the
// sanitizers' to catch.
#pragma once

#include "room/framing.h"
#include "room/join_token.h"
#include "room/message.h"
#include "room/room_server.h"

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

namespace room_fuzz {

namespace r = gste2ee::room;

constexpr uint64_t kNow = 1'800'000'000;
// Tokens are checked for this room with the RFC 8037 appendix A key, so a
// corpus can hold tokens minted ahead (gst-e2ee-room-token mint --room
// fuzz-room --issued-at 1800000000) that reach the claim checks.
constexpr char kTokenRoom[] = "fuzz-room";
constexpr char kFuzzJwk[] =
  "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"k\",\"alg\":\"EdDSA\","
  "\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";

inline r::SigningKey fuzz_key()
{
  gste2ee::json::Value jwk;
  r::SigningKey key;
  std::string error;
  if (!gste2ee::json::parse(kFuzzJwk, &jwk, &error) || !r::parse_jwk(jwk, &key, &error))
    std::abort();
  return key;
}

inline void require(bool ok)
{
  if (!ok)
    std::abort();
}

enum class Outcome { Refused, Accepted };

struct State {
  r::SigningKey key = fuzz_key();
  std::unique_ptr<r::RoomServer> server;
  std::string room;
  r::ConnectionId next = 1;

  State() { reset(); }
  void reset()
  {
    server = std::make_unique<r::RoomServer>(r::TokenVerifier({ key }, r::TokenPolicy{}));
    room = server->create_room(r::RoomMode::EndToEnd, true);
  }
  // A token the server accepts once (seeds and the connection target's
  // first message).
  std::string token(const std::string& identity, unsigned perms, const std::string& jti,
      const std::string& for_room = "") const
  {
    r::JoinClaims c;
    c.identity = identity;
    c.room = for_room.empty() ? room : for_room;
    c.jti = jti;
    c.iat = kNow;
    c.exp = kNow + 60;
    c.permissions = perms;
    return r::mint_join_token(key, c);
  }
};

inline Outcome input(const uint8_t* data, size_t size, State* s)
{
  if (size == 0)
    return Outcome::Refused;
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0: {
      // A token: a fresh verifier each time, so acceptance is judged alone.
      r::TokenVerifier v({ s->key }, r::TokenPolicy{});
      const auto verdict = v.verify(rest, kTokenRoom, kNow);
      // Accepted only with everything a join needs.
      if (verdict.accepted())
        require(!verdict.claims.identity.empty() && !verdict.claims.jti.empty() && verdict.claims.room == kTokenRoom
            && verdict.claims.exp > kNow - 30);
      else
        require(!verdict.reason.empty());
      return verdict.accepted() ? Outcome::Accepted : Outcome::Refused;
    }
    case 1: {
      r::Message m;
      std::string error;
      if (!r::parse_message(rest, &m, &error)) {
        require(!error.empty());
        return Outcome::Refused;
      }
      // What parses, re-encodes to what parses the same.
      r::Message again;
      require(r::parse_message(m.to_json(), &again, &error) && again.to_json() == m.to_json());
      return Outcome::Accepted;
    }
    case 2: {
      r::FrameReader reader(1024);
      size_t total = 0;
      bool ok = reader.push(data + 1, size - 1);
      while (auto f = reader.next()) {
        require(!f->empty() && f->size() <= 1024);
        total += f->size() + 4;
      }
      require(total <= size - 1);
      return ok ? Outcome::Accepted : Outcome::Refused;
    }
    default: {
      // One connection: a valid join (so later messages reach the admitted
      // paths), then whatever frames the input holds.
      if (s->next > 10000)
        s->reset();
      const r::ConnectionId c = s->next++;
      s->server->on_message(c, r::Message("join").set("room", s->room)
          .set("token", s->token("p" + std::to_string(c), r::kAdmin, "j" + std::to_string(c))).set("mode", "e2ee"),
          kNow);
      r::FrameReader reader;
      reader.push(data + 1, size - 1);
      size_t accepted = 0;
      while (auto f = reader.next()) {
        r::Message m;
        std::string error;
        if (!r::parse_message(*f, &m, &error))
          continue;
        for (const auto& a : s->server->on_message(c, m, kNow))
          require(a.kind != r::Action::Kind::Send || !a.message.type().empty());
        accepted++;
      }
      s->server->on_closed(c);
      require(!s->server->admitted(c) && !s->server->waiting(c));
      return accepted ? Outcome::Accepted : Outcome::Refused;
    }
  }
}

} // namespace room_fuzz
