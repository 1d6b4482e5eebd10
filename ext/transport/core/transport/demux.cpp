// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/demux.h"

namespace gste2ee::transport {

PacketKind classify(const uint8_t* data, size_t size)
{
  if (size == 0)
    return PacketKind::Unknown;
  const uint8_t b = data[0];
  if (b <= 3)
    return size >= 20 ? PacketKind::Stun : PacketKind::Unknown;  // the STUN header is 20 bytes
  if (b >= 20 && b <= 63)
    return size >= 13 ? PacketKind::Dtls : PacketKind::Unknown;  // a DTLS record header is 13 bytes
  if (b >= 128 && b <= 191) {
    if (size < 8)
      return PacketKind::Unknown;
    // RTCP packet types 192-223 sit where RTP's marker bit and payload type
    // are; RTP payload types 64-95 are not used, so the ranges do not meet.
    const uint8_t pt = data[1];
    if (pt >= 192 && pt <= 223)
      return PacketKind::Rtcp;
    return size >= 12 ? PacketKind::Rtp : PacketKind::Unknown;
  }
  return PacketKind::Unknown;  // ZRTP (16-19), TURN channels (64-79) and anything else
}

const char* packet_kind_name(PacketKind k)
{
  switch (k) {
  case PacketKind::Stun: return "stun";
  case PacketKind::Dtls: return "dtls";
  case PacketKind::Rtp: return "rtp";
  case PacketKind::Rtcp: return "rtcp";
  case PacketKind::Unknown: return "unknown";
  }
  return "unknown";
}

} // namespace gste2ee::transport
