// SPDX-License-Identifier: LGPL-2.1-or-later
// A small strict JSON reader for test vectors (SFrame, MLS). Integers are kept
// exactly as uint64 (vectors hold 2^64-1, which a double cannot).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace testjson {

class Value {
public:
  enum class Type { Null, Bool, Number, String, Array, Object };

  Type type() const { return type_; }
  bool is_object() const { return type_ == Type::Object; }
  bool is_array() const { return type_ == Type::Array; }

  // Accessors abort the test program (with the key) on a type mismatch:
  // a vector file of the wrong shape is a test failure, not a skip.
  const Value& operator[](const std::string& key) const;
  const Value& operator[](size_t index) const;
  bool has(const std::string& key) const;
  size_t size() const;
  uint64_t u64() const;
  bool boolean() const;
  const std::string& str() const;
  // A hex string as bytes.
  std::vector<uint8_t> hex() const;
  const std::map<std::string, Value>& object() const;
  const std::vector<Value>& array() const;

private:
  friend class Parser;
  Type type_ = Type::Null;
  bool bool_ = false;
  uint64_t number_ = 0;
  bool number_is_integer_ = true;
  std::string string_;  // also the raw text of non-integer numbers
  std::vector<Value> array_;
  std::map<std::string, Value> object_;
};

// Parses a whole document; on error returns false and describes it in `error`.
bool parse(const std::string& text, Value* out, std::string* error);
// Reads and parses a file; aborts with a message if it cannot.
Value load_file(const std::string& path);

std::vector<uint8_t> from_hex(const std::string& hex);

} // namespace testjson
