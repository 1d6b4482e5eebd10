// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sframe/bytes.h"

#include <openssl/crypto.h>

namespace gste2ee::sframe {

SecretBytes& SecretBytes::operator=(SecretBytes&& o) noexcept
{
  if (this != &o) {
    wipe();
    bytes_ = std::move(o.bytes_);
  }
  return *this;
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

} // namespace gste2ee::sframe
