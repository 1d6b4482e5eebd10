// SPDX-License-Identifier: LGPL-2.1-or-later
// Decrypts the frames of a ciphertext archive (room/sframe_archive.h) with
// a member's key log (mls/sframe_key_log.h): a frame's KID carries its
// epoch's low E bits, so the epochs of the log with those bits are tried,
// the one that last worked for that KID first; only a frame that
// authenticates under one of them comes out. GStreamer-free.
#pragma once

#include "mls/sframe_key_log.h"
#include "sframe/context.h"

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace gste2ee::room {

class ArchiveDecryptor {
public:
  explicit ArchiveDecryptor(std::vector<mls::KeyLogEntry> epochs);

  // The plaintext of `frame` into `out`; false if no logged epoch's key
  // authenticates it (a frame of an epoch missing from the log, or not an
  // SFrame frame).
  bool decrypt(const std::vector<uint8_t>& frame, std::vector<uint8_t>* out);

private:
  std::vector<mls::KeyLogEntry> epochs_;
  std::vector<std::unique_ptr<sframe::Decryptor>> decryptors_;  // one per epoch
  std::map<uint64_t, size_t> last_epoch_of_kid_;
};

} // namespace gste2ee::room
