// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/message_stream.h"

#include "mls/messages.h"
#include "mls/wire.h"

namespace gste2ee::mls {

namespace {

// The length of the MLSMessage at the front of [data, data + n), or the
// failure: Truncated while its end has not arrived yet.
Result<size_t> front_message_length(const uint8_t* data, size_t n)
{
  Reader r(data, n);
  MLSMessage msg;
  MLS_TRY(read(r, msg));
  return n - r.remaining();
}

} // namespace

std::vector<MessageStream::Piece> MessageStream::feed(const uint8_t* data, size_t n)
{
  std::vector<Piece> out;
  auto whole = front_message_length(data, n);
  if (whole && whole.value() == n) {
    if (!pending_.empty()) {
      out.push_back({ {}, "a partial message never got its end (a whole one came instead)" });
      clear();
    }
    lost_ = false;
    out.push_back({ Bytes(data, data + n), nullptr });
    return out;
  }
  if (lost_)
    return out;
  pending_.insert(pending_.end(), data, data + n);
  cut_whole_messages(&out);
  return out;
}

void MessageStream::cut_whole_messages(std::vector<Piece>* out)
{
  size_t used = 0;
  while (used < pending_.size()) {
    auto len = front_message_length(pending_.data() + used, pending_.size() - used);
    if (len) {
      out->push_back({ Bytes(pending_.begin() + used, pending_.begin() + used + len.value()), nullptr });
      used += len.value();
      continue;
    }
    if (len.error() != Error::Truncated) {
      // Not an MLSMessage: where the next one starts is unknowable.
      out->push_back({ {}, len.message() });
      used = pending_.size();
      lost_ = true;
    } else if (pending_.size() - used > max_pending_) {
      out->push_back({ {}, "a partial message longer than the limit" });
      used = pending_.size();
      lost_ = true;
    }
    break;
  }
  pending_.erase(pending_.begin(), pending_.begin() + used);
}

} // namespace gste2ee::mls
