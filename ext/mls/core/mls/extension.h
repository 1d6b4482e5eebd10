// SPDX-License-Identifier: LGPL-2.1-or-later
// struct { ExtensionType extension_type; opaque extension_data<V>; } Extension;
// (RFC 9420 section 13): used by GroupContext, LeafNode, KeyPackage, GroupInfo.
#pragma once

#include <cstdint>

#include "mls/wire.h"

namespace gste2ee::mls {

struct Extension {
  uint16_t type = 0;
  Bytes data;
};

Result<void> read(Reader& r, Extension& out);
bool write(Writer& w, const Extension& v);

} // namespace gste2ee::mls
