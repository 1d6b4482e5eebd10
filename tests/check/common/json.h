// SPDX-License-Identifier: LGPL-2.1-or-later
// The strict JSON reader (ext/room/core/room/json.h) as test vectors want
// it: parsing reports errors by return value (so the reader itself can be
// tested), and the accessors abort the program with a message on a shape
// mismatch: a vector file with a missing key or a wrong type is a broken
// test, never a skip. A Value is a handle into a parsed document it keeps
// alive, so it is cheap to copy.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "room/json.h"

namespace testjson {

class Value {
public:
  using Type = gste2ee::json::Value::Type;

  Value();

  Type type() const { return v_->type(); }
  bool is_null() const { return v_->is_null(); }
  bool is_bool() const { return v_->is_bool(); }
  bool is_number() const { return v_->is_number(); }
  bool is_string() const { return v_->is_string(); }
  bool is_array() const { return v_->is_array(); }
  bool is_object() const { return v_->is_object(); }

  // Object member (must exist) and array element (must be in range).
  Value operator[](const std::string& key) const;
  Value operator[](size_t index) const;
  // Object member or nothing: for the optional fields MLS vectors have.
  std::optional<Value> find(const std::string& key) const;
  bool has(const std::string& key) const { return v_->find(key) != nullptr; }
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
  std::vector<Value> array() const;
  std::map<std::string, Value> object() const;

private:
  friend bool parse(const std::string& text, Value* out, std::string* error);
  Value(std::shared_ptr<const gste2ee::json::Value> root, const gste2ee::json::Value* v)
      : root_(std::move(root)), v_(v) {}
  Value child(const gste2ee::json::Value* v) const { return Value(root_, v); }

  std::shared_ptr<const gste2ee::json::Value> root_;  // keeps v_ alive
  const gste2ee::json::Value* v_;
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
