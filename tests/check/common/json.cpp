// SPDX-License-Identifier: LGPL-2.1-or-later
#include "json.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace testjson {

namespace {

[[noreturn]] void die(const std::string& what)
{
  std::fprintf(stderr, "json: %s\n", what.c_str());
  std::abort();
}

const char* type_name(Value::Type t)
{
  switch (t) {
    case Value::Type::Null: return "null";
    case Value::Type::Bool: return "a boolean";
    case Value::Type::Number: return "a number";
    case Value::Type::String: return "a string";
    case Value::Type::Array: return "an array";
    case Value::Type::Object: return "an object";
  }
  return "?";
}

bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

int hex_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string* out, uint32_t cp)
{
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

} // namespace

class Parser {
public:
  explicit Parser(const std::string& text) : text_(text) {}

  bool document(Value* out, std::string* error)
  {
    bool ok = value(out, 0);
    if (ok) {
      skip_ws();
      if (pos_ != text_.size())
        ok = fail("trailing characters after the document");
    }
    if (!ok)
      *error = error_ + " at " + where();
    return ok;
  }

private:
  // Deep enough for any vector file, shallow enough not to exhaust the stack.
  static constexpr int kMaxDepth = 256;

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  bool fail(const char* why)
  {
    if (error_.empty())
      error_ = why;
    return false;
  }

  std::string where() const
  {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < pos_ && i < text_.size(); i++) {
      if (text_[i] == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(col);
  }

  void skip_ws()
  {
    while (!at_end() && (peek() == ' ' || peek() == '\n' || peek() == '\r' || peek() == '\t'))
      pos_++;
  }

  bool literal(const char* word)
  {
    const std::string w(word);
    if (text_.compare(pos_, w.size(), w) != 0)
      return fail("invalid literal");
    pos_ += w.size();
    return true;
  }

  bool value(Value* v, int depth)
  {
    if (depth > kMaxDepth)
      return fail("nesting too deep");
    skip_ws();
    if (at_end())
      return fail("unexpected end of input");
    switch (peek()) {
      case '{':
        return object(v, depth);
      case '[':
        return array(v, depth);
      case '"':
        v->type_ = Value::Type::String;
        return string(&v->text_);
      case 't':
        v->type_ = Value::Type::Bool;
        v->bool_ = true;
        return literal("true");
      case 'f':
        v->type_ = Value::Type::Bool;
        v->bool_ = false;
        return literal("false");
      case 'n':
        v->type_ = Value::Type::Null;
        return literal("null");
      default:
        return number(v);
    }
  }

  // RFC 8259 section 6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number(Value* v)
  {
    const size_t start = pos_;
    const bool negative = !at_end() && peek() == '-';
    if (negative)
      pos_++;
    if (at_end() || !is_digit(peek()))
      return fail("invalid number or unexpected character");
    if (peek() == '0') {
      pos_++;
      if (!at_end() && is_digit(peek()))
        return fail("leading zero in a number");
    } else {
      while (!at_end() && is_digit(peek()))
        pos_++;
    }
    const size_t int_end = pos_;
    bool integer = true;
    if (!at_end() && peek() == '.') {
      integer = false;
      pos_++;
      if (at_end() || !is_digit(peek()))
        return fail("digit expected after the decimal point");
      while (!at_end() && is_digit(peek()))
        pos_++;
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      integer = false;
      pos_++;
      if (!at_end() && (peek() == '+' || peek() == '-'))
        pos_++;
      if (at_end() || !is_digit(peek()))
        return fail("digit expected in the exponent");
      while (!at_end() && is_digit(peek()))
        pos_++;
    }
    v->type_ = Value::Type::Number;
    v->text_ = text_.substr(start, pos_ - start);
    // Exact conversion; a valid JSON integer beyond 2^64-1 still parses,
    // only u64() refuses it.
    v->fits_u64_ = integer && !negative;
    uint64_t n = 0;
    for (size_t i = start; v->fits_u64_ && i < int_end; i++) {
      const auto digit = static_cast<uint64_t>(text_[i] - '0');
      if (n > (UINT64_MAX - digit) / 10)
        v->fits_u64_ = false;
      else
        n = n * 10 + digit;
    }
    v->u64_ = v->fits_u64_ ? n : 0;
    return true;
  }

  bool hex4(uint32_t* out)
  {
    if (text_.size() - pos_ < 4)
      return fail("short \\u escape");
    uint32_t cp = 0;
    for (int i = 0; i < 4; i++) {
      const int d = hex_value(text_[pos_++]);
      if (d < 0)
        return fail("bad hex digit in \\u escape");
      cp = cp << 4 | static_cast<uint32_t>(d);
    }
    *out = cp;
    return true;
  }

  bool escape(std::string* out)
  {
    if (at_end())
      return fail("unterminated string");
    const char e = text_[pos_++];
    switch (e) {
      case '"': case '\\': case '/': out->push_back(e); return true;
      case 'b': out->push_back('\b'); return true;
      case 'f': out->push_back('\f'); return true;
      case 'n': out->push_back('\n'); return true;
      case 'r': out->push_back('\r'); return true;
      case 't': out->push_back('\t'); return true;
      case 'u': break;
      default: return fail("invalid escape");
    }
    uint32_t cp = 0;
    if (!hex4(&cp))
      return false;
    if (cp >= 0xdc00 && cp <= 0xdfff)
      return fail("unpaired low surrogate");
    if (cp >= 0xd800 && cp <= 0xdbff) {
      // Outside the BMP: a high surrogate must be followed by a low one.
      uint32_t low = 0;
      if (text_.compare(pos_, 2, "\\u") != 0)
        return fail("unpaired high surrogate");
      pos_ += 2;
      if (!hex4(&low))
        return false;
      if (low < 0xdc00 || low > 0xdfff)
        return fail("unpaired high surrogate");
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    }
    append_utf8(out, cp);
    return true;
  }

  // One UTF-8 sequence starting at pos_, copied if well-formed (RFC 3629:
  // no overlong forms, no surrogates, nothing above U+10FFFF).
  bool utf8(std::string* out)
  {
    const auto b0 = static_cast<uint8_t>(peek());
    size_t len = 0;
    uint8_t lo = 0x80, hi = 0xbf;  // allowed range of the second byte
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      len = 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      len = 3;
      if (b0 == 0xe0)
        lo = 0xa0;
      if (b0 == 0xed)
        hi = 0x9f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      len = 4;
      if (b0 == 0xf0)
        lo = 0x90;
      if (b0 == 0xf4)
        hi = 0x8f;
    } else {
      return fail("invalid UTF-8");
    }
    if (text_.size() - pos_ < len)
      return fail("invalid UTF-8");
    for (size_t i = 1; i < len; i++) {
      const auto b = static_cast<uint8_t>(text_[pos_ + i]);
      if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xbf))
        return fail("invalid UTF-8");
    }
    out->append(text_, pos_, len);
    pos_ += len;
    return true;
  }

  bool string(std::string* out)
  {
    pos_++;  // opening quote
    for (;;) {
      if (at_end())
        return fail("unterminated string");
      const auto c = static_cast<uint8_t>(peek());
      if (c == '"') {
        pos_++;
        return true;
      }
      if (c < 0x20)
        return fail("control character in a string");
      if (c == '\\') {
        pos_++;
        if (!escape(out))
          return false;
      } else if (c >= 0x80) {
        if (!utf8(out))
          return false;
      } else {
        out->push_back(static_cast<char>(c));
        pos_++;
      }
    }
  }

  bool array(Value* v, int depth)
  {
    v->type_ = Value::Type::Array;
    pos_++;
    skip_ws();
    if (!at_end() && peek() == ']') {
      pos_++;
      return true;
    }
    for (;;) {
      v->array_.emplace_back();
      if (!value(&v->array_.back(), depth + 1))
        return false;
      skip_ws();
      if (at_end())
        return fail("unterminated array");
      const char c = text_[pos_++];
      if (c == ']')
        return true;
      if (c != ',')
        return fail("expected ',' or ']'");
    }
  }

  bool object(Value* v, int depth)
  {
    v->type_ = Value::Type::Object;
    pos_++;
    skip_ws();
    if (!at_end() && peek() == '}') {
      pos_++;
      return true;
    }
    for (;;) {
      skip_ws();
      if (at_end() || peek() != '"')
        return fail("expected a member name");
      std::string key;
      if (!string(&key))
        return false;
      skip_ws();
      if (at_end() || peek() != ':')
        return fail("expected ':'");
      pos_++;
      // RFC 8259 leaves duplicates to the reader; in a vector file one would
      // silently hide a value, so it is an error.
      if (v->object_.count(key))
        return fail("duplicate member name");
      if (!value(&v->object_[key], depth + 1))
        return false;
      skip_ws();
      if (at_end())
        return fail("unterminated object");
      const char c = text_[pos_++];
      if (c == '}')
        return true;
      if (c != ',')
        return fail("expected ',' or '}'");
    }
  }

  const std::string& text_;
  size_t pos_ = 0;
  std::string error_;
};

const Value& Value::operator[](const std::string& key) const
{
  const Value* v = find(key);
  if (!v)
    die("missing member '" + key + "'");
  return *v;
}

const Value& Value::operator[](size_t index) const
{
  if (index >= array().size())
    die("index " + std::to_string(index) + " out of range (size " + std::to_string(array_.size()) + ")");
  return array_[index];
}

const Value* Value::find(const std::string& key) const
{
  auto it = object().find(key);
  return it == object_.end() ? nullptr : &it->second;
}

size_t Value::size() const
{
  if (type_ == Type::Array)
    return array_.size();
  return object().size();
}

uint64_t Value::u64() const
{
  if (type_ != Type::Number)
    die(std::string("expected an unsigned integer, found ") + type_name(type_));
  if (!fits_u64_)
    die("number " + text_ + " is not an unsigned 64-bit integer");
  return u64_;
}

bool Value::boolean() const
{
  if (type_ != Type::Bool)
    die(std::string("expected a boolean, found ") + type_name(type_));
  return bool_;
}

const std::string& Value::str() const
{
  if (type_ != Type::String)
    die(std::string("expected a string, found ") + type_name(type_));
  return text_;
}

const std::string& Value::number_text() const
{
  if (type_ != Type::Number)
    die(std::string("expected a number, found ") + type_name(type_));
  return text_;
}

std::vector<uint8_t> Value::hex() const
{
  return from_hex(str());
}

const std::vector<Value>& Value::array() const
{
  if (type_ != Type::Array)
    die(std::string("expected an array, found ") + type_name(type_));
  return array_;
}

const std::map<std::string, Value>& Value::object() const
{
  if (type_ != Type::Object)
    die(std::string("expected an object, found ") + type_name(type_));
  return object_;
}

bool parse(const std::string& text, Value* out, std::string* error)
{
  *out = Value();
  Parser p(text);
  return p.document(out, error);
}

Value load_file(const std::string& path)
{
  std::ifstream f(path, std::ios::binary);
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
    die("odd-length hex string '" + hex + "'");
  std::vector<uint8_t> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); i++) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      die("not a hex string: '" + hex + "'");
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string to_hex(const uint8_t* data, size_t size)
{
  static const char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(size * 2);
  for (size_t i = 0; i < size; i++) {
    s.push_back(kDigits[data[i] >> 4]);
    s.push_back(kDigits[data[i] & 0x0f]);
  }
  return s;
}

std::string to_hex(const std::vector<uint8_t>& bytes)
{
  return to_hex(bytes.data(), bytes.size());
}

} // namespace testjson
