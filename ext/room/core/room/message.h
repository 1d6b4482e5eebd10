// SPDX-License-Identifier: LGPL-2.1-or-later
// Messages of the room's signalling and admin connections: one JSON object
// per frame (room/framing.h), {"type": "...", ...fields}. Parsing is strict:
// each type has a fixed set of fields with fixed JSON types, all of them
// required unless marked optional, and anything else (an unknown type or
// field, a wrong type, nesting, a duplicate) refuses the message with the
// reason. Both sides and the admin socket speak this one format
// (docs/deployment.md lists the types).
#pragma once

#include "room/json.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace gste2ee::room {

class Message {
public:
  Message() = default;
  explicit Message(std::string type) : type_(std::move(type)) {}

  const std::string& type() const { return type_; }

  // Builders (the writer side).
  Message& set(const std::string& field, std::string value);
  Message& set(const std::string& field, const char* value) { return set(field, std::string(value)); }
  Message& set(const std::string& field, bool value);
  Message& set(const std::string& field, uint64_t value);

  // Readers of a parsed message: the schema guarantees required fields and
  // their types, so these return empty/false/0 only for an absent optional.
  std::string str(const std::string& field) const;
  bool flag(const std::string& field) const;
  uint64_t number(const std::string& field) const;
  bool has(const std::string& field) const;

  // The JSON text (one line, fields in name order).
  std::string to_json() const;

private:
  friend bool parse_message(std::string_view, Message*, std::string*);
  struct Field {
    enum class Kind { String, Bool, Number } kind = Kind::String;
    std::string text;
    bool flag = false;
    uint64_t number = 0;
  };
  std::string type_;
  std::map<std::string, Field> fields_;
};

// Parses and validates one message against the schema of its type.
bool parse_message(std::string_view text, Message* out, std::string* error);

} // namespace gste2ee::room
