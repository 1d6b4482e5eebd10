// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/bytes.h"

#include <openssl/crypto.h>

namespace gste2ee::mls {

SecretBytes& SecretBytes::operator=(const SecretBytes& o)
{
  if (this != &o) {
    wipe();
    bytes_ = o.bytes_;
  }
  return *this;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& o) noexcept
{
  if (this != &o) {
    wipe();
    bytes_ = std::move(o.bytes_);
  }
  return *this;
}

namespace {

int hex_digit_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

} // namespace

bool decode_hex(std::string_view hex, uint8_t* out)
{
  if (hex.size() % 2)
    return false;
  for (size_t i = 0; i < hex.size() / 2; i++) {
    const int hi = hex_digit_value(hex[2 * i]), lo = hex_digit_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

SecretBytes::~SecretBytes()
{
  wipe();
}

void SecretBytes::wipe() noexcept
{
  if (!bytes_.empty())
    OPENSSL_cleanse(bytes_.data(), bytes_.size());
  bytes_.clear();
}

bool SecretBytes::operator==(const SecretBytes& o) const noexcept
{
  return bytes_.size() == o.bytes_.size() && CRYPTO_memcmp(bytes_.data(), o.bytes_.data(), bytes_.size()) == 0;
}

} // namespace gste2ee::mls
