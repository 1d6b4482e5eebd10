// SPDX-License-Identifier: LGPL-2.1-or-later
// A small strict JSON reader (RFC 8259) for test vectors: SFrame now, MLS
// (RFC 9420) later. GStreamer-free. Integers are read exactly as uint64,
// because vectors hold 2^64-1, which a double cannot represent.
//
// Parsing reports errors by return value (so the reader itself can be tested).
// The accessors abort the program with a message on a shape mismatch: a vector
// file with a missing key or a wrong type is a broken test, never a skip.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace testjson {

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

  // Object member (must exist) and array element (must be in range).
  const Value& operator[](const std::string& key) const;
  const Value& operator[](size_t index) const;
  // Object member or nullptr: for the optional fields MLS vectors have.
  const Value* find(const std::string& key) const;
  bool has(const std::string& key) const { return find(key) != nullptr; }
  // Elements of an array or members of an object.
  size_t size() const;

  // A non-negative integer without fraction or exponent that fits in 64 bits.
  uint64_t u64() const;
  bool boolean() const;
  const std::string& str() const;
  // The number exactly as written in the file (any valid JSON number).
  const std::string& number_text() const;
  // A string of hex digits as bytes.
  std::vector<uint8_t> hex() const;
  const std::vector<Value>& array() const;
  const std::map<std::string, Value>& object() const;

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
// reason with its line and column.
bool parse(const std::string& text, Value* out, std::string* error);

// Reads and parses a file; aborts with the path and reason if it cannot.
Value load_file(const std::string& path);

// Hex digits (either case, even count) to bytes; aborts on anything else.
std::vector<uint8_t> from_hex(const std::string& hex);
// Bytes to lowercase hex, for failure messages.
std::string to_hex(const uint8_t* data, size_t size);
std::string to_hex(const std::vector<uint8_t>& bytes);

} // namespace testjson
