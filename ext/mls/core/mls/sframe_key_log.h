// SPDX-License-Identifier: LGPL-2.1-or-later
// A member's record of its epochs' SFrame base keys (RFC 9605 section 5.2),
// kept only when asked for (mlskeyer's key-log), so that an archive of a
// meeting's ciphertext can be decrypted later (gst-e2ee-room-archive). One
// text line per epoch:
//   epoch=N sframe-cipher-suite=S epoch-bits=E base-key=HEX
// Every KID of an epoch shares its base key, and a KID carries the epoch's
// low E bits, so these lines are all a decryptor needs. The file is as
// secret as the meeting: created owner-only, appended to, never read back by
// the member.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mls/bytes.h"

namespace gste2ee::mls {

struct KeyLogEntry {
  uint64_t epoch = 0;
  uint16_t sframe_suite = 0;
  unsigned epoch_bits = 0;
  SecretBytes base_key;
};

// Appends one epoch's line to `path` (created with mode 0600). False with
// `error` set if the file cannot be written.
bool append_key_log(const std::string& path, const KeyLogEntry& entry, std::string* error);

// Every line of a key log; false with `error` naming the first bad line.
// Blank lines are skipped. A later line for the same epoch replaces it.
bool parse_key_log(const std::string& text, std::vector<KeyLogEntry>* entries, std::string* error);

} // namespace gste2ee::mls
