/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "packet-history.h"

#include <cstring>

namespace gste2ee::sfu {

PacketHistory::~PacketHistory()
{
  for (auto& [k, ring] : rings_)
    for (auto& slot : ring)
      gst_clear_buffer(&slot.packet);
}

void PacketHistory::store(ParticipantId publisher, uint32_t ssrc, uint16_t sequence, GstBuffer* packet)
{
  if (size_ == 0)
    return;
  auto& ring = rings_[key(publisher, ssrc)];
  if (ring.empty())
    ring.resize(size_);
  Slot& slot = ring[sequence % size_];
  gst_buffer_replace(&slot.packet, packet);
  slot.sequence = sequence;
}

GstBuffer* PacketHistory::find(ParticipantId publisher, uint32_t ssrc, uint16_t sequence) const
{
  auto it = rings_.find(key(publisher, ssrc));
  if (it == rings_.end())
    return nullptr;
  const Slot& slot = it->second[sequence % size_];
  return slot.packet && slot.sequence == sequence ? slot.packet : nullptr;
}

void PacketHistory::forget(ParticipantId publisher)
{
  for (auto it = rings_.begin(); it != rings_.end();) {
    if (it->first >> 32 == publisher) {
      for (auto& slot : it->second)
        gst_clear_buffer(&slot.packet);
      it = rings_.erase(it);
    } else {
      ++it;
    }
  }
}

GstBuffer* make_rtx_packet(GstBuffer* original, const Retransmission& r)
{
  GstMapInfo in;
  if (!gst_buffer_map(original, &in, GST_MAP_READ))
    return nullptr;
  RtpPacketView view;
  if (view.parse(in.data, in.size) != RtpError::None) {
    gst_buffer_unmap(original, &in);
    return nullptr;
  }
  const size_t header = view.header_size(), payload = view.payload_size();
  GstBuffer* out = gst_buffer_new_allocate(nullptr, header + 2 + payload, nullptr);
  GstMapInfo o;
  gst_buffer_map(out, &o, GST_MAP_WRITE);
  memcpy(o.data, in.data, header);
  o.data[0] &= ~0x20;  // no padding
  o.data[1] = static_cast<guint8>((o.data[1] & 0x80) | (r.rtx_payload_type & 0x7f));
  rtp_rewrite(o.data, r.rtx_ssrc, r.rtx_sequence, r.timestamp);
  o.data[header] = static_cast<guint8>(r.original_sequence >> 8);
  o.data[header + 1] = static_cast<guint8>(r.original_sequence);
  memcpy(o.data + header + 2, in.data + header, payload);
  gst_buffer_unmap(out, &o);
  gst_buffer_unmap(original, &in);
  return out;
}

} // namespace gste2ee::sfu
