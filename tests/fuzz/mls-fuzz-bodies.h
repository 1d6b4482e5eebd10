// SPDX-License-Identifier: LGPL-2.1-or-later
// The body of the MLS fuzz target as a plain function: the libFuzzer program
// (fuzz-mls-message.cpp, -Dfuzzing=true) calls it, and
// tests/check/mls/fuzz-replay.cpp runs it over the vectors' messages and
// deterministic mutations in every test run, sanitized runs included.
// A broken property aborts; memory errors are the sanitizers' to catch.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "json.h"
#include "mls/group.h"

namespace mls_fuzz {

namespace m = gste2ee::mls;

inline void require(bool ok)
{
  if (!ok)
    std::abort();
}

// A member that the fuzzed messages are handed to: the passive client of the
// first passive-client-handling-commit case, joined and one epoch on, so
// proposals and commits for its epoch reach the deep checks.
struct Member {
  m::Group group;
  m::ExternalPsks psks;
};

inline std::optional<Member> make_member(const std::string& vectors_dir)
{
  const auto file = testjson::load_file(vectors_dir + "/mls/passive-client-handling-commit.json");
  const auto& c = file[0];
  auto kp = m::wire::decode<m::MLSMessage>(c["key_package"].hex());
  auto welcome = m::wire::decode<m::MLSMessage>(c["welcome"].hex());
  if (!kp || !welcome)
    return std::nullopt;
  m::KeyPackageSecrets secrets{ std::get<m::KeyPackage>(kp.value().message), m::SecretBytes(c["init_priv"].hex()),
                                m::SecretBytes(c["encryption_priv"].hex()),
                                m::SecretBytes(c["signature_priv"].hex()) };
  m::ExternalPsks psks;
  for (const auto& p : c["external_psks"].array())
    psks.emplace(p["psk_id"].hex(), m::SecretBytes(p["psk"].hex()));
  auto g = m::Group::join(std::get<m::Welcome>(welcome.value().message), secrets, std::nullopt, psks);
  if (!g)
    return std::nullopt;
  return Member{ std::move(g).value(), psks };
}

enum class Outcome { Refused, Decoded, Handled };

// MLSMessage decoding is strict and canonical: whatever decodes re-encodes
// to exactly the input. A decoded message handed to the member either is
// refused (the member is unchanged: it is a value) or moves it by at most one
// epoch.
inline Outcome message(const uint8_t* data, size_t size, const Member* member)
{
  const m::Bytes in(data, data + size);
  auto msg = m::wire::decode<m::MLSMessage>(in);
  if (!msg)
    return Outcome::Refused;
  auto again = m::wire::encode(msg.value());
  require(again.ok() && again.value() == in);
  if (!member)
    return Outcome::Decoded;
  auto next = member->group.handle(msg.value(), member->psks);
  if (!next)
    return Outcome::Decoded;
  require(next.value().epoch() == member->group.epoch() || next.value().epoch() == member->group.epoch() + 1);
  return Outcome::Handled;
}

} // namespace mls_fuzz
