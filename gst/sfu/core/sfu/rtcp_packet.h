// SPDX-License-Identifier: LGPL-2.1-or-later
// RTCP compound packets (RFC 3550 6.1) as an SFU needs them: validated as a
// whole (every length fits and they add up exactly, or the compound is
// refused), the feedback a subscriber sends about a stream (PLI and FIR,
// RFC 4585 / RFC 5104; generic NACK, RFC 4585 6.2.1), and builders for the
// key-frame requests the SFU sends to publishers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gste2ee::sfu {

enum class RtcpError {
  None,
  TooShort,
  BadVersion,
  BadLength,  // a packet's length field runs past the compound's end
};
const char* rtcp_error_name(RtcpError e);

struct RtcpFeedback {
  enum Kind { Pli, Fir, Nack } kind;
  uint32_t media_ssrc;
  std::vector<uint16_t> lost;  // NACK: the sequence numbers reported lost
};

// Walks a compound: on success, the feedback items it carries (other packet
// types are skipped). Refuses the whole compound when any length lies.
RtcpError parse_rtcp_feedback(const uint8_t* data, size_t size, std::vector<RtcpFeedback>* out);

// A PLI (12 bytes) from `sender_ssrc` about `media_ssrc`.
std::vector<uint8_t> build_pli(uint32_t sender_ssrc, uint32_t media_ssrc);
// A generic NACK for one sequence number and its bitmask of the 16 after it.
std::vector<uint8_t> build_nack(uint32_t sender_ssrc, uint32_t media_ssrc, const std::vector<uint16_t>& lost);

} // namespace gste2ee::sfu
