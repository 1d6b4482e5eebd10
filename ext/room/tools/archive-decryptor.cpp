// SPDX-License-Identifier: LGPL-2.1-or-later
#include "archive-decryptor.h"

#include "sframe/header.h"

namespace gste2ee::room {

namespace {
// Frames come in the recorded order, but a stream's packets may have been
// reordered before the recorder's jitter buffer settled them: a generous
// window refuses true repeats only.
constexpr size_t kReplayWindow = 4096;
}

ArchiveDecryptor::ArchiveDecryptor(std::vector<mls::KeyLogEntry> epochs) : epochs_(std::move(epochs))
{
  for (size_t i = 0; i < epochs_.size(); i++)
    decryptors_.push_back(std::make_unique<sframe::Decryptor>(kReplayWindow));
}

bool ArchiveDecryptor::decrypt(const std::vector<uint8_t>& frame, std::vector<uint8_t>* out)
{
  const sframe::ByteView view(frame.data(), frame.size());
  auto header = sframe::decode_header(view);
  if (!header)
    return false;
  const uint64_t kid = header.value().kid;
  std::vector<size_t> order;
  const auto last = last_epoch_of_kid_.find(kid);
  if (last != last_epoch_of_kid_.end())
    order.push_back(last->second);
  for (size_t i = epochs_.size(); i-- > 0;) {
    const unsigned e = epochs_[i].epoch_bits;
    const uint64_t mask = e >= 64 ? ~uint64_t{ 0 } : (uint64_t{ 1 } << e) - 1;
    if ((kid & mask) == (epochs_[i].epoch & mask) && (last == last_epoch_of_kid_.end() || i != last->second))
      order.push_back(i);
  }
  out->resize(frame.size());
  for (size_t i : order) {
    sframe::Decryptor& d = *decryptors_[i];
    const auto& entry = epochs_[i];
    if (!d.has_key(kid)
        && !d.add_key(kid, static_cast<sframe::CipherSuite>(entry.sframe_suite),
               sframe::ByteView(entry.base_key.data(), entry.base_key.size())))
      continue;
    auto r = d.unprotect(view, {}, sframe::MutableByteView(out->data(), out->size()));
    if (r) {
      out->resize(r.value().plaintext_size);
      last_epoch_of_kid_[kid] = i;
      return true;
    }
  }
  out->clear();
  return false;
}

} // namespace gste2ee::room
