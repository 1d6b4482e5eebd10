// SPDX-License-Identifier: LGPL-2.1-or-later
// RTCP compound packets (RFC 3550 6.1) as an SFU needs them: validated as a
// whole (every length fits and they add up exactly, or the compound is
// refused), the feedback a subscriber sends about a stream (PLI and FIR,
// RFC 4585 / RFC 5104; generic NACK, RFC 4585 6.2.1), and builders for the
// key-frame requests the SFU sends to publishers; sender and receiver
// reports (RFC 3550 6.4) to translate between publishers and subscribers.
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

// The sender info of a sender report (RFC 3550 6.4.1).
struct SenderInfo {
  uint32_t ssrc;
  uint64_t ntp;  // NTP timestamp, 32.32
  uint32_t rtp_timestamp;
  uint32_t packets;
  uint32_t octets;
};

// One report block of a sender or receiver report: what `reporter` received
// of `ssrc`.
struct ReportBlock {
  uint32_t reporter;
  uint32_t ssrc;
  uint8_t fraction_lost;
  uint32_t cumulative_lost;  // 24 bits, signed in two's complement
  uint32_t highest_sequence;  // extended: cycles << 16 | sequence
  uint32_t jitter;
  uint32_t last_sr;
  uint32_t delay_since_last_sr;
};

struct RtcpReports {
  std::vector<SenderInfo> senders;
  std::vector<ReportBlock> blocks;
};

// The sender infos and report blocks of a compound, with the same checks as
// parse_rtcp_feedback (a report count that does not fit its length is
// refused too).
RtcpError parse_rtcp_reports(const uint8_t* data, size_t size, RtcpReports* out);

// A sender report without report blocks.
std::vector<uint8_t> build_sr(const SenderInfo& info);
// A receiver report from `reporter` with these blocks (at most 31).
std::vector<uint8_t> build_rr(uint32_t reporter, const std::vector<ReportBlock>& blocks);

// A PLI (12 bytes) from `sender_ssrc` about `media_ssrc`.
std::vector<uint8_t> build_pli(uint32_t sender_ssrc, uint32_t media_ssrc);
// A generic NACK for one sequence number and its bitmask of the 16 after it.
std::vector<uint8_t> build_nack(uint32_t sender_ssrc, uint32_t media_ssrc, const std::vector<uint16_t>& lost);

} // namespace gste2ee::sfu
