// SPDX-License-Identifier: LGPL-2.1-or-later
#include "json.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace testjson {

namespace {

using Core = gste2ee::json::Value;

[[noreturn]] void die(const std::string& what)
{
  std::fprintf(stderr, "json: %s\n", what.c_str());
  std::abort();
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

[[noreturn]] void wrong_type(const char* expected, const Core& v)
{
  die(std::string("expected ") + expected + ", found " + Core::type_name(v.type()));
}

} // namespace

Value::Value() : root_(std::make_shared<const Core>()), v_(root_.get()) {}

Value Value::operator[](const std::string& key) const
{
  if (!v_->is_object())
    wrong_type("an object", *v_);
  const Core* v = v_->find(key);
  if (!v)
    die("missing member '" + key + "'");
  return child(v);
}

Value Value::operator[](size_t index) const
{
  const auto* a = v_->array();
  if (!a)
    wrong_type("an array", *v_);
  if (index >= a->size())
    die("index " + std::to_string(index) + " out of range (size " + std::to_string(a->size()) + ")");
  return child(&(*a)[index]);
}

std::optional<Value> Value::find(const std::string& key) const
{
  if (!v_->is_object())
    wrong_type("an object", *v_);
  const Core* v = v_->find(key);
  if (!v)
    return std::nullopt;
  return child(v);
}

size_t Value::size() const
{
  if (const auto* a = v_->array())
    return a->size();
  if (const auto* o = v_->object())
    return o->size();
  wrong_type("an array or an object", *v_);
}

uint64_t Value::u64() const
{
  if (!v_->is_number())
    wrong_type("an unsigned integer", *v_);
  const auto n = v_->u64();
  if (!n)
    die("number " + *v_->number_text() + " is not an unsigned 64-bit integer");
  return *n;
}

bool Value::boolean() const
{
  const auto b = v_->boolean();
  if (!b)
    wrong_type("a boolean", *v_);
  return *b;
}

const std::string& Value::str() const
{
  const std::string* s = v_->string();
  if (!s)
    wrong_type("a string", *v_);
  return *s;
}

const std::string& Value::number_text() const
{
  const std::string* s = v_->number_text();
  if (!s)
    wrong_type("a number", *v_);
  return *s;
}

std::vector<uint8_t> Value::hex() const
{
  return from_hex(str());
}

std::vector<Value> Value::array() const
{
  const auto* a = v_->array();
  if (!a)
    wrong_type("an array", *v_);
  std::vector<Value> out;
  out.reserve(a->size());
  for (const Core& e : *a)
    out.push_back(child(&e));
  return out;
}

std::map<std::string, Value> Value::object() const
{
  const auto* o = v_->object();
  if (!o)
    wrong_type("an object", *v_);
  std::map<std::string, Value> out;
  for (const auto& [k, e] : *o)
    out.emplace(k, child(&e));
  return out;
}

bool parse(const std::string& text, Value* out, std::string* error)
{
  auto root = std::make_shared<Core>();
  const bool ok = gste2ee::json::parse(text, root.get(), error);
  const Core* v = root.get();
  *out = Value(std::move(root), v);
  return ok;
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
