// SPDX-License-Identifier: LGPL-2.1-or-later
#include "room/json.h"

namespace gste2ee::json {

namespace {

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
  Parser(const std::string& text, int max_depth) : text_(text), max_depth_(max_depth) {}

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
    if (depth > max_depth_)
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
      // RFC 8259 leaves duplicates to the reader; one would hide a value
      // (a second "aud" in a token, a second field in a vector), so it is an
      // error.
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
  const int max_depth_;
  size_t pos_ = 0;
  std::string error_;
};

const char* Value::type_name(Type t)
{
  switch (t) {
    case Type::Null: return "null";
    case Type::Bool: return "a boolean";
    case Type::Number: return "a number";
    case Type::String: return "a string";
    case Type::Array: return "an array";
    case Type::Object: return "an object";
  }
  return "?";
}

const Value* Value::find(const std::string& key) const
{
  if (type_ != Type::Object)
    return nullptr;
  auto it = object_.find(key);
  return it == object_.end() ? nullptr : &it->second;
}

std::optional<uint64_t> Value::u64() const
{
  if (type_ != Type::Number || !fits_u64_)
    return std::nullopt;
  return u64_;
}

std::optional<bool> Value::boolean() const
{
  if (type_ != Type::Bool)
    return std::nullopt;
  return bool_;
}

bool parse(const std::string& text, Value* out, std::string* error, int max_depth)
{
  *out = Value();
  Parser p(text, max_depth);
  return p.document(out, error);
}

std::string quote(const std::string& s)
{
  static const char kDigits[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<uint8_t>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20) {
      out += "\\u00";
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0x0f]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
  return out;
}

} // namespace gste2ee::json
