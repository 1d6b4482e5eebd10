/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The packets sfuforward keeps to answer NACKs with RTX (RFC 4588): refs to
 * the publishers' buffers (no copies), a fixed ring per stream indexed by
 * sequence number, and the RTX packet built from one of them. The forwarding
 * core decides what to retransmit; this only holds the bytes. */
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "sfu/forwarder.h"

namespace gste2ee::sfu {

class PacketHistory {
public:
  explicit PacketHistory(size_t packets_per_stream) : size_(packets_per_stream) {}
  ~PacketHistory();
  PacketHistory(const PacketHistory&) = delete;
  PacketHistory& operator=(const PacketHistory&) = delete;

  // Keeps a ref to `packet`, replacing the one `size` sequence numbers ago.
  // A ring is allocated once, when its stream's first packet arrives.
  void store(ParticipantId publisher, uint32_t ssrc, uint16_t sequence, GstBuffer* packet);
  // The packet with this sequence number, if still kept (borrowed).
  GstBuffer* find(ParticipantId publisher, uint32_t ssrc, uint16_t sequence) const;
  // Drops everything of a participant that left.
  void forget(ParticipantId publisher);

private:
  struct Slot {
    uint16_t sequence = 0;
    GstBuffer* packet = nullptr;
  };
  static uint64_t key(ParticipantId p, uint32_t ssrc) { return static_cast<uint64_t>(p) << 32 | ssrc; }
  size_t size_;
  std::unordered_map<uint64_t, std::vector<Slot>> rings_;
};

// The RTX packet (RFC 4588 section 4) for `original` as `r` describes it:
// the original header with the RTX payload type, SSRC, sequence number and
// the subscriber's timestamp, then the original sequence number, then the
// original payload byte for byte (without padding). NULL if `original` is
// not RTP.
GstBuffer* make_rtx_packet(GstBuffer* original, const Retransmission& r);

} // namespace gste2ee::sfu
