// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/sframe_key_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include <openssl/crypto.h>

namespace gste2ee::mls {

namespace {

bool parse_u64(const std::string& s, uint64_t* out)
{
  if (s.empty() || s.size() > 20)
    return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9' || v > (UINT64_MAX - (c - '0')) / 10)
      return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

bool parse_line(const std::string& line, KeyLogEntry* e)
{
  std::istringstream in(line);
  std::string field;
  bool have_epoch = false, have_suite = false, have_bits = false, have_key = false;
  while (in >> field) {
    const auto eq = field.find('=');
    if (eq == std::string::npos)
      return false;
    const std::string name = field.substr(0, eq), value = field.substr(eq + 1);
    uint64_t n = 0;
    if (name == "epoch" && parse_u64(value, &n)) {
      e->epoch = n;
      have_epoch = true;
    } else if (name == "sframe-cipher-suite" && parse_u64(value, &n) && n >= 1 && n <= 0xffff) {
      e->sframe_suite = static_cast<uint16_t>(n);
      have_suite = true;
    } else if (name == "epoch-bits" && parse_u64(value, &n) && n <= 32) {
      e->epoch_bits = static_cast<unsigned>(n);
      have_bits = true;
    } else if (name == "base-key" && !value.empty() && value.size() % 2 == 0 && value.size() <= 128) {
      SecretBytes key(value.size() / 2);
      if (!decode_hex(value, key.data()))
        return false;
      e->base_key = std::move(key);
      have_key = true;
    } else {
      return false;
    }
  }
  return have_epoch && have_suite && have_bits && have_key;
}

} // namespace

bool append_key_log(const std::string& path, const KeyLogEntry& entry, std::string* error)
{
  static const char kHex[] = "0123456789abcdef";
  std::string line = "epoch=" + std::to_string(entry.epoch) + " sframe-cipher-suite=" +
                     std::to_string(entry.sframe_suite) + " epoch-bits=" + std::to_string(entry.epoch_bits) +
                     " base-key=";
  for (size_t i = 0; i < entry.base_key.size(); i++) {
    line += kHex[entry.base_key.data()[i] >> 4];
    line += kHex[entry.base_key.data()[i] & 15];
  }
  line += '\n';
  bool ok = false;
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) {
    // One write of the whole line: O_APPEND keeps it in one piece.
    ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    if (!ok && error)
      *error = std::string("cannot write ") + path + ": " + std::strerror(errno);
    ok = ::close(fd) == 0 && ok;
  } else if (error) {
    *error = std::string("cannot open ") + path + ": " + std::strerror(errno);
  }
  OPENSSL_cleanse(line.data(), line.size());
  return ok;
}

bool parse_key_log(const std::string& text, std::vector<KeyLogEntry>* entries, std::string* error)
{
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); number++) {
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    KeyLogEntry e;
    const bool ok = parse_line(line, &e);
    OPENSSL_cleanse(line.data(), line.size());
    if (!ok) {
      if (error)
        *error = "line " + std::to_string(number) + " is not \"epoch=N sframe-cipher-suite=S epoch-bits=E base-key=HEX\"";
      return false;
    }
    bool replaced = false;
    for (auto& old : *entries)
      if (old.epoch == e.epoch) {
        old = std::move(e);
        replaced = true;
        break;
      }
    if (!replaced)
      entries->push_back(std::move(e));
  }
  return true;
}

} // namespace gste2ee::mls
