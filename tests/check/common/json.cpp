// SPDX-License-Identifier: LGPL-2.1-or-later
#include "json.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace testjson {

namespace {

[[noreturn]] void die(const std::string& what)
{
  std::fprintf(stderr, "test vectors: %s\n", what.c_str());
  std::abort();
}

} // namespace

class Parser {
public:
  explicit Parser(const std::string& t) : text_(t) {}

  bool document(Value* out, std::string* error)
  {
    if (!value(out, 0) || (skip_ws(), pos_ != text_.size())) {
      *error = error_.empty() ? "trailing characters" : error_;
      *error += " at offset " + std::to_string(pos_);
      return false;
    }
    return true;
  }

private:
  static constexpr int kMaxDepth = 64;

  void skip_ws()
  {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' || text_[pos_] == '\t'))
      pos_++;
  }

  bool expect(const char* word)
  {
    const std::string w(word);
    if (text_.compare(pos_, w.size(), w) != 0)
      return fail("unexpected token");
    pos_ += w.size();
    return true;
  }

  bool fail(const char* why)
  {
    if (error_.empty())
      error_ = why;
    return false;
  }

  bool value(Value* v, int depth)
  {
    if (depth > kMaxDepth)
      return fail("nesting too deep");
    skip_ws();
    if (pos_ >= text_.size())
      return fail("unexpected end");
    const char c = text_[pos_];
    if (c == '{')
      return object(v, depth);
    if (c == '[')
      return array(v, depth);
    if (c == '"') {
      v->type_ = Value::Type::String;
      return string(&v->string_);
    }
    if (c == 't' || c == 'f') {
      v->type_ = Value::Type::Bool;
      v->bool_ = c == 't';
      return expect(c == 't' ? "true" : "false");
    }
    if (c == 'n') {
      v->type_ = Value::Type::Null;
      return expect("null");
    }
    return number(v);
  }

  bool number(Value* v)
  {
    const size_t start = pos_;
    if (text_[pos_] == '-')
      pos_++;
    bool integer = true;
    while (pos_ < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.' ||
                                   text_[pos_] == 'e' || text_[pos_] == 'E' || text_[pos_] == '+' || text_[pos_] == '-')) {
      if (!std::isdigit(static_cast<unsigned char>(text_[pos_])))
        integer = false;
      pos_++;
    }
    if (pos_ == start)
      return fail("unexpected character");
    v->type_ = Value::Type::Number;
    v->string_ = text_.substr(start, pos_ - start);
    v->number_is_integer_ = integer && v->string_[0] != '-';
    if (v->number_is_integer_) {
      uint64_t n = 0;
      for (char d : v->string_) {
        const uint64_t digit = static_cast<uint64_t>(d - '0');
        if (n > (UINT64_MAX - digit) / 10)
          return fail("integer does not fit in 64 bits");
        n = n * 10 + digit;
      }
      v->number_ = n;
    }
    return true;
  }

  bool string(std::string* out)
  {
    pos_++;  // opening quote
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (static_cast<unsigned char>(c) < 0x20)
        return fail("control character in string");
      if (c == '\\') {
        if (pos_ >= text_.size())
          return fail("unexpected end");
        const char e = text_[pos_++];
        switch (e) {
          case '"': case '\\': case '/': out->push_back(e); break;
          case 'b': out->push_back('\b'); break;
          case 'f': out->push_back('\f'); break;
          case 'n': out->push_back('\n'); break;
          case 'r': out->push_back('\r'); break;
          case 't': out->push_back('\t'); break;
          case 'u': {
            if (pos_ + 4 > text_.size())
              return fail("short \\u escape");
            const unsigned long cp = std::strtoul(text_.substr(pos_, 4).c_str(), nullptr, 16);
            pos_ += 4;
            if (cp >= 0x80)
              return fail("non-ASCII \\u escape not supported");
            out->push_back(static_cast<char>(cp));
            break;
          }
          default:
            return fail("bad escape");
        }
      } else {
        out->push_back(c);
      }
    }
    if (pos_ >= text_.size())
      return fail("unterminated string");
    pos_++;
    return true;
  }

  bool array(Value* v, int depth)
  {
    v->type_ = Value::Type::Array;
    pos_++;
    skip_ws();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      pos_++;
      return true;
    }
    for (;;) {
      v->array_.emplace_back();
      if (!value(&v->array_.back(), depth + 1))
        return false;
      skip_ws();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        pos_++;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        pos_++;
        return true;
      }
      return fail("expected , or ]");
    }
  }

  bool object(Value* v, int depth)
  {
    v->type_ = Value::Type::Object;
    pos_++;
    skip_ws();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      pos_++;
      return true;
    }
    for (;;) {
      skip_ws();
      std::string key;
      if (pos_ >= text_.size() || text_[pos_] != '"' || !string(&key))
        return fail("expected a key");
      skip_ws();
      if (pos_ >= text_.size() || text_[pos_] != ':')
        return fail("expected :");
      pos_++;
      if (v->object_.count(key))
        return fail("duplicate key");
      if (!value(&v->object_[key], depth + 1))
        return false;
      skip_ws();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        pos_++;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        pos_++;
        return true;
      }
      return fail("expected , or }");
    }
  }

  const std::string& text_;
  size_t pos_ = 0;
  std::string error_;
};

const Value& Value::operator[](const std::string& key) const
{
  auto it = object().find(key);
  if (it == object_.end())
    die("missing key '" + key + "'");
  return it->second;
}

const Value& Value::operator[](size_t index) const
{
  if (index >= array().size())
    die("index out of range");
  return array_[index];
}

bool Value::has(const std::string& key) const
{
  return type_ == Type::Object && object_.count(key) != 0;
}

size_t Value::size() const
{
  return type_ == Type::Array ? array_.size() : object().size();
}

uint64_t Value::u64() const
{
  if (type_ != Type::Number || !number_is_integer_)
    die("expected an unsigned integer");
  return number_;
}

bool Value::boolean() const
{
  if (type_ != Type::Bool)
    die("expected a boolean");
  return bool_;
}

const std::string& Value::str() const
{
  if (type_ != Type::String)
    die("expected a string");
  return string_;
}

std::vector<uint8_t> Value::hex() const
{
  return from_hex(str());
}

const std::map<std::string, Value>& Value::object() const
{
  if (type_ != Type::Object)
    die("expected an object");
  return object_;
}

const std::vector<Value>& Value::array() const
{
  if (type_ != Type::Array)
    die("expected an array");
  return array_;
}

bool parse(const std::string& text, Value* out, std::string* error)
{
  Parser p(text);
  return p.document(out, error);
}

Value load_file(const std::string& path)
{
  std::ifstream f(path);
  if (!f)
    die("cannot open " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  Value v;
  std::string error;
  if (!parse(ss.str(), &v, &error))
    die(path + ": " + error);
  return v;
}

std::vector<uint8_t> from_hex(const std::string& hex)
{
  if (hex.size() % 2 != 0)
    die("odd-length hex string");
  std::vector<uint8_t> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); i++) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      die("not a hex digit");
    };
    out[i] = static_cast<uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  }
  return out;
}

} // namespace testjson
