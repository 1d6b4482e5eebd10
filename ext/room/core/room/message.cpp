// SPDX-License-Identifier: LGPL-2.1-or-later
#include "room/message.h"

#include <initializer_list>

namespace gste2ee::room {

namespace {

enum class Type { String, Bool, Number };

struct FieldSpec {
  const char* name;
  Type type;
  bool optional;
};

struct MessageSpec {
  const char* type;
  std::initializer_list<FieldSpec> fields;
};

constexpr bool kRequired = false;
constexpr bool kOptional = true;

// Every message of the protocol. A field's value is a string, a boolean or
// a non-negative integer; binary data (MLS messages) is base64url text.
const MessageSpec kSpecs[] = {
  // client -> server
  { "join", { { "room", Type::String, kRequired }, { "token", Type::String, kRequired },
              { "mode", Type::String, kRequired }, { "role", Type::String, kOptional },
              { "receive", Type::Bool, kOptional }, { "mls-member", Type::Bool, kOptional } } },
  { "mls", { { "data", Type::String, kRequired } } },
  { "sdp", { { "kind", Type::String, kRequired }, { "sdp", Type::String, kRequired } } },
  { "candidate", { { "mline", Type::Number, kRequired }, { "candidate", Type::String, kRequired } } },
  { "publish", { { "track", Type::String, kRequired }, { "ssrc", Type::Number, kOptional } } },
  { "leave", {} },
  // admin: the admin socket, or a participant whose token has "admin"
  { "create", { { "mode", Type::String, kRequired }, { "waiting-room", Type::Bool, kOptional } } },
  { "list", {} },
  { "admit", { { "room", Type::String, kRequired }, { "identity", Type::String, kRequired } } },
  { "deny", { { "room", Type::String, kRequired }, { "identity", Type::String, kRequired } } },
  { "kick", { { "room", Type::String, kRequired }, { "identity", Type::String, kRequired } } },
  { "revoke", { { "jti", Type::String, kOptional }, { "identity", Type::String, kOptional },
                { "until", Type::Number, kRequired } } },
  { "lock", { { "room", Type::String, kRequired }, { "locked", Type::Bool, kRequired } } },
  { "screen-share", { { "room", Type::String, kRequired }, { "identity", Type::String, kRequired },
                      { "allow", Type::Bool, kRequired } } },
  { "end", { { "room", Type::String, kRequired } } },
  // server -> client
  { "joined", { { "room", Type::String, kRequired }, { "mode", Type::String, kRequired },
                { "identity", Type::String, kRequired }, { "mls-role", Type::String, kOptional },
                { "group-id", Type::String, kOptional }, { "external-sender", Type::String, kOptional } } },
  { "waiting", { { "room", Type::String, kRequired } } },
  { "knock", { { "room", Type::String, kRequired }, { "identity", Type::String, kRequired } } },
  { "refused", { { "code", Type::String, kRequired }, { "reason", Type::String, kRequired } } },
  { "track-refused", { { "track", Type::String, kRequired }, { "reason", Type::String, kRequired } } },
  { "participant", { { "identity", Type::String, kRequired }, { "event", Type::String, kRequired },
                     { "role", Type::String, kOptional }, { "recording", Type::String, kOptional } } },
  { "track", { { "identity", Type::String, kRequired }, { "track", Type::String, kRequired },
               { "ssrc", Type::Number, kRequired } } },
  { "removed", { { "reason", Type::String, kRequired } } },
  { "room-ended", { { "room", Type::String, kRequired } } },
  { "reply", { { "ok", Type::Bool, kRequired }, { "text", Type::String, kRequired } } },
};

const MessageSpec* spec_of(const std::string& type)
{
  for (const auto& s : kSpecs)
    if (type == s.type)
      return &s;
  return nullptr;
}

} // namespace

Message& Message::set(const std::string& field, std::string value)
{
  Field& f = fields_[field];
  f.kind = Field::Kind::String;
  f.text = std::move(value);
  return *this;
}

Message& Message::set(const std::string& field, bool value)
{
  Field& f = fields_[field];
  f.kind = Field::Kind::Bool;
  f.flag = value;
  return *this;
}

Message& Message::set(const std::string& field, uint64_t value)
{
  Field& f = fields_[field];
  f.kind = Field::Kind::Number;
  f.number = value;
  return *this;
}

std::string Message::str(const std::string& field) const
{
  const auto it = fields_.find(field);
  return it != fields_.end() && it->second.kind == Field::Kind::String ? it->second.text : std::string();
}

bool Message::flag(const std::string& field) const
{
  const auto it = fields_.find(field);
  return it != fields_.end() && it->second.kind == Field::Kind::Bool && it->second.flag;
}

uint64_t Message::number(const std::string& field) const
{
  const auto it = fields_.find(field);
  return it != fields_.end() && it->second.kind == Field::Kind::Number ? it->second.number : 0;
}

bool Message::has(const std::string& field) const
{
  return fields_.count(field) != 0;
}

std::string Message::to_json() const
{
  std::string out = "{\"type\":" + json::quote(type_);
  for (const auto& [name, f] : fields_) {
    out += "," + json::quote(name) + ":";
    switch (f.kind) {
      case Field::Kind::String: out += json::quote(f.text); break;
      case Field::Kind::Bool: out += f.flag ? "true" : "false"; break;
      case Field::Kind::Number: out += std::to_string(f.number); break;
    }
  }
  return out + "}";
}

bool parse_message(std::string_view text, Message* out, std::string* error)
{
  json::Value doc;
  std::string why;
  // Depth 1: one flat object.
  if (!json::parse(std::string(text), &doc, &why, 1)) {
    *error = "not a JSON message: " + why;
    return false;
  }
  const json::Value* type = doc.find("type");
  if (!doc.is_object() || !type || !type->string()) {
    *error = "a message is a JSON object with a string \"type\"";
    return false;
  }
  const MessageSpec* spec = spec_of(*type->string());
  if (!spec) {
    *error = "unknown message type";
    return false;
  }
  Message m(*type->string());
  for (const auto& [name, value] : *doc.object()) {
    if (name == "type")
      continue;
    const FieldSpec* field = nullptr;
    for (const auto& f : spec->fields)
      if (name == f.name)
        field = &f;
    if (!field) {
      *error = "\"" + m.type() + "\" has no field of that name";
      return false;
    }
    bool typed = false;
    switch (field->type) {
      case Type::String:
        typed = value.string() != nullptr;
        if (typed)
          m.set(name, *value.string());
        break;
      case Type::Bool:
        typed = value.boolean().has_value();
        if (typed)
          m.set(name, *value.boolean());
        break;
      case Type::Number:
        typed = value.u64().has_value();
        if (typed)
          m.set(name, *value.u64());
        break;
    }
    if (!typed) {
      *error = "\"" + m.type() + "\" field \"" + name + "\" has the wrong type";
      return false;
    }
  }
  for (const auto& f : spec->fields) {
    if (!f.optional && !m.has(f.name)) {
      *error = "\"" + m.type() + "\" needs the field \"" + f.name + "\"";
      return false;
    }
  }
  *out = std::move(m);
  return true;
}

} // namespace gste2ee::room
