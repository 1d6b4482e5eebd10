// SPDX-License-Identifier: LGPL-2.1-or-later
// RFC 7983 demultiplexing: STUN, DTLS and SRTP / SRTCP share one socket
// (and one ICE 5-tuple under BUNDLE); the first byte says which is which,
// and for RTP versus RTCP the second (RFC 5761 section 4).
#pragma once

#include <cstddef>
#include <cstdint>

namespace gste2ee::transport {

enum class PacketKind { Stun, Dtls, Rtp, Rtcp, Unknown };

PacketKind classify(const uint8_t* data, size_t size);
const char* packet_kind_name(PacketKind k);

} // namespace gste2ee::transport
