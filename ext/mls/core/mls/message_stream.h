// SPDX-License-Identifier: LGPL-2.1-or-later
// Whole MLSMessages out of what a transport delivers.
//
// mlskeyer's caps promise one TLS-serialized MLSMessage per buffer, and a
// delivery service that frames its messages keeps that promise. A byte
// stream does not: filesrc reads a Welcome in 4 KiB blocks, a TCP source
// splits and joins messages wherever the network did. An MLSMessage states
// the length of every field, so its end is known from its own bytes: whole
// messages are cut from the front of what arrived, and a partial one waits
// for the rest.
#pragma once

#include "mls/bytes.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gste2ee::mls {

class MessageStream {
public:
  // A message's bytes, or the reason some bytes were given up on.
  struct Piece {
    Bytes message;                 // one whole MLSMessage when refused is null
    const char* refused = nullptr; // static text, never the bytes
  };

  // max_pending bounds what a partial message may hold (a length field
  // read from garbage would otherwise make it wait for gigabytes).
  explicit MessageStream(size_t max_pending = kDefaultMaxPending) : max_pending_(max_pending) {}

  // One chunk in: the messages it completes, in order, and a Piece with a
  // reason for each run of bytes dropped. A chunk that is by itself exactly
  // one message is that message (the one-per-buffer framing); if a partial
  // message was waiting, it never gets its end and is dropped. Once bytes
  // were given up on, the rest of the stream is dropped until such a chunk.
  std::vector<Piece> feed(const uint8_t* data, size_t n);

  // Bytes of a partial message still waiting.
  size_t pending() const { return pending_.size(); }
  // Drops a partial message: a flush, or the end of a stream; what comes
  // next starts a message. (Handshake messages are public or encrypted:
  // nothing here needs wiping.)
  void clear()
  {
    pending_.clear();
    lost_ = false;
  }

  static constexpr size_t kDefaultMaxPending = 1u << 20;

private:
  void cut_whole_messages(std::vector<Piece>* out);

  size_t max_pending_;
  Bytes pending_;
  // After garbage or an over-long message, where the next message starts
  // is unknowable: what follows is dropped, without a refusal each time,
  // until a chunk that is a whole message by itself or clear().
  bool lost_ = false;
};

} // namespace gste2ee::mls
