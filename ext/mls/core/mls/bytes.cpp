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
