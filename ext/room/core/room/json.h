// SPDX-License-Identifier: LGPL-2.1-or-later
// A strict JSON reader (RFC 8259) and a small writer, GStreamer-free.
//
// Strict because its input is hostile (join-token claims) or must not be
// misread (test vectors): well-formed UTF-8 only, no duplicate member names,
// no trailing characters, bounded nesting. Integers are read exactly as
// uint64, never through a double (vectors hold 2^64-1). Nothing here aborts:
// parse() reports errors by return value and the accessors return nullptr or
// nullopt on a type mismatch, so callers refuse what they do not expect.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gste2ee::json {

class Value {
public:
  enum class Type { Null, Bool, Number, String, Array, Object };

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::Null; }
  bool is_bool() const { return type_ == Type::Bool; }
  bool is_number() const { return type_ == Type::Number; }
  bool is_string() const { return type_ == Type::String; }
  bool is_array() const { return type_ == Type::Array; }
  bool is_object() const { return type_ == Type::Object; }

  // A member of an object, or nullptr (missing, or this is not an object).
  const Value* find(const std::string& key) const;
  // Elements and members, or nullptr if this is not an array / object.
  const std::vector<Value>* array() const { return type_ == Type::Array ? &array_ : nullptr; }
  const std::map<std::string, Value>* object() const { return type_ == Type::Object ? &object_ : nullptr; }
  // The contents of a string, or nullptr.
  const std::string* string() const { return type_ == Type::String ? &text_ : nullptr; }
  // A non-negative integer without fraction or exponent that fits in 64 bits.
  std::optional<uint64_t> u64() const;
  std::optional<bool> boolean() const;
  // A number exactly as written (any valid JSON number), or nullptr.
  const std::string* number_text() const { return type_ == Type::Number ? &text_ : nullptr; }

  static const char* type_name(Type t);

private:
  friend class Parser;
  Type type_ = Type::Null;
  bool bool_ = false;
  bool fits_u64_ = false;  // a number u64() accepts
  uint64_t u64_ = 0;
  std::string text_;  // string contents, or a number's text
  std::vector<Value> array_;
  std::map<std::string, Value> object_;
};

// Parses one whole document. On error returns false and sets `error` to the
// reason with its line and column. `max_depth` bounds nesting (the stack).
bool parse(const std::string& text, Value* out, std::string* error, int max_depth = 256);

// `s` as a JSON string literal with its quotes (UTF-8 passed through;
// quotes, backslashes and control characters escaped).
std::string quote(const std::string& s);

} // namespace gste2ee::json
